package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/rs/zerolog"

	"github.com/pacslite/pacslite/store/blob"
	"github.com/pacslite/pacslite/store/fsck"
	"github.com/pacslite/pacslite/store/index"
)

const fsckUsage = `usage: pacslite fsck [flags]

Checks that the index and the blob store of a data folder agree. It reports
orphan blobs (no index row points at them: the remains of a crash during
STOW-RS) older than --grace, and index rows whose blob is missing (damage
from outside: deleted files, bucket lifecycle rules). With --repair it
deletes those orphans and the remains of interrupted writes. It never
changes the index. Safe to run while the server runs, with a grace period
longer than an upload; use --grace 0 only when no server is running.

Exit status: 0 if the store is consistent (after repair), 1 if orphans
remain or blobs are missing, 2 on usage errors, 3 if the check failed.

flags:
`

// maxListed is how many orphans or missing blobs fsck prints one by one;
// it counts the rest.
const maxListed = 1000

// runFsck is `pacslite fsck`.
func runFsck(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	getenv := os.Getenv
	env := func(key, def string) string {
		if v := getenv(key); v != "" {
			return v
		}
		return def
	}
	fs := flag.NewFlagSet("fsck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), fsckUsage)
		fs.PrintDefaults()
	}
	data := fs.String("data", env("PACSLITE_DATA", "./pacslite-data"), "data folder: index and instance files (PACSLITE_DATA)")
	repair := fs.Bool("repair", false, "delete the orphan blobs found")
	grace := fs.Duration("grace", time.Hour, "age below which an unreferenced blob is not an orphan (an upload may be in progress)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	blobs := blobFlags(fs, getenv)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	usageErr := func(err error) int {
		fmt.Fprintf(stderr, "pacslite fsck: %v\nrun 'pacslite fsck -h' for usage\n", err)
		return 2
	}
	if fs.NArg() > 0 {
		return usageErr(fmt.Errorf("unexpected arguments %q", fs.Args()))
	}
	bc, errs := blobs()
	errs = append(errs, bc.Validate()...)
	if *grace < 0 {
		errs = append(errs, errors.New("--grace must not be negative"))
	}
	if err := errors.Join(errs...); err != nil {
		return usageErr(err)
	}

	rep, cleaned, err := fsckRun(ctx, *data, bc, fsck.Options{Prefix: blobPrefix, Grace: *grace, Repair: *repair})
	if err != nil {
		fmt.Fprintf(stderr, "pacslite fsck: %v\n", err)
		return 3
	}
	if *asJSON {
		writeFsckJSON(stdout, rep, cleaned)
	} else {
		writeFsckText(stdout, rep, cleaned, *repair, *grace)
	}
	if !rep.Consistent() {
		return 1
	}
	return 0
}

// fsckRun opens the data folder's index and blob store and checks them.
// It returns the report and, with Repair, how many interrupted writes it
// cleaned up.
func fsckRun(ctx context.Context, dataDir string, bc BlobConfig, opts fsck.Options) (fsck.Report, int, error) {
	path := filepath.Join(dataDir, "index.db")
	if _, err := os.Stat(path); err != nil {
		return fsck.Report{}, 0, fmt.Errorf("no index in %s: %w", dataDir, err)
	}
	idx, err := index.Open(ctx, path, index.Options{})
	if err != nil {
		return fsck.Report{}, 0, fmt.Errorf("open index: %w", err)
	}
	defer idx.Close()
	blobs, err := openBlobStore(ctx, bc, dataDir)
	if err != nil {
		return fsck.Report{}, 0, err
	}
	cleaned := 0
	if opts.Repair {
		if cleaned, err = cleanUploads(ctx, blobs, opts.Grace); err != nil {
			return fsck.Report{}, 0, err
		}
	}
	rep, err := fsck.Check(ctx, idx, blobs, opts)
	return rep, cleaned, err
}

func writeFsckText(w io.Writer, rep fsck.Report, cleaned int, repair bool, grace time.Duration) {
	removed := make(map[string]bool, len(rep.Removed))
	for _, b := range rep.Removed {
		removed[b.Key] = true
	}
	for i, b := range rep.Orphans {
		if i == maxListed {
			fmt.Fprintf(w, "... and %d more orphans\n", len(rep.Orphans)-maxListed)
			break
		}
		state := "orphan"
		if removed[b.Key] {
			state = "removed orphan"
		}
		fmt.Fprintf(w, "%s %s (%d bytes, modified %s)\n", state, b.Key, b.Size, b.ModTime.UTC().Format(time.RFC3339))
	}
	for i, k := range rep.Missing {
		if i == maxListed {
			fmt.Fprintf(w, "... and %d more missing blobs\n", len(rep.Missing)-maxListed)
			break
		}
		fmt.Fprintf(w, "missing blob %s (an index row points at it)\n", k)
	}
	fmt.Fprintf(w, "checked %d blobs and %d index rows: %d orphans (%d removed), %d missing, %d unreferenced younger than %v left alone",
		rep.Blobs, rep.Rows, len(rep.Orphans), len(rep.Removed), len(rep.Missing), rep.Young, grace)
	switch {
	case repair && cleaned >= 0:
		fmt.Fprintf(w, "; %d interrupted uploads aborted", cleaned)
	case repair:
		fmt.Fprintf(w, "; temporary files of interrupted writes removed")
	}
	fmt.Fprintln(w)
	switch {
	case rep.Consistent():
		fmt.Fprintln(w, "consistent")
	case len(rep.Missing) == 0 && !repair:
		fmt.Fprintln(w, "orphans found: run with --repair to delete them")
	default:
		fmt.Fprintln(w, "INCONSISTENT: index rows point at missing blobs; restore them from a backup or delete those instances")
	}
}

// fsckJSON is the --json report.
type fsckJSON struct {
	Blobs      int        `json:"blobs"`
	Rows       int        `json:"rows"`
	Orphans    []fsckBlob `json:"orphans"`
	Removed    []fsckBlob `json:"removed"`
	Young      int        `json:"young"`
	Missing    []string   `json:"missing"`
	Cleaned    int        `json:"cleaned_writes"` // -1: not counted (fs)
	Consistent bool       `json:"consistent"`
}

type fsckBlob struct {
	Key     string    `json:"key"`
	Size    int64     `json:"size"`
	ModTime time.Time `json:"mod_time"`
}

func writeFsckJSON(w io.Writer, rep fsck.Report, cleaned int) {
	conv := func(bs []fsck.Blob) []fsckBlob {
		out := make([]fsckBlob, 0, len(bs))
		for _, b := range bs {
			out = append(out, fsckBlob{Key: b.Key, Size: b.Size, ModTime: b.ModTime.UTC()})
		}
		return out
	}
	missing := rep.Missing
	if missing == nil {
		missing = []string{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(fsckJSON{
		Blobs: rep.Blobs, Rows: rep.Rows, Orphans: conv(rep.Orphans), Removed: conv(rep.Removed),
		Young: rep.Young, Missing: missing, Cleaned: cleaned, Consistent: rep.Consistent(),
	})
}

// runSweeps removes orphan blobs every interval until ctx ends.
func runSweeps(ctx context.Context, log zerolog.Logger, idx *index.DB, blobs blob.Store, interval, grace time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		sweep(ctx, log, idx, blobs, grace)
	}
}

// sweep runs one orphan sweep and logs what it removed and what is
// missing.
func sweep(ctx context.Context, log zerolog.Logger, idx *index.DB, blobs blob.Store, grace time.Duration) {
	start := time.Now()
	cleaned, err := cleanUploads(ctx, blobs, grace)
	if err != nil && ctx.Err() == nil {
		log.Warn().Err(err).Msg("sweep: clean interrupted blob writes")
	}
	rep, err := fsck.Check(ctx, idx, blobs, fsck.Options{Prefix: blobPrefix, Grace: grace, Repair: true})
	for i, b := range rep.Removed {
		if i == maxListed {
			break
		}
		log.Info().Str("blob_key", b.Key).Int64("bytes", b.Size).Time("modified", b.ModTime).Msg("sweep: removed orphan blob")
	}
	for i, k := range rep.Missing {
		if i == maxListed {
			break
		}
		log.Error().Str("blob_key", k).Msg("sweep: an index row points at a missing blob")
	}
	if err != nil {
		if ctx.Err() == nil {
			log.Error().Err(err).Msg("sweep failed")
		}
		return
	}
	log.Info().Int("blobs", rep.Blobs).Int("rows", rep.Rows).Int("removed", len(rep.Removed)).
		Int("young", rep.Young).Int("missing", len(rep.Missing)).Int("cleaned_writes", cleaned).
		Int64("dur_ms", time.Since(start).Milliseconds()).Msg("sweep")
}
