package dicomweb

import (
	"net/http"

	"github.com/gorilla/mux"
)

// newRouter lists every DICOMweb route. UIDs in paths are checked by the
// handlers (400 for malformed ones), so the patterns accept any segment.
func (h *Handler) newRouter() http.Handler {
	// Routes match the path as sent (still percent-encoded) and uncleaned:
	// a UID like "..%2F.." must reach the UID check and be refused, not be
	// decoded and cleaned into another resource's path (a redirected DELETE
	// could land on another study).
	r := mux.NewRouter().SkipClean(true).UseEncodedPath()
	m := h.metrics

	p := h.opts.Prefix
	var (
		studies  = p + "/studies"
		study    = p + "/studies/{study}"
		series   = study + "/series/{series}"
		instance = series + "/instances/{instance}"
	)

	// STOW-RS (PS3.18 10.5).
	r.Handle(studies, m.instrument("stow", http.HandlerFunc(h.store))).Methods(http.MethodPost)
	r.Handle(study, m.instrument("stow", http.HandlerFunc(h.store))).Methods(http.MethodPost)

	// QIDO-RS (PS3.18 10.6).
	for _, path := range []string{studies, p + "/series", p + "/instances", study + "/series", study + "/instances", series + "/instances"} {
		r.Handle(path, m.instrument("qido", http.HandlerFunc(h.search))).Methods(http.MethodGet, http.MethodHead)
	}

	// WADO-RS (PS3.18 10.4).
	for _, p := range []string{study, series, instance} {
		r.Handle(p, m.instrument("wado", http.HandlerFunc(h.retrieve))).Methods(http.MethodGet, http.MethodHead)
		r.Handle(p+"/metadata", m.instrument("metadata", http.HandlerFunc(h.metadata))).Methods(http.MethodGet, http.MethodHead)
		r.Handle(p, m.instrument("delete", http.HandlerFunc(h.delete))).Methods(http.MethodDelete)
	}
	r.Handle(instance+"/bulk/{path:.+}", m.instrument("bulk", http.HandlerFunc(h.bulk))).Methods(http.MethodGet, http.MethodHead)

	// Frames, rendered images and thumbnails (PS3.18 10.4.1.1.2-4).
	v := newViewer(h)
	r.Use(crossOriginResources)
	r.Handle(instance+"/frames/{frames}", m.instrument("frames", http.HandlerFunc(v.frames))).Methods(http.MethodGet, http.MethodHead)
	r.Handle(instance+"/frames/{frames}/rendered", m.instrument("rendered", http.HandlerFunc(v.rendered))).Methods(http.MethodGet, http.MethodHead)
	for _, p := range []string{study, series, instance} {
		r.Handle(p+"/rendered", m.instrument("rendered", http.HandlerFunc(v.rendered))).Methods(http.MethodGet, http.MethodHead)
		r.Handle(p+"/thumbnail", m.instrument("thumbnail", http.HandlerFunc(v.thumbnail))).Methods(http.MethodGet, http.MethodHead)
	}

	// Retrieve Capabilities (PS3.18 8.9): OPTIONS anywhere, and the conformance page on GET of the root.
	r.MatcherFunc(h.isCapabilitiesRequest).Handler(m.instrument("capabilities", newCapabilities(h, r)))

	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		fail(w, req, errorf(http.StatusNotFound, "no DICOMweb resource at %s", req.URL.Path))
	})
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		fail(w, req, errorf(http.StatusMethodNotAllowed, "%s is not supported on %s", req.Method, req.URL.Path))
	})
	return r
}
