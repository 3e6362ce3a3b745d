package portal

import "net/http"

// signupData is what the sign-up form shows.
type signupData struct {
	Name, Email, Phone string
	Errors             []string
}

// signupShow is the patient sign-up form.
func (h *Handler) signupShow(w http.ResponseWriter, r *http.Request) {
	if h.opts.DisableSignup {
		h.notFound(w, r)
		return
	}
	if visitorOf(r).user != nil {
		http.Redirect(w, r, "/studies", http.StatusSeeOther)
		return
	}
	h.render(w, r, http.StatusOK, "signup", "Create your account", signupData{})
}
