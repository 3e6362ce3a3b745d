package portal

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pacslite/pacslite/portal/store"
)

// matchData is the manual matching page: the form, then the study found,
// to confirm.
type matchData struct {
	Members      []store.Member
	Institutions []string
	MemberID     int64
	Accession    string
	Date         string // YYYY-MM-DD
	Institution  string
	Found        *matchFound
	Errors       []string
}

// matchFound is a study found by manual matching, shown partly.
type matchFound struct {
	Description string
	Date        string
	Institution string
	Patient     string // initials only
}

// matchShow is the manual matching form: accession number (examination
// ID), study date and organisation of one of the member's studies.
func (h *Handler) matchShow(w http.ResponseWriter, r *http.Request) {
	h.showMatch(w, r, http.StatusOK, matchData{})
}

func (h *Handler) showMatch(w http.ResponseWriter, r *http.Request, status int, d matchData) {
	var err error
	if d.Members, err = h.db.Members(r.Context(), visitorOf(r).user.ID); err != nil {
		h.serverError(w, r, err)
		return
	}
	if d.Institutions, err = h.db.Institutions(r.Context()); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, status, "match", "Find my studies", d)
}

// matchFind looks the study up and asks for confirmation; matchConfirm
// (confirm=1) links it and every study of the same Patient ID. Failed
// look-ups are throttled per account and audited.
func (h *Handler) matchFind(w http.ResponseWriter, r *http.Request) {
	v := visitorOf(r)
	d := matchData{Accession: strings.TrimSpace(r.PostFormValue("accession")), Date: r.PostFormValue("date"),
		Institution: strings.TrimSpace(r.PostFormValue("institution"))}
	d.MemberID, _ = strconv.ParseInt(r.PostFormValue("member"), 10, 64)
	m, err := h.db.Member(r.Context(), v.user.ID, d.MemberID)
	if errors.Is(err, store.ErrNotFound) {
		d.Errors = []string{"Choose whose study this is. Add your own details or the family member on the Members page first."}
		h.showMatch(w, r, http.StatusUnprocessableEntity, d)
		return
	} else if err != nil {
		h.serverError(w, r, err)
		return
	}
	key := "user:" + strconv.FormatInt(v.user.ID, 10)
	if ok, _ := h.sharing.match.Allow(key); !ok {
		d.Errors = []string{"Too many searches without a match. Try again in an hour, or ask support to link your study."}
		h.showMatch(w, r, http.StatusTooManyRequests, d)
		return
	}
	day, err := time.Parse("2006-01-02", d.Date)
	var ids []store.StudyIdentity
	if err == nil && d.Accession != "" && d.Institution != "" {
		ids, err = h.db.ManualMatchCandidates(r.Context(), d.Accession, day.Format("20060102"), d.Institution)
		if err != nil {
			h.serverError(w, r, err)
			return
		}
	}
	var id store.StudyIdentity
	if len(ids) == 1 && (ids[0].BirthDate == "" || ids[0].BirthDate == m.BirthDate) {
		id = ids[0]
		others, err := h.db.StudyMembers(r.Context(), id.StudyUID)
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		for _, o := range others {
			if o.HolderID != v.user.ID {
				id = store.StudyIdentity{} // someone else's: look like no match
			}
		}
	}
	if id.StudyUID == "" {
		h.sharing.match.Add(key)
		h.auditUser(r, "match.manual_failed", "", fmt.Sprintf("member:%d", m.ID), http.StatusNotFound)
		d.Errors = []string{"No study matches these details for this person. Check the accession number (or examination ID) and date on your receipt, and the organisation."}
		h.showMatch(w, r, http.StatusNotFound, d)
		return
	}
	if r.PostFormValue("confirm") != "1" {
		d.Found = &matchFound{Description: id.Description, Date: isoDate(id.StudyDate), Institution: id.Institution, Patient: initials(id.Name)}
		h.showMatch(w, r, http.StatusOK, d)
		return
	}
	ctx := r.Context()
	actor := userPrincipal(v.user, v.session).actor
	if err := h.linkMatch(ctx, m, id, "manual", actor, string(v.user.Role)); err != nil {
		h.serverError(w, r, err)
		return
	}
	n := 1
	if id.PatientID != "" {
		more, err := h.linkPatientStudies(ctx, m, id.PatientID, id.Issuer, "manual:patient_id", actor, string(v.user.Role))
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		n = max(n, more)
	}
	h.sharing.match.Reset(key)
	http.Redirect(w, r, "/members?done=saved&matched="+strconv.Itoa(n), http.StatusSeeOther)
}

// initials shows a DICOM person name as initials: "Doe^John" -> "J. D.".
func initials(pn string) string {
	parts := strings.Split(pn, "^")
	var out []string
	for _, i := range []int{1, 0} {
		if i < len(parts) {
			if r := []rune(strings.TrimSpace(parts[i])); len(r) > 0 {
				out = append(out, string(r[0])+".")
			}
		}
	}
	return strings.Join(out, " ")
}
