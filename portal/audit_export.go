package portal

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"time"

	"github.com/pacslite/pacslite/portal/store"
)

// auditExport streams the events of an audit search as CSV, all of them,
// newest first. Values a spreadsheet would run as formulas are quoted
// with a leading apostrophe.
func (h *Handler) auditExport(w http.ResponseWriter, r *http.Request) {
	q, err := auditQueryOf(r.URL.Query())
	if err != nil {
		h.errorPage(w, r, http.StatusUnprocessableEntity, "Cannot export", err.Error())
		return
	}
	h.auditUser(r, "audit.export", q.StudyUID, "", http.StatusOK)
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="audit-`+h.now().Format("20060102-150405")+`.csv"`)
	cw := csv.NewWriter(w)
	cw.Write([]string{"id", "time", "actor", "role", "action", "study_uid", "detail", "status", "remote"})
	err = h.db.EachAudit(r.Context(), q, func(e store.AuditRecord) error {
		cw.Write([]string{strconv.FormatInt(e.ID, 10), e.At.UTC().Format(time.RFC3339Nano), cell(e.Actor), cell(e.Role),
			cell(e.Action), cell(e.StudyUID), cell(e.Detail), strconv.Itoa(e.Status), cell(e.Remote)})
		return cw.Error()
	})
	cw.Flush()
	if err != nil {
		h.logger(r.Context()).Error().Err(err).Msg("audit export")
		panic(http.ErrAbortHandler) // a short file must not look complete
	}
}

// cell defuses spreadsheet formulas (CSV injection).
func cell(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r') {
		return "'" + s
	}
	return s
}
