package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync/atomic"
	"time"
)

// newHTTPClient returns the load generator's client: keep-alive connections
// reused across requests (enough idle ones for every worker), bodies read
// as they come (no transparent decompression: a gzip body is timed as sent).
func newHTTPClient() *http.Client {
	return &http.Client{Transport: &http.Transport{
		MaxIdleConns:          64,
		MaxIdleConnsPerHost:   64,
		IdleConnTimeout:       90 * time.Second,
		DisableCompression:    true,
		ResponseHeaderTimeout: 10 * time.Minute,
	}}
}

// response is one timed GET.
type response struct {
	status int
	header http.Header
	bytes  int64
	dur    time.Duration // to the last byte of the body
	body   []byte        // only when kept
}

// get makes one GET with the given headers and reads the body to the end,
// keeping it when keep is true.
// freshHost, as a key of get's headers, sends the request with a Host
// never used before (and no such header).
const freshHost = "X-Bench-Fresh-Host"

var freshHosts atomic.Int64

func get(ctx context.Context, hc *http.Client, url string, hdr map[string]string, keep bool) (response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return response{}, err
	}
	for k, v := range hdr {
		if k == freshHost {
			// A Host of its own per request: servers that cache
			// responses by the URLs inside them must do the whole work.
			req.Host = fmt.Sprintf("c%d.localhost:%s", freshHosts.Add(1), req.URL.Port())
			continue
		}
		req.Header.Set(k, v)
	}
	start := time.Now()
	resp, err := hc.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	r := response{status: resp.StatusCode, header: resp.Header}
	if keep {
		r.body, err = io.ReadAll(resp.Body)
		r.bytes = int64(len(r.body))
	} else {
		r.bytes, err = io.Copy(io.Discard, resp.Body)
	}
	r.dur = time.Since(start)
	if err != nil {
		return r, fmt.Errorf("GET %s: read body: %w", url, err)
	}
	return r, nil
}

// jsonArrayLen decodes a JSON array body (gunzipping it when the response
// says so) and returns its length.
func jsonArrayLen(r response) (int, error) {
	body := r.body
	if r.header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return 0, err
		}
		if body, err = io.ReadAll(zr); err != nil {
			return 0, err
		}
	}
	var arr []json.RawMessage
	if err := json.Unmarshal(body, &arr); err != nil {
		return 0, fmt.Errorf("not a JSON array: %w (%.100q)", err, body)
	}
	return len(arr), nil
}

// percentiles returns the nearest-rank p50, p95 and p99 in milliseconds.
func percentiles(ds []time.Duration) []float64 {
	if len(ds) == 0 {
		return nil
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	at := func(p float64) float64 {
		i := int(p*float64(len(s))+0.999999) - 1
		return float64(s[min(max(i, 0), len(s)-1)].Microseconds()) / 1000
	}
	return []float64{at(0.50), at(0.95), at(0.99)}
}

// median of xs (the mean of the middle two for an even count).
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
