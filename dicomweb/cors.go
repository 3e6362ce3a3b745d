package dicomweb

import (
	"net/http"
	"slices"
)

// cors adds the CORS headers a viewer served from another origin needs, on
// every response including errors (browsers hide failed responses without
// them, which hides the reason too), and answers preflight requests.
func (h *Handler) cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		allowed := ""
		switch {
		case origin == "":
		case slices.Contains(h.opts.AllowedOrigins, "*"):
			allowed = "*"
		case slices.Contains(h.opts.AllowedOrigins, origin):
			allowed = origin
			w.Header().Add("Vary", "Origin")
		}
		if allowed != "" {
			hd := w.Header()
			hd.Set("Access-Control-Allow-Origin", allowed)
			hd.Set("Access-Control-Expose-Headers", "Warning, ETag, Content-Location, Content-Length, Content-Type, X-Request-Id, Allow")
			if allowed != "*" {
				hd.Set("Access-Control-Allow-Credentials", "true")
			}
		}
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			if allowed != "" {
				hd := w.Header()
				hd.Set("Access-Control-Allow-Methods", "GET, HEAD, POST, DELETE, OPTIONS")
				hd.Set("Access-Control-Allow-Headers", "Accept, Content-Type, Authorization, If-None-Match, Range, Cache-Control, X-Requested-With")
				hd.Set("Access-Control-Max-Age", "86400")
			}
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}
