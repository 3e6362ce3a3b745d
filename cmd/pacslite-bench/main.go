package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/pacslite/pacslite/dicomweb/stowclient"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseConfig(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "pacslite-bench: %v\n", err)
		return 2
	}
	b := &bench{cfg: cfg, log: stderr, hc: newHTTPClient(), res: newResults(), start: time.Now()}
	if err := b.run(ctx); err != nil {
		fmt.Fprintf(stderr, "pacslite-bench: %v\n", err)
		return 1
	}
	report := b.report()
	fmt.Fprintln(stdout, report)
	if cfg.out != "" {
		out := cfg.out
		if !filepath.IsAbs(out) {
			out = filepath.Join(b.repo, out) // relative to the repository, wherever it runs from
		}
		if err := record(out, b.runKey(), report); err != nil {
			fmt.Fprintf(stderr, "pacslite-bench: %v\n", err)
			return 1
		}
		b.logf("results recorded in %s", cfg.out)
	}
	return 0
}

// bench is one benchmark run.
type bench struct {
	cfg      config
	log      io.Writer
	hc       *http.Client
	res      *results
	start    time.Time
	repo     string
	dir      string
	backends []backend
	ts       *templates
	arch     *archive
	topups   map[int][]*study // extra studies sent over STOW-RS to reach a size
	diskMBps float64
	loads    []string
	notes    []string
	released time.Time // when a server's folder was last deleted
}

func (b *bench) logf(format string, a ...any) {
	fmt.Fprintf(b.log, "[%5.1fs] %s\n", time.Since(b.start).Seconds(), fmt.Sprintf(format, a...))
}

func (b *bench) run(ctx context.Context) error {
	var err error
	if b.repo, err = repoRoot(); err != nil {
		return err
	}
	b.dir = b.cfg.tmp
	if b.dir == "" {
		if b.dir, err = os.MkdirTemp("", "pacslite-bench-*"); err != nil {
			return err
		}
	}
	if !b.cfg.keep {
		defer os.RemoveAll(b.dir)
	}
	b.logf("working in %s; load average %s", b.dir, loadAvg())
	// Files deleted just before the benchmark (an earlier run's folders,
	// test runs) slow the first server's file creation like a folder the
	// benchmark deletes itself: the first server waits for them too.
	syscall.Sync()
	b.released = time.Now()

	bin, version := b.cfg.pacsliteBin, "pacslite binary "+b.cfg.pacsliteBin
	if bin == "" {
		b.logf("building pacslite")
		if bin, err = buildPacslite(ctx, b.repo, b.dir); err != nil {
			return err
		}
		version = gitDescribe()
	}
	b.backends = []backend{pacsliteBackend{bin: bin, version: version}}
	if b.cfg.orthanc {
		o, err := findOrthanc()
		if errors.Is(err, errNotInstalled) && b.cfg.orthancSet {
			if err = installOrthanc(ctx, b.logf); err == nil {
				o, err = findOrthanc()
			}
		}
		if err != nil {
			return err
		}
		b.backends = append(b.backends, o)
	} else {
		b.notes = append(b.notes, "Orthanc was not measured (not installed, or --orthanc=false).")
	}

	if err := b.generate(ctx); err != nil {
		return err
	}
	if !b.cfg.quick {
		if b.diskMBps, err = diskWrite(filepath.Join(b.dir, "disk-test"), 1<<30); err != nil {
			return err
		}
		b.logf("raw disk write (1 GiB, fsync): %.0f MB/s", b.diskMBps)
	}
	for _, be := range b.backends {
		err := b.runBackend(ctx, be)
		if err != nil && be.Name() == "Orthanc" && !b.cfg.orthancSet && ctx.Err() == nil {
			// Orthanc was only used because it happens to be installed:
			// its failure does not fail the run (CI proves pacslite's side).
			b.logf("Orthanc failed: %v", err)
			b.notes = append(b.notes, fmt.Sprintf("Orthanc failed during the run: %v", err))
			continue
		}
		if err != nil {
			return fmt.Errorf("%s: %w", be.Name(), err)
		}
	}
	return nil
}

// generate plans the archive and writes its files.
func (b *bench) generate(ctx context.Context) error {
	ts, err := loadTemplates(b.repo)
	if err != nil {
		return err
	}
	b.ts = ts
	g := newGenerator(b.cfg.seed, ts, b.cfg.maxSide)
	b.arch = planArchive(g, b.cfg.archive)
	b.topups = map[int][]*study{}
	small := newGenerator(b.cfg.seed+1, ts, 64) // headers as in the archive, tiny images
	have := b.arch.instances()
	for _, size := range b.cfg.sizes[1:] {
		if size > b.cfg.stowMax {
			break
		}
		for have < size {
			st := small.randomStudy()
			have += st.instances()
			b.topups[size] = append(b.topups[size], st)
		}
	}
	all := b.arch.all
	for _, size := range b.cfg.sizes[1:] {
		all = append(all, b.topups[size]...)
	}
	t0 := time.Now()
	if err := b.arch.writeFiles(ctx, filepath.Join(b.dir, "archive"), all); err != nil {
		return err
	}
	b.logf("generated %d instances in %d studies (%.2f GB) in %.1fs", have, len(all), float64(b.arch.bytes)/1e9, time.Since(t0).Seconds())
	return nil
}

// repoRoot finds the module root from the working directory.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && strings.Contains(string(b), "module github.com/pacslite/pacslite\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run from inside the pacslite repository (go.mod not found)")
		}
		dir = parent
	}
}

// allFiles lists the files of studies.
func (b *bench) allFiles(studies []*study) []stowclient.File { return b.arch.filesOf(studies...) }
