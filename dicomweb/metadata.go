package dicomweb

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strconv"
	"strings"

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
	var out io.Writer = w
	if acceptsGzip(r) {
		hd.Set("Content-Encoding", "gzip")
		gz, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
		defer gz.Close()
		out = gz
	}
	first := true
	err = h.opts.Index.ForEachMetadata(r.Context(), scope.study, scope.series, scope.instance, func(_ index.InstanceRef, b []byte) error {
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
			// Nothing sent yet: a proper error is still possible.
			hd.Del("Content-Encoding")
			fail(w, r, err)
			return
		}
		abort(r, err, "wado: stream metadata")
	}
	io.WriteString(out, "]")
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
	marker := []byte(bulkURIMarker)
	for {
		i := bytes.Index(b, marker)
		if i < 0 {
			_, err := w.Write(b)
			return err
		}
		i += len(marker)
		if _, err := w.Write(b[:i]); err != nil {
			return err
		}
		if _, err := io.WriteString(w, base); err != nil {
			return err
		}
		b = b[i:]
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
