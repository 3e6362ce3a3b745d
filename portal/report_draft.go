package portal

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/pacslite/pacslite/portal/store"
)

// maxSection bounds one section of a report.
const maxSection = 20000

// draftFrom reads the report form.
func draftFrom(r *http.Request) store.Draft {
	get := func(name string) string {
		v := strings.ReplaceAll(strings.TrimSpace(r.PostFormValue(name)), "\r\n", "\n")
		if len(v) > maxSection {
			v = v[:maxSection]
		}
		return v
	}
	return store.Draft{
		ReportSections: store.ReportSections{
			ClinicalHistory: get("clinical_history"), Technique: get("technique"), Comparison: get("comparison"),
			Findings: get("findings"), Impression: get("impression"), Recommendation: get("recommendation"),
		},
		Note:     get("note"),
		Critical: r.PostFormValue("critical") != "",
	}
}

// wantsJSON reports whether the request came from the editor's script.
func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

// reportDraft saves the report being written, never signing it. The
// editor's script calls it as the radiologist types (autosave, answered
// with JSON); without the script, "Save draft" posts the form.
func (h *Handler) reportDraft(w http.ResponseWriter, r *http.Request) {
	v := visitorOf(r)
	uid := r.PathValue("uid")
	at, err := h.db.SaveDraft(r.Context(), uid, v.user.ID, draftFrom(r))
	if wantsJSON(r) {
		w.Header().Set("Content-Type", "application/json")
		status, body := http.StatusOK, map[string]string{"saved": at.Local().Format("15:04:05")}
		switch {
		case errors.Is(err, store.ErrClaimedByOther):
			status, body = http.StatusForbidden, map[string]string{"error": "Another radiologist has this study."}
		case errors.Is(err, store.ErrConflict):
			status, body = http.StatusConflict, map[string]string{"error": "The report changed: reload the page."}
		case err != nil:
			h.logger(r.Context()).Error().Err(err).Str("study_uid", uid).Msg("save draft")
			status, body = http.StatusInternalServerError, map[string]string{"error": "Not saved: try again."}
		}
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(body)
		return
	}
	if err != nil {
		h.reportError(w, r, err)
		return
	}
	h.auditReport(r, "report.draft", uid, http.StatusSeeOther, "")
	http.Redirect(w, r, "/studies/"+url.PathEscape(uid)+"/report/edit?saved=1", http.StatusSeeOther)
}
