package portal

import "net/http"

// newRouter lists every portal route. Each page action lives in a file
// named after it (noun_verb.go).
func (h *Handler) newRouter() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /static/{name...}", h.static)

	pages := http.NewServeMux()
	pages.HandleFunc("GET /{$}", h.homeShow)
	pages.HandleFunc("GET /login", h.loginShow)
	pages.HandleFunc("POST /login", h.loginCreate)
	pages.HandleFunc("POST /logout", h.logoutCreate)
	pages.HandleFunc("GET /signup", h.signupShow)
	pages.HandleFunc("POST /signup", h.signupCreate)

	pages.HandleFunc("GET /studies", h.loggedIn(h.studyList))
	pages.HandleFunc("GET /studies/{uid}", h.loggedIn(h.studyShow))
	pages.HandleFunc("GET /studies/{uid}/viewer", h.loggedIn(h.viewerShow))
	pages.HandleFunc("POST /studies/{uid}/links", h.adminOnly(h.studyLinkCreate))
	pages.HandleFunc("POST /studies/{uid}/links/{user}/delete", h.adminOnly(h.studyLinkDelete))

	pages.HandleFunc("GET /settings", h.loggedIn(h.settingsShow))
	pages.HandleFunc("POST /settings/password", h.loggedIn(h.passwordUpdate))
	pages.HandleFunc("GET /support", h.supportShow)
	pages.HandleFunc("POST /support", h.supportCreate)

	pages.HandleFunc("GET /admin", h.adminOnly(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
	}))
	pages.HandleFunc("GET /admin/users", h.adminOnly(h.userList))
	pages.HandleFunc("GET /admin/users/new", h.adminOnly(h.userNew))
	pages.HandleFunc("POST /admin/users", h.adminOnly(h.userCreate))
	pages.HandleFunc("POST /admin/users/{id}/password", h.adminOnly(h.userPasswordReset))
	pages.HandleFunc("POST /admin/users/{id}/disable", h.adminOnly(h.userDisable))
	pages.HandleFunc("POST /admin/users/{id}/enable", h.adminOnly(h.userEnable))
	pages.HandleFunc("GET /admin/support", h.adminOnly(h.supportList))
	pages.HandleFunc("GET /admin/tokens", h.adminOnly(h.tokenList))
	pages.HandleFunc("POST /admin/tokens", h.adminOnly(h.tokenCreate))
	pages.HandleFunc("POST /admin/tokens/{id}/revoke", h.adminOnly(h.tokenRevoke))

	pages.HandleFunc("/", h.notFound)
	mux.Handle("/", h.withSession(pages))
	return mux
}

// homeShow sends visitors to their studies, or to the login page.
func (h *Handler) homeShow(w http.ResponseWriter, r *http.Request) {
	if visitorOf(r).user == nil {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/studies", http.StatusSeeOther)
}
