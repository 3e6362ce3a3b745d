package dicomweb

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	"github.com/pacslite/pacslite/dicomweb/dataset"
	"github.com/pacslite/pacslite/store/blob"
	"github.com/pacslite/pacslite/store/index"
)

// bulk serves the value a metadata BulkDataURI points at:
// .../instances/{i}/bulk/{tag}[/{item}/{tag}...]. Values are located by
// parsing the stored header (cheap: long values are skipped, not read) and
// then read with a ranged read, so a large value is never loaded whole.
// A single byte range (Range: bytes=a-b) is honoured for plain values.
func (h *Handler) bulk(w http.ResponseWriter, r *http.Request) {
	scope, err := uidsFrom(r)
	if err != nil {
		fail(w, r, err)
		return
	}
	path, err := parseBulkPath(mux.Vars(r)["path"])
	if err != nil {
		fail(w, r, err)
		return
	}
	refs, err := h.opts.Index.Instances(r.Context(), scope.study, scope.series, scope.instance)
	if err != nil {
		fail(w, r, err)
		return
	}
	ref := refs[0]
	f, e, err := h.locate(r.Context(), ref, path, 0)
	if err == nil && f.Deflated && e.Value == nil && e.Fragments == nil {
		// Offsets refer to the inflated stream, which cannot be read by
		// range: parse again keeping a value this long. Deflated files are
		// rare and small.
		if e.Length > 256<<20 {
			err = errorf(http.StatusNotAcceptable, "bulk data over 256 MiB in a deflated instance is available through retrieve only")
		} else {
			f, e, err = h.locate(r.Context(), ref, path, e.Length+1)
		}
	}
	if err != nil {
		fail(w, r, err)
		return
	}
	multipart := false
	for _, m := range acceptable(r) {
		if m.typ == "multipart/related" && (m.multipartType() == "" || m.multipartType() == "application/octet-stream") {
			multipart = true
			break
		}
		if m.matches("application/octet-stream") {
			break
		}
	}
	if e.Fragments != nil {
		h.sendFragments(w, r, ref, f, e)
		return
	}
	value, err := h.openValue(r.Context(), ref, f, e)
	if err != nil {
		fail(w, r, err)
		return
	}
	defer value.Close()

	start, length, partial := int64(0), e.Length, false
	if rng := r.Header.Get("Range"); rng != "" && !multipart {
		if s, n, ok := parseRange(rng, e.Length); ok {
			start, length, partial = s, n, true
		} else {
			w.Header().Set("Content-Range", "bytes */"+strconv.FormatInt(e.Length, 10))
			fail(w, r, errorf(http.StatusRequestedRangeNotSatisfiable, "range %q is outside the %d-byte value", truncate(rng, 40), e.Length))
			return
		}
	}
	if start > 0 {
		if _, err := io.CopyN(io.Discard, value, start); err != nil {
			fail(w, r, err)
			return
		}
	}
	hd := w.Header()
	hd.Set("Accept-Ranges", "bytes")
	boundary := newBoundary()
	if multipart {
		hd.Set("Content-Type", `multipart/related; type="application/octet-stream"; boundary=`+boundary)
	} else {
		hd.Set("Content-Type", "application/octet-stream")
		hd.Set("Content-Length", strconv.FormatInt(length, 10))
	}
	status := http.StatusOK
	if partial {
		hd.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, start+length-1, e.Length))
		status = http.StatusPartialContent
	}
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	if multipart {
		io.WriteString(w, partHeader(boundary, "application/octet-stream"))
	}
	if _, err := io.CopyN(w, value, length); err != nil {
		abort(r, err, "wado: send bulk data")
	}
	if multipart {
		io.WriteString(w, closingDelimiter(boundary))
	}
}

// bulkStep is one step of a bulk data path: an element, then optionally an
// item number (from 1) inside it.
type bulkStep struct {
	tag  dataset.Tag
	item int // 0 for the last step
}

func parseBulkPath(s string) ([]bulkStep, error) {
	parts := strings.Split(s, "/")
	if len(parts)%2 != 1 || len(parts) > 33 {
		return nil, errorf(http.StatusBadRequest, "bad bulk data path %q", truncate(s, 80))
	}
	var steps []bulkStep
	for i := 0; i < len(parts); i += 2 {
		t, err := dataset.ParseTag(parts[i])
		if err != nil || len(parts[i]) != 8 {
			return nil, errorf(http.StatusBadRequest, "bad tag %q in bulk data path", truncate(parts[i], 20))
		}
		st := bulkStep{tag: t}
		if i+1 < len(parts) {
			n, err := strconv.Atoi(parts[i+1])
			if err != nil || n < 1 {
				return nil, errorf(http.StatusBadRequest, "bad item number %q in bulk data path", truncate(parts[i+1], 20))
			}
			st.item = n
		}
		steps = append(steps, st)
	}
	return steps, nil
}

// locate parses the stored instance's header and finds the element.
func (h *Handler) locate(ctx context.Context, ref index.InstanceRef, path []bulkStep, inlineLimit int64) (*dataset.File, *dataset.Element, error) {
	rc, err := h.opts.Blobs.Open(ctx, ref.BlobKey)
	if err != nil {
		return nil, nil, err
	}
	defer rc.Close()
	stopAtPixels := len(path) == 1 && path[0].tag == dataset.TagPixelData
	f, err := dataset.Parse(bufio.NewReaderSize(rc, 64<<10), dataset.Options{StopAtPixelData: stopAtPixels, InlineLimit: inlineLimit})
	if err != nil {
		return nil, nil, fmt.Errorf("dicomweb: parse stored instance %s: %w", ref.BlobKey, err)
	}
	e := findPath(f.Dataset, path)
	if e == nil {
		return nil, nil, errorf(http.StatusNotFound, "the instance has no value at this bulk data path")
	}
	return f, e, nil
}

func findPath(ds *dataset.Dataset, path []bulkStep) *dataset.Element {
	for _, st := range path {
		e := ds.Find(st.tag)
		if e == nil {
			return nil
		}
		if st.item == 0 {
			return e
		}
		if st.item > len(e.Items) {
			return nil
		}
		ds = e.Items[st.item-1]
	}
	return nil
}

// openValue returns a reader of the element's value in little endian.
func (h *Handler) openValue(ctx context.Context, ref index.InstanceRef, f *dataset.File, e *dataset.Element) (io.ReadCloser, error) {
	var rc io.ReadCloser
	switch {
	case e.Value != nil:
		rc = io.NopCloser(strings.NewReader(string(e.Value)))
	case f.Deflated:
		return nil, errorf(http.StatusNotAcceptable, "bulk data of deflated instances is available through retrieve only")
	default:
		ro, ok := h.opts.Blobs.(blob.RangeOpener)
		if !ok {
			return nil, fmt.Errorf("dicomweb: blob store cannot read ranges")
		}
		var err error
		rc, err = ro.OpenRange(ctx, ref.BlobKey, e.Offset, e.Length)
		if err != nil {
			return nil, err
		}
	}
	if f.ByteOrder == binary.BigEndian {
		if size := wordSize(e.VR); size > 1 {
			return struct {
				io.Reader
				io.Closer
			}{&swapReader{r: bufio.NewReader(rc), size: size}, rc}, nil
		}
	}
	return rc, nil
}

// sendFragments answers the bulk data of encapsulated Pixel Data: one part
// per fragment (the Basic Offset Table left out), in the stored encoding.
func (h *Handler) sendFragments(w http.ResponseWriter, r *http.Request, ref index.InstanceRef, f *dataset.File, e *dataset.Element) {
	ro, ok := h.opts.Blobs.(blob.RangeOpener)
	if !ok || f.Deflated {
		fail(w, r, errorf(http.StatusNotAcceptable, "encapsulated pixel data is available through retrieve only"))
		return
	}
	boundary := newBoundary()
	w.Header().Set("Content-Type", `multipart/related; type="application/octet-stream"; boundary=`+boundary)
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	for i, frag := range e.Fragments[1:] {
		if i > 0 {
			io.WriteString(w, "\r\n")
		}
		io.WriteString(w, partHeader(boundary, "application/octet-stream; transfer-syntax="+ref.TransferSyntaxUID))
		rc, err := ro.OpenRange(r.Context(), ref.BlobKey, frag.Offset, frag.Length)
		if err != nil {
			abort(r, err, "wado: open fragment")
		}
		_, err = io.CopyN(w, rc, frag.Length)
		rc.Close()
		if err != nil {
			abort(r, err, "wado: send fragment")
		}
	}
	io.WriteString(w, closingDelimiter(boundary))
}

// parseRange understands one "bytes=a-b", "bytes=a-" or "bytes=-n" range.
func parseRange(h string, size int64) (start, length int64, ok bool) {
	spec, found := strings.CutPrefix(strings.TrimSpace(h), "bytes=")
	if !found || strings.Contains(spec, ",") {
		return 0, 0, false
	}
	a, b, _ := strings.Cut(spec, "-")
	switch {
	case a == "":
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n <= 0 {
			return 0, 0, false
		}
		n = min(n, size)
		return size - n, n, size > 0
	default:
		s, err := strconv.ParseInt(a, 10, 64)
		if err != nil || s < 0 || s >= size {
			return 0, 0, false
		}
		end := size - 1
		if b != "" {
			e, err := strconv.ParseInt(b, 10, 64)
			if err != nil || e < s {
				return 0, 0, false
			}
			end = min(e, size-1)
		}
		return s, end - s + 1, true
	}
}

func wordSize(vr string) int {
	switch vr {
	case "US", "SS", "OW":
		return 2
	case "UL", "SL", "FL", "OF", "OL", "AT":
		return 4
	case "FD", "OD", "SV", "UV", "OV":
		return 8
	}
	return 1
}

// swapReader turns big-endian words into little-endian ones.
type swapReader struct {
	r    *bufio.Reader
	size int
	buf  []byte
}

func (s *swapReader) Read(p []byte) (int, error) {
	n := len(p) - len(p)%s.size
	if n == 0 {
		n = s.size // the caller's buffer is tiny: go through our own
	}
	if cap(s.buf) < n {
		s.buf = make([]byte, n)
	}
	buf := s.buf[:n]
	m, err := io.ReadFull(s.r, buf)
	m -= m % s.size
	for i := 0; i+s.size <= m; i += s.size {
		for j, k := i, i+s.size-1; j < k; j, k = j+1, k-1 {
			buf[j], buf[k] = buf[k], buf[j]
		}
	}
	copied := copy(p, buf[:m])
	if err == io.ErrUnexpectedEOF {
		err = io.EOF
	}
	if copied < m {
		// Keep what did not fit; rare, only for tiny caller buffers.
		s.r = bufio.NewReader(io.MultiReader(strings.NewReader(string(buf[copied:m])), s.r))
		err = nil
	}
	return copied, err
}
