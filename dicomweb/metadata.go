package dicomweb

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/klauspost/compress/gzip"

	"github.com/pacslite/pacslite/dicomweb/dicomjson"
	"github.com/pacslite/pacslite/store/index"
)

// metadata is WADO-RS metadata of a study, series or instance: the JSON
// computed at store time, streamed from the index with bulk data URIs made
// absolute, gzip-compressed when the client accepts it, with an ETag.
func (h *Handler) metadata(w http.ResponseWriter, r *http.Request) {
	scope, err := uidsFrom(r)
	if err != nil {
		fail(w, r, err)
		return
	}
	format, err := negotiateMetadata(r)
	if err != nil {
		fail(w, r, err)
		return
	}
	version, err := h.opts.Index.MetadataVersion(r.Context(), scope.study, scope.series, scope.instance)
	if err != nil {
		fail(w, r, err)
		return
	}
	base := h.baseURL(r)
	sum := sha256.Sum256([]byte(version + "\x00" + base + "\x00" + strconv.Itoa(int(format))))
	etag := `"` + hex.EncodeToString(sum[:12]) + `"`
	hd := w.Header()
	hd.Set("ETag", etag)
	hd.Set("Cache-Control", "private, no-cache")
	hd.Add("Vary", "Accept, Accept-Encoding")
	if etagMatches(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}

	if format != formatJSON {
		h.metadataXML(w, r, scope, base)
		return
	}
	hd.Set("Content-Type", "application/dicom+json")
	if r.Method == http.MethodHead {
		w.WriteHeader(http.StatusOK)
		return
	}
	if !acceptsGzip(r) {
		// Buffered: the pieces writeAbsolute writes are mostly larger than
		// net/http's 4 KB buffer, and each would become a chunk and a
		// system call of its own.
		bw := bufio.NewWriterSize(w, 64<<10)
		if err := h.writeMetadata(r, bw, scope, base); err != nil {
			fail(w, r, err)
			return
		}
		bw.Flush()
		return
	}
	hd.Set("Content-Encoding", "gzip")
	key := metadataCacheKey(scope, etag)
	if body := h.metadataBodies.get(key); body != nil {
		hd.Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body)
		return
	}
	// Compressed as it streams, and kept for the next request.
	// The compressor writes a few hundred bytes at a time: buffered, the
	// capture and the response writers see 32 KB writes.
	c := &capture{w: w, limit: metadataBodyCacheSize / 4}
	bw := bufio.NewWriterSize(c, 32<<10)
	gz := gzipWriters.Get().(*gzip.Writer)
	defer func() {
		gz.Reset(io.Discard) // not to keep this response's writers alive in the pool
		gzipWriters.Put(gz)
	}()
	gz.Reset(bw)
	if err := h.writeMetadata(r, gz, scope, base); err != nil {
		// Nothing sent yet (writeMetadata fails only before its first
		// write): a proper error is still possible.
		hd.Del("Content-Encoding")
		fail(w, r, err)
		return
	}
	if err := gz.Close(); err == nil && bw.Flush() == nil && !c.over {
		h.metadataBodies.put(key, c.buf.Bytes())
	}
}

// metadataCacheKey identifies a gzipped metadata body: the ETag covers the
// index version, base URL and format, but not the scope (a one-series
// study has the same version for the study and the series). The cache is
// the Handler's, so one index's bodies never answer for another's.
func metadataCacheKey(scope pathUIDs, etag string) string {
	return fmt.Sprintf("%s/%s/%s/%s", scope.study, scope.series, scope.instance, etag)
}

// writeMetadata writes the DICOM JSON array of the scope's instances to
// out. It returns an error only when nothing has been written yet; a
// failure later cuts the connection (abort).
func (h *Handler) writeMetadata(r *http.Request, out io.Writer, scope pathUIDs, base string) error {
	first := true
	err := h.opts.Index.ForEachMetadata(r.Context(), scope.study, scope.series, scope.instance, func(_ index.InstanceRef, b []byte) error {
		sep := ","
		if first {
			sep, first = "[", false
		}
		if _, err := io.WriteString(out, sep); err != nil {
			return err
		}
		return writeAbsolute(out, b, base)
	})
	if err != nil {
		if first {
			return err
		}
		abort(r, err, "wado: stream metadata")
	}
	io.WriteString(out, "]") // a failure here is the client gone, seen by the caller
	return nil
}

// metadataXML answers metadata as multipart/related; type=application/dicom+xml.
func (h *Handler) metadataXML(w http.ResponseWriter, r *http.Request, scope pathUIDs, base string) {
	var objs []dicomjson.Object
	err := h.opts.Index.ForEachMetadata(r.Context(), scope.study, scope.series, scope.instance, func(_ index.InstanceRef, b []byte) error {
		var buf bytes.Buffer
		if err := writeAbsolute(&buf, b, base); err != nil {
			return err
		}
		var o dicomjson.Object
		if err := o.UnmarshalJSON(buf.Bytes()); err != nil {
			return err
		}
		objs = append(objs, o)
		return nil
	})
	if err != nil {
		fail(w, r, err)
		return
	}
	h.writeObjects(w, r, formatMultipartXML, http.StatusOK, objs, false)
}

// negotiateMetadata picks the metadata encoding.
func negotiateMetadata(r *http.Request) (responseFormat, error) {
	for _, m := range acceptable(r) {
		switch {
		case m.matches("application/dicom+json"), m.matches("application/json"):
			return formatJSON, nil
		case m.typ == "multipart/related" && m.multipartType() == "application/dicom+xml":
			return formatMultipartXML, nil
		case m.typ == "application/dicom+xml":
			return formatMultipartXML, nil
		}
	}
	return 0, errorf(http.StatusNotAcceptable, `metadata is available as application/dicom+json or multipart/related; type="application/dicom+xml"`)
}

// writeAbsolute writes stored metadata with every BulkDataURI prefixed by
// the base URL. Stored URIs start with "/studies/"; the marker cannot occur
// inside a JSON string value because quotes there are escaped.
func writeAbsolute(w io.Writer, b []byte, base string) error {
	// The search is for the marker's tail: bytes.Index finds a first byte
	// that is rare in JSON ('k') with a vectorised byte scan, while the
	// marker's leading quote, found everywhere, made it fall back to a
	// much slower comparison at every position (16% of serving time).
	head, tail := []byte(bulkURIMarker[:4]), []byte(bulkURIMarker[4:])
	from := 0
	for {
		i := bytes.Index(b[from:], tail)
		if i < 0 {
			_, err := w.Write(b)
			return err
		}
		i += from
		if i < len(head) || !bytes.Equal(b[i-len(head):i], head) {
			from = i + 1
			continue
		}
		i += len(tail)
		if _, err := w.Write(b[:i]); err != nil {
			return err
		}
		if _, err := io.WriteString(w, base); err != nil {
			return err
		}
		b, from = b[i:], 0
	}
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") && strings.ReplaceAll(params, " ", "") != "q=0" {
			return true
		}
	}
	return false
}

func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}
