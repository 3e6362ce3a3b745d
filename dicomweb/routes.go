package dicomweb

import (
	"net/http"

	"github.com/gorilla/mux"
)

// newRouter lists every DICOMweb route. UIDs in paths are checked by the
// handlers (400 for malformed ones), so the patterns accept any segment.
func (h *Handler) newRouter() http.Handler {
	root := mux.NewRouter()
	r := root.PathPrefix(h.opts.Prefix).Subrouter()
	m := h.metrics

	const (
		study    = "/studies/{study}"
		series   = study + "/series/{series}"
		instance = series + "/instances/{instance}"
	)

	// STOW-RS (PS3.18 10.5).
	r.Handle("/studies", m.instrument("stow", http.HandlerFunc(h.store))).Methods(http.MethodPost)
	r.Handle(study, m.instrument("stow", http.HandlerFunc(h.store))).Methods(http.MethodPost)

	// QIDO-RS (PS3.18 10.6).
	for _, p := range []string{"/studies", "/series", "/instances", study + "/series", study + "/instances", series + "/instances"} {
		r.Handle(p, m.instrument("qido", http.HandlerFunc(h.search))).Methods(http.MethodGet, http.MethodHead)
	}

	// WADO-RS (PS3.18 10.4).
	for _, p := range []string{study, series, instance} {
		r.Handle(p, m.instrument("wado", http.HandlerFunc(h.retrieve))).Methods(http.MethodGet, http.MethodHead)
		r.Handle(p+"/metadata", m.instrument("metadata", http.HandlerFunc(h.metadata))).Methods(http.MethodGet, http.MethodHead)
		r.Handle(p, m.instrument("delete", http.HandlerFunc(h.delete))).Methods(http.MethodDelete)
	}
	r.Handle(instance+"/bulk/{path:.+}", m.instrument("bulk", http.HandlerFunc(h.bulk))).Methods(http.MethodGet, http.MethodHead)

	root.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		fail(w, req, errorf(http.StatusNotFound, "no DICOMweb resource at %s", req.URL.Path))
	})
	root.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		fail(w, req, errorf(http.StatusMethodNotAllowed, "%s is not supported on %s", req.Method, req.URL.Path))
	})
	return root
}
