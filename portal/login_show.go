package portal

import "net/http"

// loginData is what the login page shows.
type loginData struct {
	Login  string
	Next   string
	Error  string
	Notice string
	Signup bool
}

// loginShow is the login page.
func (h *Handler) loginShow(w http.ResponseWriter, r *http.Request) {
	if visitorOf(r).user != nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	d := loginData{Next: r.URL.Query().Get("next"), Signup: !h.opts.DisableSignup}
	switch r.URL.Query().Get("notice") {
	case "bye":
		d.Notice = "You have logged out."
	case "password":
		d.Notice = "Your password was changed. Log in with the new one."
	}
	h.render(w, r, http.StatusOK, "login", "Log in", d)
}
