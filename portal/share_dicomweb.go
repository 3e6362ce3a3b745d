package portal

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/pacslite/pacslite/portal/store"
)

// shareDICOMweb is a share's own DICOMweb root, /s/{key}/dicomweb/...:
// the archive's QIDO-RS and WADO-RS limited to the share's study,
// read-only, for the built-in viewer and for OHIF. A share with a
// password needs the browser's unlock cookie, whose path is the share's.
// URLs in the answers (RetrieveURL, BulkDataURI) are rewritten to stay
// under the share's root.
func (h *Handler) shareDICOMweb(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
		h.opts.DICOMweb.ServeHTTP(w, h.shareInner(r, r.PathValue("key"))) // CORS preflight: no credentials by design
		return
	}
	key := r.PathValue("key")
	refuse := func(status int, msg string) {
		h.refuse(w, r, &refusal{status: status, msg: msg})
	}
	s, err := h.shareByKey(r, key)
	switch {
	case errors.Is(err, errNoShare):
		refuse(http.StatusNotFound, "no such share")
		return
	case err != nil:
		h.logger(r.Context()).Error().Err(err).Msg("share dicomweb")
		refuse(http.StatusInternalServerError, "internal error; request id "+w.Header().Get("X-Request-Id"))
		return
	case s.State(h.now()) != store.ShareActive:
		refuse(http.StatusGone, "this share is "+string(s.State(h.now())))
		return
	}
	if ok, err := h.shareUnlocked(r, s); err != nil || !ok {
		refuse(http.StatusUnauthorized, "this share needs its password: open its link first")
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		refuse(http.StatusMethodNotAllowed, "a share is read-only")
		return
	}
	inner := h.shareInner(r, key)
	inner = inner.WithContext(shareContext(inner.Context(), s))
	rw := &rootRewriter{ResponseWriter: w, status: http.StatusOK,
		old: []byte(h.opts.DICOMwebPrefix + "/studies/"), new: []byte("/s/" + key + h.opts.DICOMwebPrefix + "/studies/")}
	h.opts.DICOMweb.ServeHTTP(rw, inner)
	rw.finish()
	h.audit(r.Context(), store.Event{Actor: shareActor(s), Role: "share", Action: "dicomweb." + dicomwebAction(inner),
		StudyUID: studyInPath(inner.URL.Path, h.opts.DICOMwebPrefix), Detail: r.Method + " " + inner.URL.Path,
		Status: rw.status, Remote: h.clientAddr(r)})
}

// shareInner is the archive request of a share's DICOMweb request: the
// path under the archive's root, as sent (still escaped), without the
// visitor's credentials and without compression, so URLs can be
// rewritten.
func (h *Handler) shareInner(r *http.Request, key string) *http.Request {
	esc := r.URL.EscapedPath()
	rest := ""
	if i := strings.Index(esc, "/dicomweb"); i >= 0 {
		rest = esc[i+len("/dicomweb"):]
	}
	inner := r.Clone(r.Context())
	inner.URL.RawPath = h.opts.DICOMwebPrefix + rest
	inner.URL.Path, _ = url.PathUnescape(inner.URL.RawPath)
	inner.RequestURI = ""
	for _, hd := range []string{"Authorization", "Cookie", "Accept-Encoding"} {
		inner.Header.Del(hd)
	}
	return inner
}

// rootRewriter replaces the archive's root by the share's in JSON and XML
// answers, streaming: it holds back only a tail that could start a match.
type rootRewriter struct {
	http.ResponseWriter
	old, new []byte
	status   int
	wrote    bool
	on       bool
	pending  []byte
}

func (w *rootRewriter) WriteHeader(code int) {
	if w.wrote {
		return
	}
	w.wrote, w.status = true, code
	ct := w.Header().Get("Content-Type")
	w.on = strings.Contains(ct, "json") || strings.Contains(ct, "xml")
	if w.on {
		w.Header().Del("Content-Length")
		w.Header().Del("ETag")
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *rootRewriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	if !w.on {
		return w.ResponseWriter.Write(p)
	}
	buf := append(w.pending, p...)
	var out bytes.Buffer
	for {
		i := bytes.Index(buf, w.old)
		if i < 0 {
			break
		}
		out.Write(buf[:i])
		out.Write(w.new)
		buf = buf[i+len(w.old):]
	}
	keep := min(len(buf), len(w.old)-1)
	out.Write(buf[:len(buf)-keep])
	w.pending = append([]byte(nil), buf[len(buf)-keep:]...)
	if _, err := w.ResponseWriter.Write(out.Bytes()); err != nil {
		return 0, err
	}
	return len(p), nil
}

// finish writes what was held back.
func (w *rootRewriter) finish() {
	if len(w.pending) > 0 {
		w.ResponseWriter.Write(w.pending)
		w.pending = nil
	}
}

func (w *rootRewriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
