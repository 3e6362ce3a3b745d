// Package archive is how the portal reads the archive: DICOMweb QIDO-RS
// requests served in process by the archive's own handler, with the
// caller's dicomweb.Access in the context. It is the same code path as an
// external client's, so the portal can never show what the DICOMweb rules
// would hide, and it never touches the index or the blob store.
package archive

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/pacslite/pacslite/dicomweb/dicomjson"
)

// ErrNotFound is returned for a study or series the caller may not see or
// that does not exist (the archive does not tell the two apart).
var ErrNotFound = errors.New("archive: not found")

// maxResponse bounds an in-process response: search results only.
const maxResponse = 32 << 20

// Client sends requests to a DICOMweb handler in process.
type Client struct {
	h      http.Handler
	prefix string
}

// New returns a client of the handler mounted at prefix (e.g. "/dicomweb").
func New(h http.Handler, prefix string) *Client {
	return &Client{h: h, prefix: "/" + strings.Trim(prefix, "/")}
}

// search runs one QIDO-RS request and decodes the result.
func (c *Client) search(ctx context.Context, path string, q url.Values) ([]dicomjson.Object, error) {
	u := c.prefix + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	req.Host = "portal.invalid" // only shows in RetrieveURLs, which the portal ignores
	req.RemoteAddr = "127.0.0.1:0"
	req.Header.Set("Accept", "application/dicom+json")
	w := &recorder{header: http.Header{}}
	c.h.ServeHTTP(w, req)
	switch {
	case w.status == http.StatusNotFound:
		return nil, ErrNotFound
	case w.status != http.StatusOK:
		return nil, fmt.Errorf("archive: %s answered %d", path, w.status)
	case w.overflow:
		return nil, fmt.Errorf("archive: %s answered more than %d bytes", path, maxResponse)
	}
	objs, err := dicomjson.DecodeArray(bytes.NewReader(w.body.Bytes()))
	if err != nil {
		return nil, fmt.Errorf("archive: %s: %w", path, err)
	}
	return objs, nil
}

// recorder is the response writer of an in-process request.
type recorder struct {
	header   http.Header
	status   int
	body     bytes.Buffer
	overflow bool
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}

func (r *recorder) Write(p []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	if r.body.Len()+len(p) > maxResponse {
		r.overflow = true
		return 0, errors.New("archive: response too large")
	}
	return r.body.Write(p)
}
