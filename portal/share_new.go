package portal

import (
	"context"
	"errors"
	"net/http"

	"github.com/pacslite/pacslite/portal/archive"
	"github.com/pacslite/pacslite/portal/store"
)

// shareRow is a share in the owner's list.
type shareRow struct {
	store.Share
	State store.ShareState
}

// durationOption is a validity a share form offers.
type durationOption struct {
	Hours int
	Label string
}

var shareDurations = []durationOption{
	{1, "1 hour"}, {6, "6 hours"}, {24, "1 day"}, {72, "3 days"}, {168, "7 days"}, {336, "14 days"}, {720, "30 days"},
}

// shareNewData is what the share page shows: the form and the study's
// shares.
type shareNewData struct {
	Study       archive.Study
	Shares      []shareRow
	Durations   []durationOption
	Hours       int
	Label       string
	CanDownload bool
	Errors      []string
	Notice      string
}

// shareNew is the study's Share page: a form for a new share and the
// shares already made, with their openings and a revoke button.
func (h *Handler) shareNew(w http.ResponseWriter, r *http.Request) {
	h.showShareForm(w, r, http.StatusOK, shareNewData{Hours: 72})
}

func (h *Handler) showShareForm(w http.ResponseWriter, r *http.Request, status int, d shareNewData) {
	study, _, ok := h.visibleStudy(w, r, r.PathValue("uid"), "study.denied")
	if !ok {
		return
	}
	d.Study = study
	v := visitorOf(r)
	f := store.ShareFilter{StudyUID: study.UID}
	if v.user.Role != store.RoleAdmin {
		f.OwnerID = v.user.ID
	}
	shares, err := h.db.Shares(r.Context(), f)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	now := h.now()
	for _, s := range shares {
		d.Shares = append(d.Shares, shareRow{Share: s, State: s.State(now)})
	}
	for _, o := range shareDurations {
		if o.Hours <= h.sharing.opts.MaxShareDays*24 {
			d.Durations = append(d.Durations, o)
		}
	}
	if d.CanDownload, err = h.downloadsAllowed(r.Context(), study.UID); err != nil {
		h.serverError(w, r, err)
		return
	}
	switch r.URL.Query().Get("done") {
	case "revoked":
		d.Notice = "The share was revoked. Its link and code stopped working at once."
	}
	h.render(w, r, status, "share_new", "Share", d)
}

// visibleStudy returns a study the visitor may see, with the archive
// context of the visitor; otherwise it answers "not found", audits the
// attempt as action (absent or not the visitor's: worth a line either
// way) and ok is false.
func (h *Handler) visibleStudy(w http.ResponseWriter, r *http.Request, uid, action string) (archive.Study, context.Context, bool) {
	v := visitorOf(r)
	ctx, err := h.archiveContext(r)
	if err != nil {
		h.serverError(w, r, err)
		return archive.Study{}, nil, false
	}
	study, err := h.archive.Study(ctx, uid)
	if errors.Is(err, archive.ErrNotFound) {
		h.audit(r.Context(), store.Event{Actor: userPrincipal(v.user, v.session).actor, Role: string(v.user.Role),
			Action: action, StudyUID: uid, Detail: r.Method + " " + r.URL.Path, Status: http.StatusNotFound, Remote: h.clientAddr(r)})
		h.notFound(w, r)
		return archive.Study{}, nil, false
	}
	if err != nil {
		h.serverError(w, r, err)
		return archive.Study{}, nil, false
	}
	return study, ctx, true
}

// auditUser records an action of the logged-in visitor.
func (h *Handler) auditUser(r *http.Request, action, studyUID, detail string, status int) {
	v := visitorOf(r)
	h.audit(r.Context(), store.Event{Actor: userPrincipal(v.user, v.session).actor, Role: string(v.user.Role),
		Action: action, StudyUID: studyUID, Detail: detail, Status: status, Remote: h.clientAddr(r)})
}
