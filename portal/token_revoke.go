package portal

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/pacslite/pacslite/portal/store"
)

// tokenRevoke revokes an API client's token.
func (h *Handler) tokenRevoke(w http.ResponseWriter, r *http.Request) {
	v := visitorOf(r)
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.notFound(w, r)
		return
	}
	err = h.db.RevokeClient(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		h.notFound(w, r)
		return
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.audit(r.Context(), store.Event{Actor: userPrincipal(v.user, v.session).actor, Role: string(v.user.Role), Action: "token.revoke",
		Detail: "client:" + strconv.FormatInt(id, 10), Status: http.StatusSeeOther, Remote: h.clientAddr(r)})
	http.Redirect(w, r, "/admin/tokens?notice=revoked", http.StatusSeeOther)
}
