package portal

import (
	"errors"
	"net/http"
	"slices"
	"sync"

	"github.com/pacslite/pacslite/portal/archive"
	"github.com/pacslite/pacslite/portal/store"
)

// worklistRow is one study on the worklist.
type worklistRow struct {
	store.WorkItem
	Study    archive.Study
	Priority bool
	Overdue  bool
	Mine     bool
}

// worklistData is what the worklist shows.
type worklistData struct {
	Rows       []worklistRow
	Status     string
	Modality   string
	Mine       bool
	Modalities []string
	Statuses   []struct{ Value, Label string }
	IsAdmin    bool
}

// worklistStatuses are the choices of the status filter.
var worklistStatuses = []struct{ Value, Label string }{
	{store.WorkOpen, "Awaiting report"}, {store.WorkUnclaimed, "Unclaimed"},
	{store.WorkClaimed, "Claimed / draft"}, {store.WorkSigned, "Signed"},
}

// worklistList is the radiologists' worklist: the studies awaiting a
// report, priority first, then by deadline, overdue ones flagged; filters
// by modality, status and "mine".
func (h *Handler) worklistList(w http.ResponseWriter, r *http.Request) {
	v := visitorOf(r)
	q := r.URL.Query()
	d := worklistData{Status: q.Get("status"), Modality: q.Get("modality"), Mine: q.Get("mine") != "",
		IsAdmin: v.user.Role == store.RoleAdmin, Statuses: worklistStatuses}
	if !slices.ContainsFunc(worklistStatuses, func(s struct{ Value, Label string }) bool { return s.Value == d.Status }) {
		d.Status = store.WorkOpen
	}
	f := store.WorklistFilter{Status: d.Status}
	if d.Mine {
		f.Mine = v.user.ID
	}
	items, err := h.db.Worklist(r.Context(), f)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	ctx, err := h.archiveContext(r)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	rows := make([]worklistRow, len(items))
	found := make([]bool, len(items))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	var mu sync.Mutex
	var firstErr error
	for i, it := range items {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			s, err := h.archive.Study(ctx, it.Study.StudyUID)
			if errors.Is(err, archive.ErrNotFound) {
				return // deleted from the archive
			}
			if err != nil {
				mu.Lock()
				firstErr = err
				mu.Unlock()
				return
			}
			rows[i], found[i] = worklistRow{WorkItem: it, Study: s}, true
		})
	}
	wg.Wait()
	if firstErr != nil {
		h.serverError(w, r, firstErr)
		return
	}
	now := h.now()
	seen := map[string]bool{}
	for i, row := range rows {
		if !found[i] {
			continue
		}
		for _, m := range row.Study.Modalities {
			if !seen[m] && m != "DOC" && m != "SR" {
				seen[m] = true
				d.Modalities = append(d.Modalities, m)
			}
		}
		if d.Modality != "" && !slices.Contains(row.Study.Modalities, d.Modality) {
			continue
		}
		row.Priority = row.WorkItem.Study.Priority == store.PriorityUrgent
		row.Overdue = !row.State.Signed() && !row.WorkItem.Study.DueAt.IsZero() && now.After(row.WorkItem.Study.DueAt)
		row.Mine = row.ClaimedBy == v.user.ID
		d.Rows = append(d.Rows, row)
	}
	slices.Sort(d.Modalities)
	h.audit(r.Context(), store.Event{Actor: userPrincipal(v.user, v.session).actor, Role: string(v.user.Role),
		Action: "worklist.list", Status: http.StatusOK, Remote: h.clientAddr(r)})
	h.render(w, r, http.StatusOK, "worklist", "Worklist", d)
}
