package stowclient

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// batchResult is what became of one batch.
type batchResult struct {
	stored   int
	failures []Failure
	bytes    int64 // size of the files the server answered for
}

func (r *batchResult) add(o batchResult) {
	r.stored += o.stored
	r.failures = append(r.failures, o.failures...)
	r.bytes += o.bytes
}

// failAll records every file of batch as failed for reason.
func (r *batchResult) failAll(batch []File, reason string) {
	for _, f := range batch {
		r.failures = append(r.failures, Failure{Path: f.Path, Reason: reason})
	}
}

// storeBatch sends one batch, retrying network errors and 5xx answers,
// dropping files that cannot be read, and halving the batch on 413.
func (c *Client) storeBatch(ctx context.Context, batch []File, pr *progressState) (batchResult, error) {
	var res batchResult
	for attempt := 0; ; {
		pr.resend()
		ans, missing, err := c.send(ctx, batch, pr)
		var fe *fileError
		if errors.As(err, &fe) {
			missing = append(missing, *fe)
		}
		if len(missing) > 0 {
			// Whatever the server said, the files that were there go again
			// or are judged on their own: drop the unreadable ones.
			var drop []int
			for _, m := range missing {
				res.failures = append(res.failures, Failure{Path: batch[m.index].Path, Reason: localReason(m.err)})
				drop = append(drop, m.index)
			}
			batch = without(batch, drop)
			if len(batch) == 0 {
				return res, nil
			}
			if fe != nil {
				continue // not the server's fault: no retry used up
			}
		}
		if cerr := ctx.Err(); err != nil && cerr != nil {
			res.failAll(batch, "not sent: "+cerr.Error())
			return res, fmt.Errorf("stowclient: store: %w", cerr)
		}
		var why string
		var retryAfter time.Duration
		switch {
		case err != nil:
			why = err.Error()
			if ue := (*url.Error)(nil); errors.As(err, &ue) {
				why = ue.Err.Error() // "dial tcp ...: connection refused"
			}
		case ans.status >= 500:
			why = "server answered " + describe(ans.status, ans.body)
			retryAfter = parseRetryAfter(ans.header.Get("Retry-After"))
		default:
			pr.settle()
			r, err := c.interpret(ctx, batch, ans, pr)
			res.add(r)
			return res, err
		}
		if attempt >= c.opts.Retries {
			if attempt > 0 {
				why = fmt.Sprintf("%s (after %d retries)", why, attempt)
			}
			pr.settle()
			res.failAll(batch, why)
			return res, nil
		}
		if err := sleep(ctx, c.backoff(attempt, retryAfter)); err != nil {
			res.failAll(batch, "not sent: "+err.Error())
			return res, fmt.Errorf("stowclient: store: %w", err)
		}
		attempt++
	}
}

// interpret turns a non-5xx answer into per-file results.
func (c *Client) interpret(ctx context.Context, batch []File, ans *answer, pr *progressState) (batchResult, error) {
	var res batchResult
	var size int64
	for _, f := range batch {
		size += f.Size
	}
	if isHTML(ans.header) && ans.status < 300 {
		// A login page, a proxy's portal, a web app's index: not an archive.
		reason := "server answered " + describe(ans.status, nil) + " with an HTML page, not a STOW-RS response"
		res.bytes = size
		res.failAll(batch, reason)
		return res, fmt.Errorf("%w: %s", ErrRejected, reason)
	}
	switch ans.status {
	case http.StatusOK, http.StatusAccepted, http.StatusConflict:
		res.bytes = size
		resp, perr := parseResponse(ans.body)
		if perr != nil && ans.status == http.StatusOK {
			res.stored = len(batch) // 200 says it all; the body is a bonus
			return res, nil
		}
		if perr != nil {
			res.failAll(batch, fmt.Sprintf("server answered %s with an unreadable response: %v", describe(ans.status, nil), perr))
			return res, nil
		}
		attribute(&res, batch, resp, ans)
		return res, nil
	case http.StatusRequestEntityTooLarge:
		if len(batch) > 1 {
			half := len(batch) / 2
			first, err := c.storeBatch(ctx, batch[:half], pr)
			if err != nil {
				res.add(first)
				res.failAll(batch[half:], "not sent: "+err.Error())
				return res, err
			}
			second, err := c.storeBatch(ctx, batch[half:], pr)
			first.add(second)
			return first, err
		}
	}
	reason := "server answered " + describe(ans.status, ans.body)
	if ans.status >= 300 && ans.status < 400 {
		// Following would turn the POST into a GET (301, 302, 303) or
		// need the body again (307, 308): the user should fix the URL.
		reason = "server answered " + describe(ans.status, nil) + ", redirecting to " + ans.header.Get("Location")
	}
	res.bytes = size
	res.failAll(batch, reason)
	switch {
	case ans.status >= 300 && ans.status < 400,
		ans.status == http.StatusUnauthorized, ans.status == http.StatusForbidden, ans.status == http.StatusNotFound,
		ans.status == http.StatusMethodNotAllowed, ans.status == http.StatusUnsupportedMediaType:
		return res, fmt.Errorf("%w: %s", ErrRejected, reason)
	}
	return res, nil
}

func isHTML(h http.Header) bool {
	mt, _, _ := mime.ParseMediaType(h.Get("Content-Type"))
	return mt == "text/html"
}

// localReason describes a file's local error without repeating its path.
func localReason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Op + ": " + pe.Err.Error() // "open: permission denied"
	}
	return "read: " + err.Error()
}

// without returns batch less the files at indexes drop.
func without(batch []File, drop []int) []File {
	var out []File
	for i, f := range batch {
		if !slices.Contains(drop, i) {
			out = append(out, f)
		}
	}
	return out
}

// backoff is the wait before retry number attempt+1.
func (c *Client) backoff(attempt int, retryAfter time.Duration) time.Duration {
	if retryAfter > 0 {
		return min(retryAfter, maxRetryDelay)
	}
	d := c.opts.RetryDelay << attempt
	if d <= 0 || d > maxRetryDelay {
		d = maxRetryDelay
	}
	return d
}

// parseRetryAfter reads a Retry-After of delay seconds; HTTP dates are
// ignored (the backoff applies).
func parseRetryAfter(v string) time.Duration {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0
	}
	return time.Duration(n) * time.Second
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
