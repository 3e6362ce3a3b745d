package portal

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/pacslite/pacslite/portal/account"
	"github.com/pacslite/pacslite/portal/archive"
	"github.com/pacslite/pacslite/portal/store"
)

// studyLinkCreate lets an admin give a patient account access to a study,
// found by the patient's email or phone.
func (h *Handler) studyLinkCreate(w http.ResponseWriter, r *http.Request) {
	v := visitorOf(r)
	uid := r.PathValue("uid")
	ctx, err := h.archiveContext(r)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if _, err := h.archive.Study(ctx, uid); errors.Is(err, archive.ErrNotFound) {
		h.notFound(w, r)
		return
	} else if err != nil {
		h.serverError(w, r, err)
		return
	}
	id, _ := account.NormalizeLogin(r.PostFormValue("login"))
	u, err := h.db.UserByLogin(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && u.Role != store.RolePatient) {
		h.showStudy(w, r, http.StatusUnprocessableEntity, "No patient account has that email or phone number.")
		return
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	actor := userPrincipal(v.user, v.session).actor
	if err := h.db.LinkStudy(r.Context(), uid, u.ID, "linked", actor); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.audit(r.Context(), store.Event{Actor: actor, Role: string(v.user.Role), Action: "study.link", StudyUID: uid,
		Detail: fmt.Sprintf("user:%d", u.ID), Status: http.StatusSeeOther, Remote: h.clientAddr(r)})
	http.Redirect(w, r, "/studies/"+url.PathEscape(uid)+"?linked=1", http.StatusSeeOther)
}
