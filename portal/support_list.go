package portal

import (
	"net/http"

	"github.com/pacslite/pacslite/portal/store"
)

// supportList shows admins the call-back requests, newest first.
func (h *Handler) supportList(w http.ResponseWriter, r *http.Request) {
	reqs, err := h.db.SupportRequests(r.Context(), 200, 0)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "admin_support", "Support requests", struct{ Requests []store.SupportRequest }{reqs})
}
