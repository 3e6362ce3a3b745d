package portal

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/pacslite/pacslite/portal/store"
)

// orgRow is an organisation on the admin page: its settings, or the
// defaults when it has none yet.
type orgRow struct {
	store.Organisation
	Saved bool
}

// orgListData is the admin page of organisations.
type orgListData struct {
	Orgs          []orgRow
	DefaultUpload int
	DownloadsOff  bool
	Notice, Error string
}

// orgList shows the organisations studies come from with their switches:
// downloads on or off, how long uploads and hospital studies are kept.
func (h *Handler) orgList(w http.ResponseWriter, r *http.Request) {
	d := orgListData{DefaultUpload: h.sharing.opts.UploadRetentionDays, DownloadsOff: h.sharing.opts.DownloadsOff}
	if r.URL.Query().Get("done") == "saved" {
		d.Notice = "Saved."
	}
	h.showOrgs(w, r, http.StatusOK, d)
}

func (h *Handler) showOrgs(w http.ResponseWriter, r *http.Request, status int, d orgListData) {
	saved, err := h.db.Organisations(r.Context())
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	names, err := h.db.Institutions(r.Context())
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	byName := map[string]store.Organisation{}
	for _, o := range saved {
		byName[strings.ToLower(o.Name)] = o
	}
	for _, n := range names {
		o, ok := byName[strings.ToLower(n)]
		if !ok {
			o = store.Organisation{Name: n, Downloads: true, ReportReleaseHours: -1}
		}
		d.Orgs = append(d.Orgs, orgRow{Organisation: o, Saved: ok})
	}
	h.render(w, r, status, "admin_orgs", "Organisations", d)
}

// orgSave saves one organisation's settings.
func (h *Handler) orgSave(w http.ResponseWriter, r *http.Request) {
	o := store.Organisation{Name: strings.TrimSpace(r.PostFormValue("name")), Downloads: r.PostFormValue("downloads") == "1"}
	var err1, err2, err3 error
	o.UploadRetentionDays, err1 = days(r.PostFormValue("upload_days"))
	o.HospitalRetentionDays, err2 = days(r.PostFormValue("hospital_days"))
	o.ReportReleaseHours, err3 = releaseHours(r.PostFormValue("release_hours"))
	if o.Name == "" || err1 != nil || err2 != nil || err3 != nil {
		h.showOrgs(w, r, http.StatusUnprocessableEntity, orgListData{DefaultUpload: h.sharing.opts.UploadRetentionDays,
			Error: "Give the organisation's name, retention as a number of days and the report release delay as hours (empty for the defaults)."})
		return
	}
	saved, err := h.db.SaveOrganisation(r.Context(), o)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.auditUser(r, "organisation.save", "", "organisation:"+strconv.FormatInt(saved.ID, 10)+" downloads:"+strconv.FormatBool(saved.Downloads)+
		" upload_days:"+strconv.Itoa(saved.UploadRetentionDays)+" hospital_days:"+strconv.Itoa(saved.HospitalRetentionDays)+
		" release_hours:"+strconv.Itoa(saved.ReportReleaseHours), http.StatusOK)
	http.Redirect(w, r, "/admin/organisations?done=saved", http.StatusSeeOther)
}

// days reads a number of days; empty is 0 (the default).
// releaseHours reads a report release delay in hours; empty means the
// server's delay (-1). At most 90 days, as for the server's own setting.
func releaseHours(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return -1, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 90*24 {
		return 0, errors.New("not a number of hours")
	}
	return n, nil
}

func days(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 36500 {
		return 0, errors.New("not a number of days")
	}
	return n, nil
}
