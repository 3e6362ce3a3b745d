package portal

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/pacslite/pacslite/portal/store"
)

// maxFormBody bounds what a portal form may post.
const maxFormBody = 1 << 20

// pageHeaders are set on every portal response: pages carry health data,
// so nothing is cached or framed, and scripts come only from this site.
func pageHeaders(w http.ResponseWriter) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "+
		"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "same-origin")
	hd.Set("X-Frame-Options", "DENY")
}

// withSession loads the visitor, checks the CSRF token of every unsafe
// request, and keeps an account that must change its password on the
// settings page.
func (h *Handler) withSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pageHeaders(w)
		w.Header().Set("Cache-Control", "no-store")
		v, err := h.sessionFrom(r)
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		r = r.WithContext(withVisitor(r.Context(), v))
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
			if err := h.xorigins.Check(r); err != nil || !h.validCSRF(r) {
				h.errorPage(w, r, http.StatusForbidden, "This form has expired",
					"For your security, forms stop working after a while or when sent from another site. Go back, reload the page and try again.")
				return
			}
		}
		if v.user != nil && v.user.MustChangePassword && !allowedBeforePasswordChange(r.URL.Path) {
			http.Redirect(w, r, "/settings?must=1", http.StatusSeeOther)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func allowedBeforePasswordChange(path string) bool {
	switch path {
	case "/settings", "/settings/password", "/logout", "/support":
		return true
	}
	return false
}

// loggedIn lets only logged-in visitors through; others go to the login
// page, which brings them back.
func (h *Handler) loggedIn(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if visitorOf(r).user == nil {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			h.errorPage(w, r, http.StatusUnauthorized, "Please log in", "Your session has ended. Log in and try again.")
			return
		}
		next(w, r)
	}
}

// adminOnly lets only admins through.
func (h *Handler) adminOnly(next http.HandlerFunc) http.HandlerFunc {
	return h.loggedIn(func(w http.ResponseWriter, r *http.Request) {
		if visitorOf(r).user.Role != store.RoleAdmin {
			h.errorPage(w, r, http.StatusForbidden, "Not allowed", "This page is for administrators.")
			return
		}
		next(w, r)
	})
}

// safeNext returns a local path to go to after login, or "/studies".
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") || strings.ContainsAny(next, "\r\n") {
		return "/studies"
	}
	return next
}
