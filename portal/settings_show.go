package portal

import "net/http"

// settingsData is what the settings page shows.
type settingsData struct {
	Must    bool // the password must be changed before anything else
	Changed bool
	Errors  []string
	Billing *billingData // credit_history.go; nil for staff
}

// settingsShow is Settings: the account and the change-password form.
func (h *Handler) settingsShow(w http.ResponseWriter, r *http.Request) {
	d := settingsData{Must: visitorOf(r).user.MustChangePassword, Changed: r.URL.Query().Get("changed") != ""}
	var err error
	if d.Billing, err = h.billingFor(r.Context(), visitorOf(r).user); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "settings", "Settings", d)
}
