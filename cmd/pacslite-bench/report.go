package main

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"
)

// Markers around the results in the markdown file, one pair per kind of
// run (mode and sizes): a new run replaces the block of its kind and keeps
// everything else (other kinds of run, notes written by hand).
func markers(key string) (begin, end string) {
	return "<!-- pacslite-bench results " + key + ": begin (written by go run ./cmd/pacslite-bench) -->",
		"<!-- pacslite-bench results " + key + ": end -->"
}

// runKey names the kind of run: its mode and sizes.
func (b *bench) runKey() string {
	var sizes []string
	for _, n := range b.cfg.sizes {
		sizes = append(sizes, sizeLabel(n))
	}
	mode := "full"
	if b.cfg.quick {
		mode = "quick"
	}
	return mode + " sizes=" + strings.Join(sizes, ",")
}

// report renders the run as markdown.
func (b *bench) report() string {
	var s strings.Builder
	mode := "full"
	if b.cfg.quick {
		mode = "--quick"
	}
	fmt.Fprintf(&s, "### Run of %s (%s, %d run(s) per measurement, medians)\n\n", time.Now().UTC().Format("2006-01-02 15:04 MST"), mode, b.cfg.repeats)
	fmt.Fprintf(&s, "- Machine: %s\n", machine())
	var versions []string
	for _, be := range b.backends {
		versions = append(versions, be.Version())
	}
	fmt.Fprintf(&s, "- Servers: %s, one after the other on fresh folders on the same disk, loopback only\n", strings.Join(versions, "; "))
	fmt.Fprintf(&s, "- Load average (1/5/15 min): %s\n", strings.Join(b.loads, "; "))
	var base int64
	for _, f := range b.arch.filesOf(b.arch.all...) {
		base += f.Size
	}
	fmt.Fprintf(&s, "- Archive sent over STOW-RS: %d instances in %d studies (%.2f GB of generated Part 10 files) from testdata/ templates "+
		"(CT, MR, PET, CR/DX/MG); larger sizes add studies of the same mix, with 64x64 images when sent over STOW-RS; "+
		"QIDO queries look for %s\n", b.arch.instances(), len(b.arch.all), float64(base)/1e9, b.queryDesc())
	if b.diskMBps > 0 {
		fmt.Fprintf(&s, "- Raw disk write of the temporary folder (1 GiB, fsync): %.0f MB/s\n", b.diskMBps)
	}
	s.WriteString("- Ratio: how many times better pacslite is (throughput: pacslite/Orthanc; latency and memory: Orthanc/pacslite; p95 for latency)\n")
	for _, n := range b.notes {
		fmt.Fprintf(&s, "- %s\n", n)
	}
	s.WriteString("\n")
	s.WriteString(b.res.table())
	return s.String()
}

func (b *bench) queryDesc() string {
	q := b.arch.queries
	return fmt.Sprintf("patient %s, names containing %q and starting with %q, studies of %s", q.patientID, q.nameContains, q.namePrefix, q.dateFrom[:6])
}

// machine describes the CPU, memory, kernel and Go version.
func machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		fmt.Sscanf(strings.TrimPrefix(strings.SplitN(string(b), "\n", 2)[0], "MemTotal:"), "%d", &kb)
		mem = fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
	}
	kernel, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	return fmt.Sprintf("%d × %s, %s memory, Linux %s, %s", runtime.NumCPU(), model, mem, strings.TrimSpace(string(kernel)), runtime.Version())
}

// loadAvg returns the 1, 5 and 15 minute load averages.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// record writes the report into path between the markers, creating the
// file (with a title) or appending the markers when they are missing.
func record(path, key, report string) error {
	beginMarker, endMarker := markers(key)
	block := beginMarker + "\n" + report + endMarker + "\n"
	old, err := os.ReadFile(path)
	switch {
	case os.IsNotExist(err):
		old = []byte("# Benchmarks\n\n")
	case err != nil:
		return err
	}
	s := string(old)
	i, j := strings.Index(s, beginMarker), strings.Index(s, endMarker)
	if i >= 0 && j > i {
		s = s[:i] + block + s[j+len(endMarker)+1:]
	} else {
		s = strings.TrimRight(s, "\n") + "\n\n" + block
	}
	return os.WriteFile(path, []byte(s), 0o644)
}

// diskWrite writes n bytes to a new file at path in 1 MiB writes, syncs,
// removes it and returns the rate in MB/s: what a disk-bound ingest reaches.
func diskWrite(path string, n int64) (float64, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	defer os.Remove(path)
	buf := make([]byte, 1<<20)
	for i := range buf {
		buf[i] = byte(i * 7)
	}
	t0 := time.Now()
	for w := int64(0); w < n; w += int64(len(buf)) {
		if _, err := f.Write(buf); err != nil {
			f.Close()
			return 0, err
		}
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return 0, err
	}
	if err := f.Close(); err != nil {
		return 0, err
	}
	return float64(n) / 1e6 / time.Since(t0).Seconds(), nil
}
