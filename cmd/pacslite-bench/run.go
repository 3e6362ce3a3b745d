package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// concurrency are the numbers of STOW-RS clients measured.
var concurrency = []int{1, 4, 8}

// runBackend measures one server: started on a fresh folder, fed the
// archive over STOW-RS (the ingest runs are timed), queried and read,
// grown to each further size and queried again; then started once more on
// a fresh folder for the 2 GB study.
func (b *bench) runBackend(ctx context.Context, be backend) error {
	name := be.Name()
	dir := filepath.Join(b.dir, strings.ToLower(name))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	b.settle()
	b.loads = append(b.loads, fmt.Sprintf("%s start %s", name, loadAvg()))
	s, err := be.Start(ctx, dir)
	if err != nil {
		return err
	}
	defer func() { s.stop() }()
	b.logf("%s running at %s", name, s.base)

	// Ingest runs, the concurrency levels interleaved so that drift in the
	// machine's load spreads over all of them.
	k := 0
	for range b.cfg.repeats {
		for _, c := range concurrency {
			if k >= len(b.arch.ingest) {
				break
			}
			if err := b.ingestRun(ctx, s, name, b.arch.ingest[k], c); err != nil {
				return err
			}
			k++
		}
	}
	rest := append([]*study{b.arch.large.study, b.arch.small.study}, b.arch.fill...)
	if _, err := b.stow(ctx, s, b.allFiles(rest), 4, "rest of the archive"); err != nil {
		return err
	}
	size, studies := b.arch.instances(), len(b.arch.all)
	if err := b.qidoAll(ctx, s, name, b.cfg.sizes[0], size, studies); err != nil {
		return err
	}
	if err := b.wado(ctx, s, name); err != nil {
		return err
	}

	for _, target := range b.cfg.sizes[1:] {
		switch {
		case target <= b.cfg.stowMax:
			add := b.topups[target]
			if _, err := b.stow(ctx, s, b.allFiles(add), 4, fmt.Sprintf("top-up to %d instances", target)); err != nil {
				return err
			}
			for _, st := range add {
				size += st.instances()
			}
			studies += len(add)
		case name == "pacslite":
			if err := s.stop(); err != nil {
				return err
			}
			g := newGenerator(b.cfg.seed+uint64(target), b.ts, 0)
			t0, before := time.Now(), size
			size, err = indexDirect(ctx, g, filepath.Join(dir, "data", "index.db"), size, target, func(done int, rate float64) {
				if done%100000 < 2000 {
					b.logf("%s: indexed %d instances (%.0f/s)", name, done, rate)
				}
			})
			if err != nil {
				return fmt.Errorf("index directly: %w", err)
			}
			studies += g.studies
			b.logf("%s: indexed %d instances directly in %.0fs", name, size-before, time.Since(t0).Seconds())
			if s, err = be.Start(ctx, dir); err != nil {
				return err
			}
		default:
			b.qidoNotLoaded(name, target)
			continue
		}
		if err := b.qidoAll(ctx, s, name, target, size, studies); err != nil {
			return err
		}
	}
	if err := s.stop(); err != nil {
		return err
	}
	b.loads = append(b.loads, fmt.Sprintf("%s end %s", name, loadAvg()))
	b.release(dir)

	if b.cfg.bigStow > 0 {
		dir := filepath.Join(b.dir, strings.ToLower(name)+"-big")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		b.settle()
		if s, err = be.Start(ctx, dir); err != nil {
			return err
		}
		if err := b.bigStowRun(ctx, s, name); err != nil {
			return err
		}
		if err := s.stop(); err != nil {
			return err
		}
		b.loads = append(b.loads, fmt.Sprintf("%s after 2 GB study %s", name, loadAvg()))
		b.release(dir)
	}
	return nil
}

// settleTime is how long file creation on the benchmark's disk stays
// taxed after many files were deleted and the deletion synced: ext4
// without a journal scans past inodes freed in the last 60 s (300 s while
// their inode table block is dirty, hence the sync in release).
const settleTime = 65 * time.Second

// release deletes a server's folder once its measurements are done, so
// that its gigabytes do not crowd the page cache of the servers measured
// after it, and syncs the deletion (see settleTime).
func (b *bench) release(dir string) {
	if b.cfg.keep {
		return
	}
	if err := os.RemoveAll(dir); err != nil {
		b.logf("removing %s: %v", dir, err)
	}
	syscall.Sync()
	b.released = time.Now()
}

// settle waits, before a server starts, until the last deletion no
// longer slows the creation of files; not in quick mode, whose figures
// are not for comparison.
func (b *bench) settle() {
	if b.cfg.quick || b.released.IsZero() {
		return
	}
	if wait := settleTime - time.Since(b.released); wait > 0 {
		b.logf("waiting %.0fs for the last folder's deletion to settle", wait.Seconds())
		time.Sleep(wait)
	}
}

// sizeLabel prints an instance count as 10k or 1M.
func sizeLabel(n int) string {
	switch {
	case n >= 1e6:
		return trimZero(fmt.Sprintf("%.2f", float64(n)/1e6)) + "M"
	case n >= 1e3:
		return trimZero(fmt.Sprintf("%.1f", float64(n)/1e3)) + "k"
	}
	return fmt.Sprint(n)
}

func trimZero(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}
