package portal

import (
	"errors"
	"net/http"
	"time"

	"github.com/pacslite/pacslite/portal/store"
)

// memberListData is the Members page: the holder's own details, the
// family members and the switch between them.
type memberListData struct {
	Self      *store.Member
	Family    []store.Member
	Selected  int64
	Form      memberForm
	Errors    []string
	Notice    string
	Relations []relationOption
	Today     string
}

// memberForm is what the add-member form holds.
type memberForm struct {
	Name, BirthDate, IDNumber, Phone, Relationship string
}

type relationOption struct{ Value, Label string }

var relations = []relationOption{
	{store.RelSpouse, "Spouse or partner"}, {store.RelChild, "Child"}, {store.RelParent, "Parent"},
	{store.RelSibling, "Brother or sister"}, {store.RelWard, "Minor in my legal care"}, {store.RelOther, "Other family member"},
}

// memberList shows My > Members.
func (h *Handler) memberList(w http.ResponseWriter, r *http.Request) {
	d := memberListData{}
	switch r.URL.Query().Get("done") {
	case "added":
		d.Notice = "The member was added."
	case "saved":
		d.Notice = "Your details were saved."
	case "removed":
		d.Notice = "The member was removed; their studies are no longer shown."
	}
	if n := r.URL.Query().Get("matched"); n != "" && n != "0" {
		d.Notice += " " + n + " studies from the hospital were found and added."
	}
	h.showMembers(w, r, http.StatusOK, d)
}

func (h *Handler) showMembers(w http.ResponseWriter, r *http.Request, status int, d memberListData) {
	v := visitorOf(r)
	members, err := h.db.Members(r.Context(), v.user.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	for i := range members {
		if members[i].Relationship == store.RelSelf {
			d.Self = &members[i]
		} else {
			d.Family = append(d.Family, members[i])
		}
	}
	if m, err := h.db.SelectedMember(r.Context(), v.session.IDHash); err == nil {
		d.Selected = m.ID
	} else if !errors.Is(err, store.ErrNotFound) {
		h.serverError(w, r, err)
		return
	}
	d.Relations = relations
	d.Today = h.now().Format("2006-01-02")
	h.render(w, r, status, "members", "Members", d)
}

// isoDate turns YYYYMMDD into YYYY-MM-DD for date inputs and pages.
func isoDate(da string) string {
	t, err := time.Parse("20060102", da)
	if err != nil {
		return ""
	}
	return t.Format("2006-01-02")
}

// forPatients lets only patients through: members and matching are theirs.
func (h *Handler) forPatients(next http.HandlerFunc) http.HandlerFunc {
	return h.loggedIn(func(w http.ResponseWriter, r *http.Request) {
		if visitorOf(r).user.Role != store.RolePatient {
			h.errorPage(w, r, http.StatusForbidden, "For patients", "Family members and matching are for patient accounts.")
			return
		}
		next(w, r)
	})
}
