package archive

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/pacslite/pacslite/dicomweb/dicomjson"
)

// pageSize is how many instances one QIDO-RS request asks for: the
// archive's smallest allowed cap on results.
const pageSize = 1000

// FirstInstance returns the attributes of one instance of a study, with
// the attributes named in includefield (comma-separated tags) read from
// that instance, whatever their level: what the portal needs to match a
// study to a patient.
func (c *Client) FirstInstance(ctx context.Context, studyUID, includefield string) (dicomjson.Object, error) {
	objs, err := c.search(ctx, "/studies/"+url.PathEscape(studyUID)+"/instances",
		url.Values{"limit": {"1"}, "includefield": {includefield}})
	if err != nil {
		return dicomjson.Object{}, err
	}
	if len(objs) == 0 {
		return dicomjson.Object{}, ErrNotFound
	}
	return objs[0], nil
}

// StudyObject returns the study-level attributes of a study as the
// archive answers them (Study ID and other attributes Study lacks).
func (c *Client) StudyObject(ctx context.Context, uid string) (dicomjson.Object, error) {
	objs, err := c.search(ctx, "/studies", url.Values{"StudyInstanceUID": {uid}, "includefield": {studyFields}})
	if err != nil {
		return dicomjson.Object{}, err
	}
	for _, o := range objs {
		if o.String(tagStudyUID) == uid {
			return o, nil
		}
	}
	return dicomjson.Object{}, ErrNotFound
}

// AllInstances returns every instance of a series in instance number
// order, paging past the archive's cap on search results.
func (c *Client) AllInstances(ctx context.Context, studyUID, seriesUID string) ([]Instance, error) {
	var out []Instance
	for offset := 0; ; offset += pageSize {
		objs, err := c.search(ctx, "/studies/"+url.PathEscape(studyUID)+"/series/"+url.PathEscape(seriesUID)+"/instances",
			url.Values{"includefield": {"00200013,00280008"}, "limit": {strconv.Itoa(pageSize)}, "offset": {strconv.Itoa(offset)}})
		if err != nil && !(errors.Is(err, ErrNotFound) && offset > 0) {
			return nil, err
		}
		for _, o := range objs {
			out = append(out, instanceFrom(o))
		}
		if len(objs) < pageSize {
			break
		}
	}
	slices.SortStableFunc(out, func(a, b Instance) int { return cmp.Compare(a.Number, b.Number) })
	return out, nil
}

// InstanceMetadata returns one instance's attributes (WADO-RS metadata;
// large binary values are BulkDataURIs, not read). ErrNotFound when the
// instance is absent or not the caller's.
func (c *Client) InstanceMetadata(ctx context.Context, studyUID, seriesUID, sopUID string) (dicomjson.Object, error) {
	objs, err := c.search(ctx, "/studies/"+url.PathEscape(studyUID)+"/series/"+url.PathEscape(seriesUID)+
		"/instances/"+url.PathEscape(sopUID)+"/metadata", nil)
	if err != nil {
		return dicomjson.Object{}, err
	}
	if len(objs) != 1 {
		return dicomjson.Object{}, ErrNotFound
	}
	return objs[0], nil
}

// Retrieve streams one instance as stored (WADO-RS, transfer-syntax=*).
// open is called with the instance's transfer syntax once the archive
// answers, and returns where the bytes go. ErrNotFound when the instance
// is absent or not the caller's.
func (c *Client) Retrieve(ctx context.Context, studyUID, seriesUID, sopUID string, open func(syntax string) (io.Writer, error)) error {
	u := c.prefix + "/studies/" + url.PathEscape(studyUID) + "/series/" + url.PathEscape(seriesUID) + "/instances/" + url.PathEscape(sopUID)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	req.RemoteAddr = "127.0.0.1:0"
	req.Header.Set("Accept", "application/dicom; transfer-syntax=*")
	w := &streamWriter{header: http.Header{}, open: open}
	c.h.ServeHTTP(w, req)
	switch {
	case w.status == http.StatusNotFound:
		return ErrNotFound
	case w.status != http.StatusOK:
		return fmt.Errorf("archive: retrieve answered %d", w.status)
	}
	return w.err
}

// Delete removes a study from the archive (index and blobs) with the
// access in ctx.
func (c *Client) Delete(ctx context.Context, studyUID string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, c.prefix+"/studies/"+url.PathEscape(studyUID), nil)
	if err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	req.RemoteAddr = "127.0.0.1:0"
	w := &recorder{header: http.Header{}}
	c.h.ServeHTTP(w, req)
	switch {
	case w.status == http.StatusNotFound:
		return ErrNotFound
	case w.status >= 300:
		return fmt.Errorf("archive: delete answered %d", w.status)
	}
	return nil
}

// streamWriter passes a 200 response's body to the writer open returns.
type streamWriter struct {
	header http.Header
	status int
	open   func(syntax string) (io.Writer, error)
	w      io.Writer
	err    error
}

func (s *streamWriter) Header() http.Header { return s.header }

func (s *streamWriter) WriteHeader(code int) {
	if s.status != 0 {
		return
	}
	s.status = code
	if code != http.StatusOK {
		return
	}
	_, params, err := mime.ParseMediaType(s.header.Get("Content-Type"))
	if err != nil || params["transfer-syntax"] == "" {
		s.err = fmt.Errorf("archive: retrieve answered without a transfer syntax")
		return
	}
	s.w, s.err = s.open(params["transfer-syntax"])
}

func (s *streamWriter) Write(p []byte) (int, error) {
	s.WriteHeader(http.StatusOK)
	if s.status != http.StatusOK {
		return len(p), nil
	}
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.w.Write(p)
	if err != nil {
		s.err = err
	}
	return n, err
}
