package portal

import (
	"net/http"
	"net/url"
)

// reportClaim gives a study to the radiologist so that nobody else
// reports it, and opens the editor.
func (h *Handler) reportClaim(w http.ResponseWriter, r *http.Request) {
	v := visitorOf(r)
	rc, ok := h.loadReport(w, r, "report.claim")
	if !ok {
		return
	}
	uid := rc.study.UID
	if err := h.db.ClaimReport(r.Context(), uid, v.user.ID); err != nil {
		h.auditReport(r, "report.claim", uid, http.StatusConflict, "")
		h.reportError(w, r, err)
		return
	}
	h.auditReport(r, "report.claim", uid, http.StatusSeeOther, "")
	http.Redirect(w, r, "/studies/"+url.PathEscape(uid)+"/report/edit", http.StatusSeeOther)
}

// reportUnclaim gives an unsigned report back to the worklist (its draft
// stays for whoever claims it next). Admins may take a study from anyone.
func (h *Handler) reportUnclaim(w http.ResponseWriter, r *http.Request) {
	v := visitorOf(r)
	rc, ok := h.loadReport(w, r, "report.unclaim")
	if !ok {
		return
	}
	uid := rc.study.UID
	if err := h.db.ReleaseClaim(r.Context(), uid, v.user.ID, v.user.Role == "admin"); err != nil {
		h.reportError(w, r, err)
		return
	}
	h.auditReport(r, "report.unclaim", uid, http.StatusSeeOther, "")
	http.Redirect(w, r, "/worklist", http.StatusSeeOther)
}
