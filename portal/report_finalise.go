package portal

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/pacslite/pacslite/portal/store"
)

// checkDraft lists what a version lacks before it may be signed.
func checkDraft(kind string, d store.Draft) []string {
	var problems []string
	if kind == store.VersionAddendum {
		if d.Note == "" {
			problems = append(problems, "Write the addendum before signing it.")
		}
		return problems
	}
	if d.Findings == "" {
		problems = append(problems, "Findings are required.")
	}
	if d.Impression == "" {
		problems = append(problems, "An impression is required.")
	}
	if kind == store.VersionAmendment && d.Note == "" {
		problems = append(problems, "Say why the report is amended.")
	}
	return problems
}

// reportFinalise signs the report (or its addendum or amendment) with the
// radiologist's name and the time: the study becomes Reported, the signed
// PDF is kept, critical findings are announced, and the report is
// published to the archive and the patient at its release time.
func (h *Handler) reportFinalise(w http.ResponseWriter, r *http.Request) {
	v := visitorOf(r)
	rc, ok := h.loadReport(w, r, "report.finalise")
	if !ok {
		return
	}
	uid := rc.study.UID
	d := draftFrom(r)
	version, kind, err := h.db.NextVersion(r.Context(), uid, v.user.ID)
	if err != nil {
		h.auditReport(r, "report.finalise", uid, http.StatusForbidden, "")
		h.reportError(w, r, err)
		return
	}
	if problems := checkDraft(kind, d); len(problems) > 0 {
		// Keep what was written, then show the editor with the problems.
		if _, err := h.db.SaveDraft(r.Context(), uid, v.user.ID, d); err != nil {
			h.reportError(w, r, err)
			return
		}
		h.showEditor(w, r, rc, http.StatusUnprocessableEntity, problems)
		return
	}
	versions, err := h.db.ReportVersions(r.Context(), uid)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	now := h.now()
	signer := v.user.Name
	if signer == "" {
		signer = v.user.Email
	}
	next := store.ReportVersion{StudyUID: uid, Version: version, Kind: kind, ReportSections: d.ReportSections, Note: d.Note,
		Critical: d.Critical, SignedBy: signer, SignedAt: now}
	pdf, err := h.renderReportPDF(rc.study, signing(versions, next))
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	delay, err := h.releaseDelayFor(r.Context(), uid)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	err = h.db.FinaliseReport(r.Context(), uid, v.user.ID, store.Signature{Version: version, Draft: d, SignedBy: signer,
		SignedAt: now, ReleaseAt: releaseTime(rc.study, rc.rec, now, delay), PDF: pdf})
	if err != nil {
		h.auditReport(r, "report.finalise", uid, http.StatusConflict, "")
		h.reportError(w, r, err)
		return
	}
	h.auditReport(r, "report.finalise", uid, http.StatusSeeOther, kind+" version "+strconv.Itoa(version))
	ctx := context.WithoutCancel(r.Context())
	if d.Critical {
		if err := h.tellCritical(ctx, rc.study, signer, version); err != nil {
			h.logger(ctx).Error().Err(err).Str("study_uid", uid).Msg("announce critical finding")
		}
	}
	if _, err := h.ReleaseReports(ctx); err != nil {
		h.logger(ctx).Error().Err(err).Msg("release reports")
	}
	if err := h.DeliverNotifications(ctx); err != nil {
		h.logger(ctx).Error().Err(err).Msg("deliver notifications")
	}
	http.Redirect(w, r, "/studies/"+url.PathEscape(uid)+"/report?signed=1", http.StatusSeeOther)
}

// reportRevise opens an addendum or an amendment of a signed report.
func (h *Handler) reportRevise(w http.ResponseWriter, r *http.Request) {
	v := visitorOf(r)
	rc, ok := h.loadReport(w, r, "report.revise")
	if !ok {
		return
	}
	kind := r.PostFormValue("kind")
	if kind != store.VersionAddendum && kind != store.VersionAmendment {
		h.errorPage(w, r, http.StatusBadRequest, "Choose addendum or amendment", "Go back and pick what to write.")
		return
	}
	if _, err := h.db.StartRevision(r.Context(), rc.study.UID, v.user.ID, kind); err != nil {
		h.reportError(w, r, err)
		return
	}
	h.auditReport(r, "report.revise", rc.study.UID, http.StatusSeeOther, kind)
	http.Redirect(w, r, "/studies/"+url.PathEscape(rc.study.UID)+"/report/edit", http.StatusSeeOther)
}

// reportDiscard drops the radiologist's unsigned addendum or amendment.
func (h *Handler) reportDiscard(w http.ResponseWriter, r *http.Request) {
	v := visitorOf(r)
	uid := r.PathValue("uid")
	if err := h.db.DiscardRevision(r.Context(), uid, v.user.ID); err != nil {
		h.reportError(w, r, err)
		return
	}
	h.auditReport(r, "report.discard", uid, http.StatusSeeOther, "")
	http.Redirect(w, r, "/studies/"+url.PathEscape(uid)+"/report/edit", http.StatusSeeOther)
}
