package portal

import (
	"net/http"
	"strconv"
	"time"

	"github.com/pacslite/pacslite/portal/archive"
	"github.com/pacslite/pacslite/portal/store"
)

// reportShowData is what the report page shows.
type reportShowData struct {
	Study     archive.Study
	Report    store.Report
	View      reportView
	Sections  []section
	History   []store.ReportVersion // staff only: every signed version
	Version   int                   // the version shown when not the latest (staff)
	Staff     bool
	Released  bool
	ReleaseAt time.Time
	Site      string
	Sex       string
	JustSaved bool // the visitor signed it a moment ago
}

// reportShow is the report page: patient and study details and the signed
// report exactly as written, with a print stylesheet and the PDF. Drafts
// are never shown here, and patients see a report only once it is
// released; before, the page says when it will be.
func (h *Handler) reportShow(w http.ResponseWriter, r *http.Request) {
	v := visitorOf(r)
	rc, ok := h.loadReport(w, r, "report.view")
	if !ok {
		return
	}
	uid := rc.study.UID
	staff := isStaff(v.user)
	if !rc.rep.State.Signed() {
		h.auditReport(r, "report.view", uid, http.StatusNotFound, "")
		h.errorPage(w, r, http.StatusNotFound, "No report yet",
			"This study has no signed report yet. It appears here as soon as the radiologist signs it.")
		return
	}
	d := reportShowData{Study: rc.study, Report: rc.rep, Staff: staff, Released: rc.rep.Released(h.now()),
		ReleaseAt: rc.rep.ReleaseAt, Site: h.opts.SiteName, Sex: sexName(rc.study.Sex),
		JustSaved: staff && r.URL.Query().Get("signed") != ""}
	if !staff && !d.Released {
		h.auditReport(r, "report.view", uid, http.StatusOK, "before release")
		h.render(w, r, http.StatusOK, "report", "Report", d)
		return
	}
	versions, err := h.db.ReportVersions(r.Context(), uid)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if staff {
		d.Version, _ = strconv.Atoi(r.URL.Query().Get("version"))
		for _, rv := range versions {
			if rv.Final {
				d.History = append(d.History, rv)
			}
		}
	}
	if d.View, ok = viewOf(versions, d.Version); !ok {
		h.notFound(w, r)
		return
	}
	if n := len(d.History); n == 0 || d.Version >= d.History[n-1].Version {
		d.Version = 0 // the latest: no "older version" notice
	}
	d.Sections = sectionsOf(d.View.Current.ReportSections)
	h.auditReport(r, "report.view", uid, http.StatusOK, "version "+strconv.Itoa(d.View.Current.Version))
	h.render(w, r, http.StatusOK, "report", "Report", d)
}

// reportPDF sends the PDF signed with the latest version (staff may ask for
// an earlier one), under the same rules as the report page.
func (h *Handler) reportPDF(w http.ResponseWriter, r *http.Request) {
	v := visitorOf(r)
	rc, ok := h.loadReport(w, r, "report.download")
	if !ok {
		return
	}
	uid := rc.study.UID
	staff := isStaff(v.user)
	if !rc.rep.State.Signed() || !staff && !rc.rep.Released(h.now()) {
		h.auditReport(r, "report.download", uid, http.StatusNotFound, "")
		h.notFound(w, r)
		return
	}
	versions, err := h.db.ReportVersions(r.Context(), uid)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	want := 0
	if staff {
		want, _ = strconv.Atoi(r.URL.Query().Get("version"))
	}
	view, ok := viewOf(versions, want)
	if !ok {
		h.notFound(w, r)
		return
	}
	pdf, err := h.db.ReportPDF(r.Context(), uid, view.Current.Version)
	if err != nil {
		h.reportError(w, r, err)
		return
	}
	h.auditReport(r, "report.download", uid, http.StatusOK, "version "+strconv.Itoa(view.Current.Version))
	name := "report"
	if rc.study.Accession != "" {
		name += "-" + safeFileName(rc.study.Accession)
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.pdf"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(pdf)))
	w.Write(pdf)
}

// safeFileName keeps letters, digits, '-' and '_'.
func safeFileName(s string) string {
	b := []byte{}
	for _, c := range []byte(s) {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' {
			b = append(b, c)
		}
	}
	return string(b)
}
