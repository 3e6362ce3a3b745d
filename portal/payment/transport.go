package payment

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
)

// errorTransport rewrites Razorpay's error answers before razorpay-go
// reads them. The SDK keeps no status code: it classifies an error only by
// the body's internal_error_code, so a 5xx without one would look like a
// bad request (not worth retrying), and a 4xx with BAD_REQUEST_ERROR would
// come back as an empty map and no error at all. Here every 5xx says
// SERVER_ERROR and no 4xx carries a code, so the SDK returns an error of
// the right kind with Razorpay's description.
type errorTransport struct{ next http.RoundTripper }

// maxErrorBody bounds the error bodies read.
const maxErrorBody = 64 << 10

func (t errorTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	next := t.next
	if next == nil {
		next = http.DefaultTransport
	}
	res, err := next.RoundTrip(req)
	if err != nil || res.StatusCode < 300 {
		return res, err
	}
	raw, _ := io.ReadAll(io.LimitReader(res.Body, maxErrorBody))
	res.Body.Close()
	var body struct {
		Error map[string]any `json:"error"`
	}
	if json.Unmarshal(raw, &body) != nil || body.Error == nil {
		body.Error = map[string]any{"description": "HTTP " + strconv.Itoa(res.StatusCode)}
	}
	if res.StatusCode >= 500 {
		body.Error["internal_error_code"] = "SERVER_ERROR"
	} else {
		delete(body.Error, "internal_error_code")
	}
	if d, _ := body.Error["description"].(string); d == "" {
		body.Error["description"] = "HTTP " + strconv.Itoa(res.StatusCode)
	}
	out, _ := json.Marshal(body)
	res.Body = io.NopCloser(bytes.NewReader(out))
	res.ContentLength = int64(len(out))
	res.Header.Del("Content-Length")
	return res, nil
}
