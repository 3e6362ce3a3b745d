package portal

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/pacslite/pacslite/portal/store"
)

// memberSwitch makes the session look at one member's studies (on the
// dashboard, the study pages and DICOMweb), or at everyone's with 0.
func (h *Handler) memberSwitch(w http.ResponseWriter, r *http.Request) {
	v := visitorOf(r)
	id, _ := strconv.ParseInt(r.PostFormValue("member"), 10, 64)
	if id != 0 {
		if _, err := h.db.Member(r.Context(), v.user.ID, id); errors.Is(err, store.ErrNotFound) {
			h.notFound(w, r)
			return
		} else if err != nil {
			h.serverError(w, r, err)
			return
		}
	}
	if err := h.db.SelectMember(r.Context(), v.session.IDHash, id); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.auditUser(r, "member.switch", "", fmt.Sprintf("member:%d", id), http.StatusOK)
	http.Redirect(w, r, "/studies", http.StatusSeeOther)
}

// sessionHash is a session's key, or "" without one.
func sessionHash(s *store.Session) string {
	if s == nil {
		return ""
	}
	return s.IDHash
}

// memberViewing names the member a session looks at, for the header; ""
// when it looks at everyone's studies.
func (h *Handler) memberViewing(r *http.Request) string {
	v := visitorOf(r)
	if v.user == nil || v.user.Role != store.RolePatient {
		return ""
	}
	m, err := h.db.SelectedMember(r.Context(), v.session.IDHash)
	if err != nil || m.HolderID != v.user.ID {
		return ""
	}
	if m.Relationship == store.RelSelf {
		return "Me"
	}
	return m.Name
}
