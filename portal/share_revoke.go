package portal

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/pacslite/pacslite/portal/store"
)

// shareRevoke ends a share at once. Owners revoke their own shares,
// admins any.
func (h *Handler) shareRevoke(w http.ResponseWriter, r *http.Request) {
	v := visitorOf(r)
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	s, err := h.db.ShareByID(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && s.OwnerID != v.user.ID && v.user.Role != store.RoleAdmin) ||
		(err == nil && r.PathValue("uid") != "" && r.PathValue("uid") != s.StudyUID) {
		h.notFound(w, r)
		return
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	err = h.db.RevokeShare(r.Context(), s.ID, userPrincipal(v.user, v.session).actor)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		h.serverError(w, r, err)
		return
	}
	if err == nil {
		h.auditUser(r, "share.revoke", s.StudyUID, shareActor(s), http.StatusOK)
	}
	if r.PathValue("uid") == "" {
		http.Redirect(w, r, "/admin/shares?done=revoked", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/studies/"+url.PathEscape(s.StudyUID)+"/share?done=revoked", http.StatusSeeOther)
}
