package portal

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pacslite/pacslite/portal/store"
)

// auditSearchData is the admin's view of the audit trail.
type auditSearchData struct {
	Q       url.Values
	Events  []store.AuditRecord
	NextURL string
	CSVURL  string
	Error   string
	Roles   []string
}

// auditPage is how many events a page of the search shows.
const auditPage = 100

// auditSearch lets admins search the audit trail by actor, role, action
// (a prefix), study, address and time, newest first, and export the same
// search as CSV.
func (h *Handler) auditSearch(w http.ResponseWriter, r *http.Request) {
	q, err := auditQueryOf(r.URL.Query())
	d := auditSearchData{Q: r.URL.Query(), Roles: []string{"patient", "radiologist", "admin", "client", "share", "system", "anonymous"}}
	if err != nil {
		d.Error = err.Error()
		h.render(w, r, http.StatusUnprocessableEntity, "admin_audit", "Audit trail", d)
		return
	}
	q.Limit = auditPage
	if d.Events, err = h.db.SearchAudit(r.Context(), q); err != nil {
		h.serverError(w, r, err)
		return
	}
	next := cloneValues(d.Q)
	next.Del("before")
	d.CSVURL = "/admin/audit.csv?" + next.Encode()
	if len(d.Events) == auditPage {
		next.Set("before", strconv.FormatInt(d.Events[len(d.Events)-1].ID, 10))
		d.NextURL = "/admin/audit?" + next.Encode()
	}
	h.auditUser(r, "audit.search", q.StudyUID, "", http.StatusOK)
	h.render(w, r, http.StatusOK, "admin_audit", "Audit trail", d)
}

// auditQueryOf reads a search from a query string; dates are days
// (YYYY-MM-DD), "to" included.
func auditQueryOf(v url.Values) (store.AuditQuery, error) {
	q := store.AuditQuery{Actor: strings.TrimSpace(v.Get("actor")), Role: v.Get("role"), Action: strings.TrimSpace(v.Get("action")),
		StudyUID: strings.TrimSpace(v.Get("study")), Remote: strings.TrimSpace(v.Get("remote"))}
	q.BeforeID, _ = strconv.ParseInt(v.Get("before"), 10, 64)
	for _, f := range []struct {
		name string
		dst  *time.Time
		add  int
	}{{"from", &q.From, 0}, {"to", &q.To, 1}} {
		if s := v.Get(f.name); s != "" {
			t, err := time.ParseInLocation("2006-01-02", s, time.Local)
			if err != nil {
				return q, errBadDate
			}
			*f.dst = t.AddDate(0, 0, f.add)
		}
	}
	return q, nil
}

type auditError string

func (e auditError) Error() string { return string(e) }

const errBadDate = auditError("Dates are days like 2024-07-10.")

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}
