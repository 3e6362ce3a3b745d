package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/pacslite/pacslite/dicomweb/stowclient"
)

const importUsage = `usage: pacslite import [flags] PATH...

Sends the DICOM files in PATHs (files or folders: CDs, DVDs, USB sticks,
exports) to a DICOMweb archive with STOW-RS. DICOMDIR files and non-DICOM
files (viewers, autorun.inf, PDFs, images) are skipped.

Exit status: 0 if every file was stored, 1 if some failed, 2 on usage errors.

flags:
`

// importEnv is what runImport takes from the process, replaceable in tests.
type importEnv struct {
	getenv        func(string) string
	isTerminal    func(io.Writer) bool
	retryDelay    time.Duration // 0: the client's default
	progressEvery time.Duration // between plain progress lines
}

// runImport is `pacslite import`.
func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return importEnv{getenv: os.Getenv, isTerminal: isTerminal, progressEvery: 5 * time.Second}.
		run(ctx, args, stdout, stderr)
}

func (env importEnv) run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	defURL := env.getenv("PACSLITE_URL")
	if defURL == "" {
		defURL = "http://127.0.0.1:8042/dicomweb"
	}
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), importUsage)
		fs.PrintDefaults()
	}
	baseURL := fs.String("url", defURL, "DICOMweb root of the archive (PACSLITE_URL)")
	token := fs.String("token", "", "bearer token (PACSLITE_TOKEN or PACSLITE_TOKEN_FILE; the flag shows in ps)")
	batch := fs.Int("batch", stowclient.DefaultBatchFiles, "most files per STOW-RS request")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	usageErr := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "pacslite import: "+format+"\n", a...)
		fmt.Fprintln(stderr, "run 'pacslite import -h' for usage")
		return 2
	}
	if fs.NArg() == 0 {
		return usageErr("no PATH given")
	}
	if *batch < 1 {
		return usageErr("--batch must be at least 1, not %d", *batch)
	}
	if u, err := url.Parse(*baseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usageErr("--url %q is not an http(s) URL", *baseURL)
	}
	tok, err := env.token(*token)
	if err != nil {
		return usageErr("%v", err)
	}

	start := time.Now()
	var files []stowclient.File
	st, err := stowclient.Scan(fs.Args(), func(f stowclient.File) error {
		files = append(files, f)
		return nil
	})
	if err != nil {
		return usageErr("%v", err)
	}
	fmt.Fprintf(stderr, "found %d DICOM files (%s MB), skipped %d%s\n",
		st.DICOM, mb(st.Bytes), st.Skipped, skippedDetail(st))

	sum := stowclient.Summary{}
	var storeErr error
	if len(files) > 0 {
		c := stowclient.New(stowclient.Options{BaseURL: *baseURL, Token: tok, BatchFiles: *batch, RetryDelay: env.retryDelay})
		now := time.Now()
		view := &progressView{w: stderr, tty: env.isTerminal(stderr), start: now, last: now, every: env.progressEvery}
		if view.tty {
			view.every = 100 * time.Millisecond
		}
		sum, storeErr = c.Store(ctx, files, view.update)
		view.finish()
	}
	sum.Skipped = st.Skipped

	fmt.Fprintf(stdout, "stored %d, failed %d, skipped %d (non-DICOM), %s MB in %.1fs\n",
		sum.Stored, sum.Failed, sum.Skipped, mb(sum.Bytes), time.Since(start).Seconds())
	for _, f := range sum.Failures {
		fmt.Fprintf(stdout, "failed: %s: %s\n", f.Path, f.Reason)
	}
	if storeErr != nil {
		if ctx.Err() != nil {
			fmt.Fprintf(stderr, "pacslite import: interrupted; %d files not sent\n", len(files)-sum.Stored-sum.Failed)
		} else {
			fmt.Fprintf(stderr, "pacslite import: %v; %d files not sent\n", storeErr, len(files)-sum.Stored-sum.Failed)
		}
		return 1
	}
	if sum.Failed > 0 {
		return 1
	}
	return 0
}

// token picks the bearer token: the flag, else PACSLITE_TOKEN, else the
// contents of the file PACSLITE_TOKEN_FILE names.
func (env importEnv) token(flagValue string) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	if t := env.getenv("PACSLITE_TOKEN"); t != "" {
		return t, nil
	}
	if p := env.getenv("PACSLITE_TOKEN_FILE"); p != "" {
		b, err := os.ReadFile(p)
		if err != nil {
			return "", fmt.Errorf("PACSLITE_TOKEN_FILE: %w", err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	return "", nil
}

func skippedDetail(st stowclient.Stats) string {
	var parts []string
	if st.Directories > 0 {
		parts = append(parts, fmt.Sprintf("%d DICOMDIR", st.Directories))
	}
	if st.Unreadable > 0 {
		parts = append(parts, fmt.Sprintf("%d unreadable", st.Unreadable))
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// mb formats a byte count in megabytes (10^6), one decimal.
func mb(n int64) string { return fmt.Sprintf("%.1f", float64(n)/1e6) }

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// progressView draws stowclient progress: on a terminal a bar redrawn in
// place at most every 100 ms, elsewhere a plain line every few seconds.
type progressView struct {
	w     io.Writer
	tty   bool
	start time.Time
	every time.Duration
	last  time.Time
	drawn bool
	done  bool
}

func (v *progressView) update(p stowclient.Progress) {
	now := time.Now()
	final := p.FilesDone == p.FilesTotal
	if v.done || (!final && now.Sub(v.last) < v.every) {
		return
	}
	v.last, v.drawn, v.done = now, true, final
	rate := float64(p.BytesSent) / max(now.Sub(v.start).Seconds(), 0.001) / 1e6
	failed := ""
	if p.Failed > 0 {
		failed = fmt.Sprintf(", %d failed", p.Failed)
	}
	if v.tty {
		// Bytes move the bar during a batch, files once it is answered
		// (also when it failed without sending much).
		frac := max(float64(p.FilesDone)/float64(max(p.FilesTotal, 1)), float64(p.BytesSent)/float64(max(p.BytesTotal, 1)))
		fmt.Fprintf(v.w, "\r%s %d/%d files%s  %s/%s MB  %.1f MB/s\x1b[K",
			bar(frac, 24), p.FilesDone, p.FilesTotal, failed, mb(p.BytesSent), mb(p.BytesTotal), rate)
		return
	}
	fmt.Fprintf(v.w, "%d/%d files done%s, %s/%s MB sent, %.1f MB/s\n",
		p.FilesDone, p.FilesTotal, failed, mb(p.BytesSent), mb(p.BytesTotal), rate)
}

// finish ends the bar's line.
func (v *progressView) finish() {
	if v.tty && v.drawn {
		fmt.Fprintln(v.w)
	}
}

// bar renders a fraction as [#####-----] of width cells.
func bar(frac float64, width int) string {
	n := min(max(int(frac*float64(width)), 0), width)
	return "[" + strings.Repeat("#", n) + strings.Repeat("-", width-n) + "]"
}
