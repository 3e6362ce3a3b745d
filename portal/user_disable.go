package portal

import (
	"fmt"
	"net/http"

	"github.com/pacslite/pacslite/portal/store"
)

// userDisable disables an account and ends its sessions; its API access
// and logins stop at once. Admins cannot disable themselves, so there is
// always one left.
func (h *Handler) userDisable(w http.ResponseWriter, r *http.Request) {
	h.setDisabled(w, r, true)
}

func (h *Handler) setDisabled(w http.ResponseWriter, r *http.Request, disabled bool) {
	v := visitorOf(r)
	u, ok := h.userFromPath(w, r)
	if !ok {
		return
	}
	if u.ID == v.user.ID {
		h.errorPage(w, r, http.StatusConflict, "Not possible", "You cannot disable your own account. Ask another administrator.")
		return
	}
	if err := h.db.SetDisabled(r.Context(), u.ID, disabled); err != nil {
		h.serverError(w, r, err)
		return
	}
	action, notice := "user.enable", "enabled"
	if disabled {
		action, notice = "user.disable", "disabled"
	}
	h.audit(r.Context(), store.Event{Actor: userPrincipal(v.user, v.session).actor, Role: string(v.user.Role), Action: action,
		Detail: fmt.Sprintf("user:%d", u.ID), Status: http.StatusSeeOther, Remote: h.clientAddr(r)})
	http.Redirect(w, r, "/admin/users?notice="+notice, http.StatusSeeOther)
}
