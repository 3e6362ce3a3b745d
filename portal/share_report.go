package portal

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/pacslite/pacslite/portal/store"
)

// shareReportReady reports whether a share may show its study's report: the
// owner included it, and it is signed and released to the patient.
func (h *Handler) shareReportReady(ctx context.Context, s store.Share) (bool, error) {
	if !s.IncludeReport {
		return false, nil
	}
	rep, err := h.db.GetReport(ctx, s.StudyUID)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return rep.State.Signed() && rep.Released(h.now()), nil
}

// shareReport shows a share's recipient the study's report, as the PDF
// the radiologist signed (latest version), when the share includes it.
func (h *Handler) shareReport(w http.ResponseWriter, r *http.Request) {
	s, ok := h.sharePage(w, r)
	if !ok {
		return
	}
	ready, err := h.shareReportReady(r.Context(), s)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if !ready {
		h.shareRecord(r, s, "share.report", http.StatusNotFound)
		h.errorPage(w, r, http.StatusNotFound, "No report to show", "This share does not include a report, or the report is not ready yet.")
		return
	}
	versions, err := h.db.ReportVersions(r.Context(), s.StudyUID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	view, ok := viewOf(versions, 0)
	if !ok {
		h.notFound(w, r)
		return
	}
	pdf, err := h.db.ReportPDF(r.Context(), s.StudyUID, view.Current.Version)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.shareRecord(r, s, "share.report", http.StatusOK)
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="report.pdf"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(pdf)))
	w.Write(pdf)
}
