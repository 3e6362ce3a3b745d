package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// framesAccept is what OHIF sends for a frame.
const framesAccept = "multipart/related; type=application/octet-stream; transfer-syntax=*"

// wado measures WADO-RS: series metadata of the small and large series,
// retrieval of the large series' study, and single frames of its instances.
func (b *bench) wado(ctx context.Context, s *server, name string) error {
	type metadataRun struct {
		se    *series
		fresh bool // defeat response caches: every request is a first call
	}
	for _, m := range []metadataRun{{b.arch.small, false}, {b.arch.large, false}, {b.arch.large, true}} {
		se, n := m.se, len(m.se.sops)
		rw := row{id: fmt.Sprintf("metadata-%d", n), kind: kindLatency, cpuUnit: "ms/request",
			label: fmt.Sprintf("WADO-RS series metadata, %d instances, p50 / p95 / p99 (OHIF's first call; repeated, so cached where the server caches)", n)}
		hdr := map[string]string{"Accept": "application/dicom+json", "Accept-Encoding": "gzip, deflate"}
		if m.fresh {
			rw.id += "-fresh"
			rw.label = fmt.Sprintf("WADO-RS series metadata, %d instances, p50 / p95 / p99 (never cached: a new Host per request)", n)
			hdr[freshHost] = "yes"
		}
		if n >= 1000 {
			rw.target, rw.meets = "p95 < 50 ms", func(p, o *value) string {
				if !p.ok() {
					return "no number"
				}
				return yesNo(p.med(1) < 50)
			}
		}
		url := s.base + "/studies/" + se.study.uid + "/series/" + se.uid + "/metadata"
		err := b.latencyRuns(ctx, s, name, rw, url, hdr, func(r response) (string, error) {
			got, err := jsonArrayLen(r)
			if err != nil {
				return "", err
			}
			if got != n {
				return "", fmt.Errorf("series metadata has %d objects, want %d", got, n)
			}
			return "", nil
		})
		if err != nil {
			return fmt.Errorf("series metadata: %w", err)
		}
	}
	if err := b.retrieve(ctx, s, name); err != nil {
		return err
	}
	return b.framesRuns(ctx, s, name)
}

// retrieve times whole-study retrieval of the large series' study as
// stored (transfer-syntax=*), one client.
func (b *bench) retrieve(ctx context.Context, s *server, name string) error {
	st := b.arch.large.study
	var want int64
	for _, f := range b.arch.filesOf(st) {
		want += f.Size
	}
	rw := row{id: "retrieve", kind: kindRate, unit: "MB/s", target: "≥ 2× Orthanc", meets: atLeastTimes(2), cpuUnit: "CPU s/GB",
		label: fmt.Sprintf("WADO-RS whole-study retrieve, 1 client (%d instances, %.0f MB, transfer-syntax=*)", st.instances(), float64(want)/1e6)}
	url := s.base + "/studies/" + st.uid
	hdr := map[string]string{"Accept": `multipart/related; type="application/dicom"; transfer-syntax=*`}
	for range b.cfg.repeats {
		cpu0 := s.cpu()
		r, err := get(ctx, b.hc, url, hdr, false)
		if err != nil {
			return fmt.Errorf("retrieve study: %w", err)
		}
		if r.status != http.StatusOK {
			b.res.notAvailable(name, rw, fmt.Sprintf("answered %d", r.status))
			return nil
		}
		if r.bytes < want {
			return fmt.Errorf("retrieve study: %d bytes, the instances alone are %d", r.bytes, want)
		}
		cpu := s.cpu() - cpu0
		b.res.add(name, rw, []float64{float64(r.bytes) / 1e6 / r.dur.Seconds()}, cpu.Seconds()/(float64(r.bytes)/1e9))
		b.logf("%s: retrieved %d MB in %.2fs", name, r.bytes/1e6, r.dur.Seconds())
	}
	return nil
}

// framesRuns times single-frame fetches (frame 1 of random instances of
// the large series) by 4 clients for cfg.frames.
func (b *bench) framesRuns(ctx context.Context, s *server, name string) error {
	se := b.arch.large
	const clients = 4
	rw := row{id: "frames", kind: kindRate, unit: "frames/s", target: "≥ 5× Orthanc", meets: atLeastTimes(5), cpuUnit: "ms/frame",
		label: fmt.Sprintf("WADO-RS single frames, %d clients (%dx%d, OHIF's Accept)", clients, se.rows, se.cols)}
	url := func(i int) string {
		return s.base + "/studies/" + se.study.uid + "/series/" + se.uid + "/instances/" + se.sops[i] + "/frames/1"
	}
	hdr := map[string]string{"Accept": framesAccept}
	r, err := get(ctx, b.hc, url(0), hdr, true)
	if err != nil {
		return fmt.Errorf("frames: %w", err)
	}
	if r.status != http.StatusOK {
		b.res.notAvailable(name, rw, fmt.Sprintf("answered %d", r.status))
		b.logf("%s: frames answered %d: %.200s", name, r.status, r.body)
		return nil
	}
	if want := int64(se.rows * se.cols * se.tmpl.spp * se.tmpl.bits / 8); r.bytes < want {
		return fmt.Errorf("frames: %d bytes, a frame is %d", r.bytes, want)
	}
	for run := range b.cfg.repeats {
		var mu sync.Mutex
		var n int
		var failure error
		var wg sync.WaitGroup
		cpu0, t0 := s.cpu(), time.Now()
		deadline := t0.Add(b.cfg.frames)
		for w := range clients {
			wg.Go(func() {
				rng := rand.New(rand.NewPCG(uint64(run), uint64(w)))
				for time.Now().Before(deadline) {
					r, err := get(ctx, b.hc, url(rng.IntN(len(se.sops))), hdr, false)
					if err == nil && r.status != http.StatusOK {
						err = fmt.Errorf("answered %d", r.status)
					}
					mu.Lock()
					if err != nil && failure == nil {
						failure = err
					}
					if err == nil {
						n++
					}
					mu.Unlock()
					if err != nil {
						return
					}
				}
			})
		}
		wg.Wait()
		dur, cpu := time.Since(t0), s.cpu()-cpu0
		if failure != nil {
			return fmt.Errorf("frames: %w", failure)
		}
		b.res.add(name, rw, []float64{float64(n) / dur.Seconds()}, float64(cpu.Microseconds())/1000/float64(n))
		b.logf("%s: %d frames in %.1fs", name, n, dur.Seconds())
	}
	return nil
}
