package main

import (
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pacslite/pacslite/dicomweb/stowclient"
)

// stowResult is one timed STOW-RS load.
type stowResult struct {
	instances int
	bytes     int64
	dur       time.Duration
	cpu       time.Duration // server CPU time
}

func (r stowResult) perSecond() float64 { return float64(r.instances) / r.dur.Seconds() }
func (r stowResult) mbps() float64      { return float64(r.bytes) / 1e6 / r.dur.Seconds() }

// stow sends files with the given number of concurrent clients, each a
// stowclient (the code behind `pacslite import`: batches of 50 files,
// streamed from disk) sending its share of the files in order. Any
// instance the server refuses fails the benchmark.
func (b *bench) stow(ctx context.Context, s *server, files []stowclient.File, clients int, what string) (stowResult, error) {
	var r stowResult
	for _, f := range files {
		r.bytes += f.Size
	}
	r.instances = len(files)
	var (
		mu     sync.Mutex
		failed int
		first  string
		errs   []error
		wg     sync.WaitGroup
	)
	cpu0, t0 := s.cpu(), time.Now()
	per := (len(files) + clients - 1) / clients
	for i := 0; i < len(files); i += per {
		part := files[i:min(i+per, len(files))]
		wg.Go(func() {
			c := stowclient.New(stowclient.Options{BaseURL: s.base, HTTPClient: b.hc, Retries: -1})
			sum, err := c.Store(ctx, part, nil)
			mu.Lock()
			defer mu.Unlock()
			failed += sum.Failed
			if len(sum.Failures) > 0 && first == "" {
				first = sum.Failures[0].Reason
			}
			if err != nil {
				errs = append(errs, err)
			}
		})
	}
	wg.Wait()
	r.dur, r.cpu = time.Since(t0), s.cpu()-cpu0
	if len(errs) > 0 {
		return r, fmt.Errorf("STOW-RS %s: %w", what, errs[0])
	}
	if failed > 0 {
		return r, fmt.Errorf("STOW-RS %s: %d of %d instances failed, e.g. %s", what, failed, len(files), first)
	}
	b.logf("%s: STOW-RS %s: %d instances, %d clients: %.0f inst/s, %.1f MB/s (server CPU %.1fs)",
		s.name, what, r.instances, clients, r.perSecond(), r.mbps(), r.cpu.Seconds())
	return r, nil
}

// ingestRun is one timed ingest of a chunk of the archive.
func (b *bench) ingestRun(ctx context.Context, s *server, name string, chunk []*study, clients int) error {
	files := b.allFiles(chunk)
	r, err := b.stow(ctx, s, files, clients, fmt.Sprintf("ingest run (%d clients)", clients))
	if err != nil {
		return err
	}
	client := "clients"
	if clients == 1 {
		client = "client"
	}
	target, meets := "", (func(p, o *value) string)(nil)
	if clients == 4 {
		target, meets = "≥ 3× Orthanc inst/s", atLeastTimes(3)
	}
	rw := row{id: fmt.Sprintf("ingest-%d", clients), kind: kindIngest, target: target, meets: meets, cpuUnit: "ms/instance",
		label: fmt.Sprintf("STOW-RS ingest, %d %s (%d CT instances of %.2f MB per run)", clients, client, len(files), float64(r.bytes)/float64(len(files))/1e6)}
	b.res.add(name, rw, []float64{r.perSecond(), r.mbps()}, float64(r.cpu.Milliseconds())/float64(r.instances))
	return nil
}

// bigStowRun sends one study of cfg.bigStow bytes (512x512 CT slices) in a
// single STOW-RS request whose body is generated as it is sent, and
// records the server's peak resident memory (VmHWM) and the throughput.
func (b *bench) bigStowRun(ctx context.Context, s *server, name string) error {
	g := newGenerator(b.cfg.seed+2, b.ts, 0)
	st := g.newStudy("CT WHOLE BODY 0.6MM")
	ct := seriesKind{"CT", "WHOLEBODY", ctT, "", nil, [2]int{1, 1}, [2]int{0, 0}, 512}
	probe := g.addSeries(st, ct, "probe", 1)
	n := int(b.cfg.bigStow / probe.fileSize())
	st.series = nil
	for n > 0 {
		g.addSeries(st, ct, fmt.Sprintf("AXIAL PART %d", len(st.series)+1), min(n, 1000))
		n -= 1000
	}
	idle := s.procStatus("VmRSS")

	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	var sent atomic.Int64
	go func() {
		hdr := textproto.MIMEHeader{"Content-Type": {"application/dicom"}}
		var err error
	parts:
		for _, se := range st.series {
			for i := range se.sops {
				var part io.Writer
				if part, err = mw.CreatePart(hdr); err != nil {
					break parts
				}
				var k int64
				k, err = se.render(part, i)
				sent.Add(k)
				if err != nil {
					break parts
				}
			}
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.base+"/studies", pr)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", `multipart/related; type="application/dicom"; boundary=`+mw.Boundary())
	req.Header.Set("Accept", "application/dicom+json")

	stop := make(chan struct{})
	done := make(chan int64)
	go func() { // VmHWM is the peak; this also catches a process that resets it
		var peak int64
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			peak = max(peak, s.procStatus("VmRSS"))
			select {
			case <-stop:
				done <- peak
				return
			case <-t.C:
			}
		}
	}()
	cpu0, t0 := s.cpu(), time.Now()
	resp, err := b.hc.Do(req)
	var status int
	if err == nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		status = resp.StatusCode
	}
	dur, cpu := time.Since(t0), s.cpu()-cpu0
	close(stop)
	peak := max(<-done, s.procStatus("VmHWM"))
	pr.CloseWithError(io.ErrClosedPipe)

	rss := row{id: "rss-2g", kind: kindMemory, unit: "MB", target: "< 150 MB", meets: below(150, kindMemory),
		label: fmt.Sprintf("peak RSS (VmHWM) ingesting a %.1f GB study in one STOW-RS request", float64(b.cfg.bigStow)/1e9)}
	thr := row{id: "stow-2g", kind: kindRate, unit: "MB/s", cpuUnit: "CPU s/GB",
		label: "throughput of that request (large-instance ingest)"}
	if b.diskMBps > 0 {
		thr.target = fmt.Sprintf("disk-bound: ≥ 50%% of raw disk write (%.0f MB/s)", b.diskMBps)
		thr.meets = atLeast(b.diskMBps / 2)
	}
	switch {
	case err != nil:
		b.res.notAvailable(name, rss, "request failed: "+err.Error())
		b.res.notAvailable(name, thr, "request failed")
		return nil
	case status != http.StatusOK:
		b.res.notAvailable(name, rss, fmt.Sprintf("answered %d", status))
		b.res.notAvailable(name, thr, fmt.Sprintf("answered %d", status))
		return nil
	}
	b.res.add(name, rss, []float64{float64(peak) / 1e6}, 0)
	b.res.value(name, rss).note = fmt.Sprintf("(idle %.0f MB)", float64(idle)/1e6)
	b.res.add(name, thr, []float64{float64(sent.Load()) / 1e6 / dur.Seconds()}, cpu.Seconds()/(float64(sent.Load())/1e9))
	b.logf("%s: 2 GB study: %.0f MB/s, peak RSS %.0f MB (idle %.0f MB), server CPU %.1fs",
		name, float64(sent.Load())/1e6/dur.Seconds(), float64(peak)/1e6, float64(idle)/1e6, cpu.Seconds())
	return nil
}
