package stowclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Defaults for Options.
const (
	DefaultBatchFiles       = 50
	DefaultBatchBytes int64 = 64 << 20
	DefaultRetries          = 3
	DefaultRetryDelay       = time.Second
)

// responseTimeout is how long the default client waits for an answer once
// a batch is sent: the server may be indexing 64 MiB of instances, but a
// server silent for this long is hung.
const responseTimeout = 10 * time.Minute

// maxRetryDelay caps the backoff and a server's Retry-After.
const maxRetryDelay = 30 * time.Second

// ErrRejected is returned (wrapped) when the server answers in a way every
// further request would get too (401, 403, 404, 405, 415, a redirect, an
// HTML page: a wrong URL or token), so Store stops rather than fail every
// remaining file alike.
var ErrRejected = errors.New("stowclient: server rejected the upload")

// Options configure a Client.
type Options struct {
	// BaseURL is the DICOMweb root, e.g. http://127.0.0.1:8042/dicomweb;
	// files go to BaseURL + "/studies".
	BaseURL string
	// Token, when set, is sent as "Authorization: Bearer <Token>".
	Token string
	// HTTPClient defaults to a client with no overall timeout (a batch may
	// take minutes to send; bound it with Store's context), that waits at
	// most 10 minutes for an answer once a batch is sent and does not follow
	// redirects. A client that follows them turns the POST into a GET on
	// 301-303, which fails the batch (or, with a 200, looks like success).
	HTTPClient *http.Client
	// BatchFiles is the most files per request (default 50).
	BatchFiles int
	// BatchBytes is the most file bytes per request (default 64 MiB); a
	// larger file goes alone.
	BatchBytes int64
	// Retries is how many times a batch is resent after a network error or
	// a 5xx answer, never after a 4xx (default 3; negative for none).
	Retries int
	// RetryDelay is the first backoff, doubled for each retry (default 1s).
	// A 503's Retry-After overrides it.
	RetryDelay time.Duration
}

// Client uploads files with STOW-RS. It is safe for concurrent use.
type Client struct {
	url   string
	token string
	hc    *http.Client
	opts  Options
}

// New returns a Client; zero Options fields take their defaults.
func New(opts Options) *Client {
	if opts.BatchFiles <= 0 {
		opts.BatchFiles = DefaultBatchFiles
	}
	if opts.BatchBytes <= 0 {
		opts.BatchBytes = DefaultBatchBytes
	}
	switch {
	case opts.Retries == 0:
		opts.Retries = DefaultRetries
	case opts.Retries < 0:
		opts.Retries = 0
	}
	if opts.RetryDelay <= 0 {
		opts.RetryDelay = DefaultRetryDelay
	}
	hc := opts.HTTPClient
	if hc == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.ResponseHeaderTimeout = responseTimeout
		hc = &http.Client{Transport: tr, CheckRedirect: noRedirect}
	}
	return &Client{
		url:   strings.TrimRight(opts.BaseURL, "/") + "/studies",
		token: opts.Token,
		hc:    hc,
		opts:  opts,
	}
}

// noRedirect makes a redirect the answer: a STOW-RS body cannot be
// replayed, and the user should learn the right URL.
func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// Progress is what Store has done so far.
type Progress struct {
	FilesDone  int   // files whose batch the server has answered
	FilesTotal int   // files given to Store
	BytesSent  int64 // file bytes sent; goes back when a batch is resent
	BytesTotal int64 // total size of the files
	Stored     int
	Failed     int
}

// Summary is the outcome of Store.
type Summary struct {
	Stored int
	Failed int
	// Skipped is never set by Store: callers copy Scan's Stats.Skipped here
	// so one Summary describes a whole import.
	Skipped int
	// Bytes is the size of the files the server answered for, stored or
	// not, each counted once.
	Bytes    int64
	Failures []Failure
}

// Failure is a file the archive did not store.
type Failure struct {
	Path   string
	Reason string
}

// Store uploads files in batches of at most BatchFiles files and BatchBytes
// bytes, one POST {BaseURL}/studies each, and reports per file whether the
// server stored it. A failed batch does not stop the others: its files are
// counted as failed with the server's reason. Store returns an error only
// when it cannot go on (ctx done, or ErrRejected), with the Summary so far.
//
// progress, if not nil, is called as bytes go out and as batches complete,
// never concurrently with itself.
func (c *Client) Store(ctx context.Context, files []File, progress func(Progress)) (Summary, error) {
	var sum Summary
	pr := &progressState{fn: progress}
	pr.p.FilesTotal = len(files)
	for _, f := range files {
		pr.p.BytesTotal += f.Size
	}
	for _, b := range c.batches(files) {
		if err := ctx.Err(); err != nil {
			return sum, fmt.Errorf("stowclient: store: %w", err)
		}
		res, err := c.storeBatch(ctx, b, pr)
		sum.Stored += res.stored
		sum.Failed += len(res.failures)
		sum.Bytes += res.bytes
		sum.Failures = append(sum.Failures, res.failures...)
		pr.batchDone(len(b), res.stored, len(res.failures))
		if err != nil {
			return sum, err
		}
	}
	return sum, nil
}

// batches splits files in order into batches within the limits.
func (c *Client) batches(files []File) [][]File {
	var out [][]File
	var cur []File
	var size int64
	for _, f := range files {
		if len(cur) > 0 && (len(cur) >= c.opts.BatchFiles || size+f.Size > c.opts.BatchBytes) {
			out = append(out, cur)
			cur, size = nil, 0
		}
		cur = append(cur, f)
		size += f.Size
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// progressState serialises progress reports from the body writer and from
// Store's loop.
type progressState struct {
	mu      sync.Mutex
	fn      func(Progress)
	p       Progress
	settled int64 // bytes of answered attempts
	attempt int64 // bytes of the attempt under way
}

// sent adds n bytes to the attempt under way.
func (ps *progressState) sent(n int64) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	ps.attempt += n
	ps.p.BytesSent = ps.settled + ps.attempt
	ps.report()
}

// resend forgets the bytes of an attempt that is about to be repeated.
func (ps *progressState) resend() {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	ps.attempt = 0
	ps.p.BytesSent = ps.settled
}

// settle keeps the bytes of an attempt the server answered.
func (ps *progressState) settle() {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	ps.settled += ps.attempt
	ps.attempt = 0
}

func (ps *progressState) batchDone(files, stored, failed int) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	ps.p.FilesDone += files
	ps.p.Stored += stored
	ps.p.Failed += failed
	ps.report()
}

func (ps *progressState) report() {
	if ps.fn != nil {
		ps.fn(ps.p)
	}
}
