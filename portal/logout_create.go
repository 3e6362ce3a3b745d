package portal

import "net/http"

// logoutCreate ends the session (server-side too) and goes to the login
// page.
func (h *Handler) logoutCreate(w http.ResponseWriter, r *http.Request) {
	if err := h.endSession(w, r); err != nil {
		h.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/login?notice=bye", http.StatusSeeOther)
}
