package portal

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/pacslite/pacslite/dicomweb"
	"github.com/pacslite/pacslite/portal/archive"
	"github.com/pacslite/pacslite/portal/store"
)

// pageSize is the number of studies per dashboard page.
const pageSize = 25

// studyRow is one dashboard row: the study from the archive and the
// portal's record of it (upload time, status, priority).
type studyRow struct {
	archive.Study
	Record   store.StudyRecord
	Status   store.StudyStatus
	Priority bool
	Standard bool        // a paid standard report: its turnaround countdown (upload_complete.go)
	Report   reportBadge // report.go
}

// studyListData is what the dashboard shows.
type studyListData struct {
	Rows     []studyRow
	Query    string
	Page     int
	PrevURL  string
	NextURL  string
	Welcome  bool
	SeesAll  bool
	Searched bool
	Uploaded string // notice after an upload (upload_complete.go)
}

// studyList is the studies dashboard: the studies the account may see,
// most recent first, paged and searchable.
func (h *Handler) studyList(w http.ResponseWriter, r *http.Request) {
	v := visitorOf(r)
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(1, min(page, 1000/pageSize))
	ctx, err := h.archiveContext(r)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	studies, more, err := h.archive.Studies(ctx, archive.StudyQuery{Text: q, Offset: (page - 1) * pageSize, Limit: pageSize})
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	rows, err := h.studyRows(ctx, studies)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	d := studyListData{Rows: rows, Query: q, Page: page, Welcome: r.URL.Query().Get("welcome") != "",
		SeesAll: v.user.Role.SeesAll(), Searched: q != "", Uploaded: h.uploadedNotice(r)}
	if page > 1 {
		d.PrevURL = listURL(q, page-1)
	}
	if more {
		d.NextURL = listURL(q, page+1)
	}
	h.audit(r.Context(), store.Event{Actor: userPrincipal(v.user, v.session).actor, Role: string(v.user.Role),
		Action: "study.list", Status: http.StatusOK, Remote: h.clientAddr(r)})
	h.render(w, r, http.StatusOK, "studies", "Studies", d)
}

// studyRows joins studies with the portal's records of them.
func (h *Handler) studyRows(ctx context.Context, studies []archive.Study) ([]studyRow, error) {
	uids := make([]string, len(studies))
	for i, s := range studies {
		uids[i] = s.UID
	}
	recs, err := h.db.StudyRecords(ctx, uids)
	if err != nil {
		return nil, err
	}
	rows := make([]studyRow, len(studies))
	for i, s := range studies {
		rec := recs[s.UID]
		rows[i] = studyRow{Study: s, Record: rec, Status: rec.Status,
			Priority: rec.Priority == store.PriorityUrgent && !rec.DueAt.IsZero() && rec.Status != store.StatusReported,
			Standard: rec.Priority == "standard" && !rec.DueAt.IsZero() && rec.Status != store.StatusReported}
		if rows[i].Status == "" {
			rows[i].Status = store.StatusReady // stored before the portal knew of it
		}
	}
	if err := h.reportBadges(ctx, rows); err != nil {
		return nil, err
	}
	return rows, nil
}

func listURL(q string, page int) string {
	u := "/studies?page=" + strconv.Itoa(page)
	if q != "" {
		u += "&q=" + urlQueryEscape(q)
	}
	return u
}

// archiveContext is the request's context with the visitor's archive
// access, for in-process DICOMweb requests.
func (h *Handler) archiveContext(r *http.Request) (context.Context, error) {
	v := visitorOf(r)
	a, err := h.accessFor(r.Context(), userPrincipal(v.user, v.session), h.clientAddr(r))
	if err != nil {
		return nil, err
	}
	return dicomweb.WithAccess(r.Context(), a), nil
}
