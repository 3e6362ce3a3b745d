package portal

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/pacslite/pacslite/portal/store"
)

// studyLinkDelete takes a study away from an account.
func (h *Handler) studyLinkDelete(w http.ResponseWriter, r *http.Request) {
	v := visitorOf(r)
	uid := r.PathValue("uid")
	userID, err := strconv.ParseInt(r.PathValue("user"), 10, 64)
	if err != nil {
		h.notFound(w, r)
		return
	}
	if err := h.db.UnlinkStudy(r.Context(), uid, userID); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.audit(r.Context(), store.Event{Actor: userPrincipal(v.user, v.session).actor, Role: string(v.user.Role), Action: "study.unlink",
		StudyUID: uid, Detail: "user:" + strconv.FormatInt(userID, 10), Status: http.StatusSeeOther, Remote: h.clientAddr(r)})
	http.Redirect(w, r, "/studies/"+url.PathEscape(uid), http.StatusSeeOther)
}
