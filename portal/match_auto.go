package portal

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/pacslite/pacslite/portal/store"
)

// Automatic matching of studies a hospital pushed, to the members of
// accounts (the holders and their family members). A study fits a member
//   - by Patient ID and issuer, once known to be the member's (learned
//     from a manual match, an invitation or an earlier automatic match),
//     unless the birth dates disagree;
//   - by national ID number (the study's Patient ID or Other Patient IDs)
//     with the same birth date;
//   - by phone number (Patient's Telephone Numbers, last ten digits) with
//     the same birth date and a name in common.
//
// A study that fits members of one account is linked to them, and its
// Patient ID learned; one that fits several accounts is left to an admin.
// One that fits nobody may invite its patient (match_invite.go).

// matchStudy matches one study and records the outcome; it returns the
// members it linked.
func (h *Handler) matchStudy(ctx context.Context, id store.StudyIdentity) ([]store.Member, error) {
	if !id.Hospital {
		return nil, nil
	}
	ctx = context.WithoutCancel(ctx)
	if linked, err := h.db.StudyMembers(ctx, id.StudyUID); err != nil || len(linked) > 0 {
		return nil, err
	}
	found := map[int64]store.Member{}
	reasons := map[int64]string{}
	add := func(ms []store.Member, reason string, ok func(store.Member) bool) {
		for _, m := range ms {
			if _, seen := found[m.ID]; !seen && ok(m) {
				found[m.ID], reasons[m.ID] = m, reason
			}
		}
	}
	if id.PatientID != "" {
		ms, err := h.db.MembersByPatientID(ctx, id.PatientID, id.Issuer)
		if err != nil {
			return nil, err
		}
		add(ms, "patient_id", func(m store.Member) bool {
			return m.BirthDate == "" || id.BirthDate == "" || m.BirthDate == id.BirthDate
		})
	}
	sameBirth := func(m store.Member) bool { return id.BirthDate != "" && m.BirthDate == id.BirthDate }
	ms, err := h.db.MembersByIDNumber(ctx, append([]string{normalizeID(id.PatientID)}, id.OtherIDs...))
	if err != nil {
		return nil, err
	}
	add(ms, "national_id", sameBirth)
	if ms, err = h.db.MembersByPhone(ctx, id.Phones); err != nil {
		return nil, err
	}
	add(ms, "phone", func(m store.Member) bool { return sameBirth(m) && nameAgrees(id.Name, m.Name) })

	holders := map[int64]bool{}
	for _, m := range found {
		holders[m.HolderID] = true
	}
	switch {
	case len(found) == 0:
		return nil, h.noMatch(ctx, id)
	case len(holders) > 1 || len(found) > 1:
		h.audit(ctx, store.Event{Actor: "system", Role: "system", Action: "match.ambiguous", StudyUID: id.StudyUID,
			Detail: fmt.Sprintf("candidates:%d", len(found))})
		return nil, h.db.SetMatchState(ctx, id.StudyUID, store.MatchAmbiguous)
	}
	var out []store.Member
	for _, m := range found {
		if err := h.linkMatch(ctx, m, id, "auto:"+reasons[m.ID], "system", "system"); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// linkMatch links a study to a member, learns the study's Patient ID for
// the member, and audits it.
func (h *Handler) linkMatch(ctx context.Context, m store.Member, id store.StudyIdentity, reason, actor, role string) error {
	if err := h.db.LinkMemberStudy(ctx, m.ID, id.StudyUID, reason); err != nil {
		return err
	}
	if id.PatientID != "" {
		if err := h.db.AddMemberPatientID(ctx, m.ID, id.PatientID, id.Issuer, reason); err != nil {
			return err
		}
	}
	if err := h.db.SetMatchState(ctx, id.StudyUID, store.MatchMatched); err != nil {
		return err
	}
	h.audit(ctx, store.Event{Actor: actor, Role: role, Action: "match.link", StudyUID: id.StudyUID,
		Detail: fmt.Sprintf("member:%d holder:user:%d %s", m.ID, m.HolderID, reason)})
	return nil
}

// matchMember looks, after a member was added or changed, for hospital
// studies that now fit someone.
func (h *Handler) matchMember(ctx context.Context, m store.Member) (int, error) {
	ids, err := h.db.HospitalStudiesFor(ctx, m.IDNumber, m.PhoneKey)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		if id.MatchState == store.MatchMatched || id.MatchState == store.MatchAmbiguous {
			continue
		}
		linked, err := h.matchStudy(ctx, id)
		if err != nil {
			return n, err
		}
		if slices.ContainsFunc(linked, func(x store.Member) bool { return x.HolderID == m.HolderID }) {
			n++
		}
	}
	return n, nil
}

// linkPatientStudies links every hospital study of a Patient ID to a
// member (after a manual match or an accepted invitation), except those
// whose birth date disagrees or that belong to someone else.
func (h *Handler) linkPatientStudies(ctx context.Context, m store.Member, patientID, issuer, reason, actor, role string) (int, error) {
	ids, err := h.db.HospitalStudiesOfPatient(ctx, patientID, issuer)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		if m.BirthDate != "" && id.BirthDate != "" && m.BirthDate != id.BirthDate {
			continue
		}
		others, err := h.db.StudyMembers(ctx, id.StudyUID)
		if err != nil {
			return n, err
		}
		if slices.ContainsFunc(others, func(x store.Member) bool { return x.HolderID != m.HolderID }) {
			continue
		}
		if err := h.linkMatch(ctx, m, id, reason, actor, role); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// nameAgrees reports whether a DICOM person name ("Doe^John") and a name
// as typed ("John Doe") share a word.
func nameAgrees(pn, name string) bool {
	words := strings.FieldsFunc(strings.ToLower(name), func(r rune) bool { return r == ' ' || r == ',' || r == '.' })
	for _, w := range strings.FieldsFunc(strings.ToLower(pn), func(r rune) bool { return r == '^' || r == ' ' || r == '=' }) {
		if len(w) > 1 && slices.Contains(words, w) {
			return true
		}
	}
	return false
}
