package portal

import (
	"net/http"

	"github.com/pacslite/pacslite/portal/store"
)

// shareAdminData is the admin's list of shares.
type shareAdminData struct {
	Shares []shareRow
	Active bool
	Notice string
}

// shareAdminList shows admins every share (or only the active ones), who
// made it, how often it was opened, with a revoke button.
func (h *Handler) shareAdminList(w http.ResponseWriter, r *http.Request) {
	d := shareAdminData{Active: r.URL.Query().Get("all") == ""}
	shares, err := h.db.Shares(r.Context(), store.ShareFilter{ActiveOnly: d.Active, Limit: 500})
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	now := h.now()
	for _, s := range shares {
		d.Shares = append(d.Shares, shareRow{Share: s, State: s.State(now)})
	}
	if r.URL.Query().Get("done") == "revoked" {
		d.Notice = "The share was revoked."
	}
	h.render(w, r, http.StatusOK, "admin_shares", "Shares", d)
}
