package portal

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/pacslite/pacslite/portal/archive"
	"github.com/pacslite/pacslite/portal/notify"
	"github.com/pacslite/pacslite/portal/reportpdf"
	"github.com/pacslite/pacslite/portal/store"
)

// ReportOptions configure radiology reporting.
type ReportOptions struct {
	// ReleaseDelay is how long after the scan patients wait for a signed
	// report (e.g. 72 h); doctors read it at once. An admin may change it
	// in the portal (Reporting settings).
	ReleaseDelay time.Duration
	// Email and SMS deliver notifications; nil keeps messages in the
	// outbox table with a log line (notify.Log).
	Email, SMS notify.Sender
	// CriticalNotify are the email addresses and phone numbers told of a
	// critical finding, besides every admin; an admin may change the list.
	CriticalNotify []string
	// PublicURL is the portal's address in notifications, e.g.
	// "https://pacs.example.org"; empty gives paths only.
	PublicURL string
}

// reporting is the state of the reporting feature.
type reporting struct {
	opts      ReportOptions
	pdf       *reportpdf.Renderer
	email     notify.Sender
	sms       notify.Sender
	publishMu sync.Mutex // one publisher at a time: a version is stored once
	deliverMu sync.Mutex // one delivery run at a time: a message is sent once
}

func newReporting(o ReportOptions, log *zerolog.Logger) *reporting {
	r := &reporting{opts: o, pdf: reportpdf.New(), email: o.Email, sms: o.SMS}
	r.opts.PublicURL = strings.TrimRight(o.PublicURL, "/")
	if r.email == nil {
		r.email = notify.Log{Log: log}
	}
	if r.sms == nil {
		r.sms = notify.Log{Log: log}
	}
	return r
}

// isStaff reports whether a user reads and writes reports of any study.
func isStaff(u *store.User) bool {
	return u != nil && (u.Role == store.RoleRadiologist || u.Role == store.RoleAdmin)
}

// staffOnly lets radiologists and admins through.
func (h *Handler) staffOnly(next http.HandlerFunc) http.HandlerFunc {
	return h.loggedIn(func(w http.ResponseWriter, r *http.Request) {
		if !isStaff(visitorOf(r).user) {
			h.errorPage(w, r, http.StatusForbidden, "Not allowed", "This page is for radiologists.")
			return
		}
		next(w, r)
	})
}

// radiologistOnly lets only radiologists through: they alone sign reports.
func (h *Handler) radiologistOnly(next http.HandlerFunc) http.HandlerFunc {
	return h.loggedIn(func(w http.ResponseWriter, r *http.Request) {
		if visitorOf(r).user.Role != store.RoleRadiologist {
			h.errorPage(w, r, http.StatusForbidden, "Not allowed", "Only radiologists write and sign reports.")
			return
		}
		next(w, r)
	})
}

// reportBadge is what the dashboard and the study page show of a report.
type reportBadge struct {
	State     store.ReportState
	Available bool      // the viewer may read the signed report now
	Pending   bool      // signed, not yet released to the patient
	ReleaseAt time.Time // when patients may read it
	Staff     bool      // the viewer writes or manages reports
	ClaimedBy string
}

// reportBadges fills in the report of each row. Patients see a signed
// report as Reported only once it is released; before, the study stays
// Ready and says when the report will be available.
func (h *Handler) reportBadges(ctx context.Context, rows []studyRow) error {
	v, _ := ctx.Value(visitorKey{}).(visitor)
	uids := make([]string, len(rows))
	for i, r := range rows {
		uids[i] = r.UID
	}
	reps, err := h.db.ReportsOf(ctx, uids)
	if err != nil {
		return err
	}
	staff, now := isStaff(v.user), h.now()
	for i := range rows {
		rep, ok := reps[rows[i].UID]
		b := reportBadge{State: store.ReportReady, Staff: staff}
		if ok {
			b.State, b.ReleaseAt, b.ClaimedBy = rep.State, rep.ReleaseAt, rep.ClaimedByName
		}
		switch {
		case !b.State.Signed():
		case staff || rep.Released(now):
			b.Available = true
			rows[i].Status = store.StatusReported
		default:
			b.Pending = true
			rows[i].Status = store.StatusReady
		}
		rows[i].Report = b
		rows[i].Modalities = imagingModalities(rows[i].Modalities)
	}
	return nil
}

// imagingModalities leaves out the modalities of stored reports (DOC,
// SR): nobody was scanned with them.
func imagingModalities(ms []string) []string {
	var out []string
	for _, m := range ms {
		if m != "DOC" && m != "SR" {
			out = append(out, m)
		}
	}
	if out == nil {
		return ms
	}
	return out
}

// reportContext is what every report page needs: the study as the visitor
// may see it, and its report (Report.State ReportReady when none).
type reportContext struct {
	ctx   context.Context // with the visitor's archive access
	study archive.Study
	rec   store.StudyRecord
	rep   store.Report
}

// loadReport reads the study (404 when the visitor may not see it) and its
// report. It writes the error page itself and returns false on failure.
func (h *Handler) loadReport(w http.ResponseWriter, r *http.Request, action string) (reportContext, bool) {
	v := visitorOf(r)
	uid := r.PathValue("uid")
	ctx, err := h.archiveContext(r)
	if err != nil {
		h.serverError(w, r, err)
		return reportContext{}, false
	}
	study, err := h.archive.Study(ctx, uid)
	if errors.Is(err, archive.ErrNotFound) {
		h.audit(r.Context(), store.Event{Actor: userPrincipal(v.user, v.session).actor, Role: string(v.user.Role),
			Action: action, StudyUID: uid, Status: http.StatusNotFound, Remote: h.clientAddr(r)})
		h.notFound(w, r)
		return reportContext{}, false
	}
	if err != nil {
		h.serverError(w, r, err)
		return reportContext{}, false
	}
	study.Modalities = imagingModalities(study.Modalities)
	rc := reportContext{ctx: ctx, study: study, rep: store.Report{StudyUID: uid, State: store.ReportReady}}
	recs, err := h.db.StudyRecords(r.Context(), []string{uid})
	if err != nil {
		h.serverError(w, r, err)
		return reportContext{}, false
	}
	rc.rec = recs[uid]
	rep, err := h.db.GetReport(r.Context(), uid)
	switch {
	case err == nil:
		rc.rep = rep
	case !errors.Is(err, store.ErrNotFound):
		h.serverError(w, r, err)
		return reportContext{}, false
	}
	return rc, true
}

// reportError shows the page for a refused report action.
func (h *Handler) reportError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, store.ErrClaimedByOther):
		h.errorPage(w, r, http.StatusForbidden, "Claimed by another radiologist",
			"Another radiologist has claimed this study or is writing its revision. Pick another study from the worklist.")
	case errors.Is(err, store.ErrConflict):
		h.errorPage(w, r, http.StatusConflict, "The report has moved on",
			"The report changed since this page was opened (claimed, signed or revised). Go back to the report and reload it.")
	case errors.Is(err, store.ErrNotFound):
		h.notFound(w, r)
	default:
		h.serverError(w, r, err)
	}
}

// auditReport appends a report action to the audit trail.
func (h *Handler) auditReport(r *http.Request, action, uid string, status int, detail string) {
	v := visitorOf(r)
	h.audit(r.Context(), store.Event{Actor: userPrincipal(v.user, v.session).actor, Role: string(v.user.Role),
		Action: action, StudyUID: uid, Detail: detail, Status: status, Remote: h.clientAddr(r)})
}

// link is an absolute URL for notifications when the public URL is known.
func (h *Handler) link(path string) string { return h.reports.opts.PublicURL + path }
