package portal

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pacslite/pacslite/portal/store"
)

// memberCreate adds a family member, or saves the holder's own details
// (relationship "self"), then looks for hospital studies that fit. A
// minor can only be added by a parent or legal guardian, and never as an
// account's own holder; an adult member must have agreed.
func (h *Handler) memberCreate(w http.ResponseWriter, r *http.Request) {
	v := visitorOf(r)
	f := memberForm{Name: strings.TrimSpace(r.PostFormValue("name")), BirthDate: strings.TrimSpace(r.PostFormValue("birth_date")),
		IDNumber: strings.TrimSpace(r.PostFormValue("id_number")), Phone: strings.TrimSpace(r.PostFormValue("phone")),
		Relationship: r.PostFormValue("relationship")}
	var errs []string
	if f.Name == "" || utf8.RuneCountInString(f.Name) > 100 {
		errs = append(errs, "Enter the name as it appears on the scans (at most 100 characters).")
	}
	birth, birthErr := time.Parse("2006-01-02", f.BirthDate)
	if birthErr != nil || birth.After(h.now()) || birth.Year() < 1900 {
		errs = append(errs, "Enter a valid date of birth.")
	}
	id := normalizeID(f.IDNumber)
	if len(id) > 32 {
		errs = append(errs, "An ID number has at most 32 letters and digits.")
	}
	self := f.Relationship == store.RelSelf
	if !self && !slices.ContainsFunc(relations, func(o relationOption) bool { return o.Value == f.Relationship }) {
		errs = append(errs, "Choose how this person is related to you.")
	}
	m := store.Member{HolderID: v.user.ID, Name: f.Name, BirthDate: birth.Format("20060102"), IDNumber: id,
		PhoneKey: phoneKey(f.Phone), Relationship: f.Relationship}
	if self && birthErr == nil && isMinor(m.BirthDate, h.now()) {
		// A minor's studies reach a minor only through a guardian's
		// account; otherwise anyone could claim a child's identity.
		errs = append(errs, "You are under 18: a parent or legal guardian adds you as a family member (their child or a minor in their care) on their own account, and your studies show there.")
	}
	if self {
		m.Consent, m.PhoneKey = true, phoneKey(v.user.Phone)
		if cur, err := h.db.SelfMember(r.Context(), v.user.ID); err == nil {
			m.ID = cur.ID
		} else if !errors.Is(err, store.ErrNotFound) {
			h.serverError(w, r, err)
			return
		}
	} else if birthErr == nil {
		minor := isMinor(m.BirthDate, h.now())
		m.Guardian = r.PostFormValue("guardian") == "1"
		m.Consent = r.PostFormValue("consent") == "1"
		switch {
		case minor && (f.Relationship != store.RelChild && f.Relationship != store.RelWard):
			errs = append(errs, "A member under 18 can only be your child or a minor in your legal care.")
		case minor && !m.Guardian:
			errs = append(errs, "Only a parent or legal guardian can add a member under 18: confirm that you are one.")
		case !minor && !m.Consent:
			errs = append(errs, "An adult member must agree that you see their studies: confirm that they did.")
		}
	}
	if len(errs) > 0 {
		h.showMembers(w, r, http.StatusUnprocessableEntity, memberListData{Form: f, Errors: errs})
		return
	}
	saved, err := h.db.SaveMember(r.Context(), m)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	action, done := "member.add", "added"
	if self {
		action, done = "member.self", "saved"
	}
	h.auditUser(r, action, "", fmt.Sprintf("member:%d %s", saved.ID, saved.Relationship), http.StatusOK)
	n, err := h.matchMember(r.Context(), saved)
	if err != nil {
		h.logger(r.Context()).Error().Err(err).Msg("match member")
	}
	http.Redirect(w, r, "/members?done="+done+"&matched="+strconv.Itoa(n), http.StatusSeeOther)
}

// memberDelete removes a family member and what was matched to them.
func (h *Handler) memberDelete(w http.ResponseWriter, r *http.Request) {
	v := visitorOf(r)
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err := h.db.DeleteMember(r.Context(), v.user.ID, id); errors.Is(err, store.ErrNotFound) {
		h.notFound(w, r)
		return
	} else if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.auditUser(r, "member.remove", "", fmt.Sprintf("member:%d", id), http.StatusOK)
	http.Redirect(w, r, "/members?done=removed", http.StatusSeeOther)
}
