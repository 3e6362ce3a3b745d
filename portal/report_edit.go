package portal

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/pacslite/pacslite/portal/archive"
	"github.com/pacslite/pacslite/portal/store"
)

// The editor's modes.
const (
	modeClaim  = "claim"  // nobody has the study: claim it to start
	modeEdit   = "edit"   // the visitor is writing the open version
	modeLocked = "locked" // another radiologist has it
	modeSigned = "signed" // signed; an addendum or amendment may follow
)

// reportEditData is what the report editor shows.
type reportEditData struct {
	Study     archive.Study
	Record    store.StudyRecord
	Series    []archive.Series
	Selected  string
	Root      string
	OHIFURL   string
	Report    store.Report
	Mode      string
	Kind      string // the open version's kind
	Version   int
	Draft     store.ReportVersion // the open version's text
	View      reportView          // the signed report, when there is one
	History   []store.ReportVersion
	LockedBy  string
	IsAdmin   bool
	Template  string // the template key for this study
	Templates []reportTemplate
	JSON      string // the templates for the script
	Errors    []string
	Saved     bool
	CSRF      string // for the form, rendered outside the page's own data
	Me        string // the signer's name
}

// reportEdit is the radiologist's workspace: the study's images (built-in
// viewer, and OHIF when configured) beside the report form, which saves
// drafts as the radiologist types.
func (h *Handler) reportEdit(w http.ResponseWriter, r *http.Request) {
	rc, ok := h.loadReport(w, r, "report.edit")
	if !ok {
		return
	}
	h.showEditor(w, r, rc, http.StatusOK, nil)
}

func (h *Handler) showEditor(w http.ResponseWriter, r *http.Request, rc reportContext, status int, problems []string) {
	v := visitorOf(r)
	uid := rc.study.UID
	series, err := h.archive.Series(rc.ctx, uid)
	if err != nil && !errors.Is(err, archive.ErrNotFound) {
		h.serverError(w, r, err)
		return
	}
	d := reportEditData{Study: rc.study, Record: rc.rec, Root: h.opts.DICOMwebPrefix, Report: rc.rep, IsAdmin: v.user.Role == store.RoleAdmin,
		Template: templateFor(rc.study.Modalities), Templates: reportTemplates, JSON: templatesJSON(), Errors: problems,
		Saved: r.URL.Query().Get("saved") != "", CSRF: h.csrfToken(w, r), Me: v.user.Name}
	for _, s := range series {
		if s.Modality != "DOC" && s.Modality != "SR" { // reports: nothing to look at in the viewer
			d.Series = append(d.Series, s)
		}
	}
	if len(d.Series) > 0 {
		d.Selected = d.Series[0].UID
	}
	if h.opts.OHIFURL != "" {
		d.OHIFURL = h.opts.OHIFURL + "/viewer?StudyInstanceUIDs=" + url.QueryEscape(uid)
	}
	versions, err := h.db.ReportVersions(r.Context(), uid)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	d.View, _ = viewOf(versions, 0)
	var open *store.ReportVersion
	for i := range versions {
		if versions[i].Final {
			d.History = append(d.History, versions[i])
		} else {
			open = &versions[i]
		}
	}
	me := v.user.ID
	switch {
	case !rc.rep.State.Signed() && rc.rep.ClaimedBy == 0:
		d.Mode = modeClaim
	case !rc.rep.State.Signed() && rc.rep.ClaimedBy != me:
		d.Mode, d.LockedBy = modeLocked, rc.rep.ClaimedByName
	case !rc.rep.State.Signed():
		d.Mode, d.Kind, d.Version = modeEdit, store.VersionOriginal, 1
	case open == nil:
		d.Mode = modeSigned
	case open.AuthorID != me:
		d.Mode, d.LockedBy = modeLocked, open.AuthorName
	default:
		d.Mode, d.Kind, d.Version = modeEdit, open.Kind, open.Version
	}
	if open != nil {
		d.Draft = *open
	}
	if d.Mode == modeEdit && open == nil {
		// Nothing written yet: start from the study's template.
		d.Draft.ReportSections = templateByKey(d.Template).ReportSections
	}
	if problems != nil {
		d.Draft.ReportSections, d.Draft.Note, d.Draft.Critical = draftFrom(r).ReportSections, draftFrom(r).Note, draftFrom(r).Critical
	}
	h.auditReport(r, "report.edit", uid, status, d.Mode)
	h.render(w, r, status, "report_edit", "Report editor", d)
}
