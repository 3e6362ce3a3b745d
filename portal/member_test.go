package portal

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pacslite/pacslite/portal/store"
)

// TestFamilyMembers: members' studies are visible to the account holder,
// on pages and over DICOMweb, and the switch narrows to one member;
// minors need their guardian.
func TestFamilyMembers(t *testing.T) {
	e := newEnv(t)
	e.seed()
	alice, b := e.patientWith("alice@example.org", doeStudy)
	add := func(form url.Values) response {
		return b.postForm("/members", form)
	}
	kid := url.Values{"name": {"Maya"}, "birth_date": {"2016-04-01"}, "relationship": {"parent"}}
	if res := add(kid); res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "under 18") {
		t.Errorf("minor as a parent = %d, want 422", res.status)
	}
	kid.Set("relationship", "child")
	if res := add(kid); res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "parent or legal guardian") {
		t.Errorf("minor without the guardian's confirmation = %d, want 422", res.status)
	}
	kid.Set("guardian", "1")
	if res := add(kid); res.status != http.StatusSeeOther {
		t.Fatalf("minor with the guardian = %d, want 303", res.status)
	}
	adult := url.Values{"name": {"Raj"}, "birth_date": {"1950-01-01"}, "relationship": {"parent"}}
	if res := add(adult); res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "agree") {
		t.Errorf("adult without consent = %d, want 422", res.status)
	}
	ms, _ := e.db.Members(context.Background(), alice.ID)
	if len(ms) != 1 || !ms[0].Guardian {
		t.Fatalf("members = %+v, want Maya with a guardian", ms)
	}
	e.db.LinkMemberStudy(context.Background(), ms[0].ID, smithStudy, "admin")
	qido := func() int { return countStudies(b.get("/dicomweb/studies").body) }
	if n := qido(); n != 2 {
		t.Errorf("holder's QIDO = %d studies, want her own and Maya's", n)
	}
	if got := b.get("/studies/" + smithStudy); got.status != http.StatusOK || !strings.Contains(got.body, "Family member's study: Maya") {
		t.Errorf("member's study page = %d", got.status)
	}
	// Switch to Maya: only her studies; the header says so.
	if res := b.postForm("/members/switch", url.Values{"member": {itoa(ms[0].ID)}}); res.status != http.StatusSeeOther {
		t.Fatalf("switch = %d", res.status)
	}
	if n := qido(); n != 1 || b.get("/studies/"+doeStudy).status != http.StatusNotFound {
		t.Errorf("after switching to Maya: %d studies and her mother's study visible", n)
	}
	mustContain(t, "dashboard", b.get("/studies").body, "Viewing: Maya")
	b.postForm("/members/switch", url.Values{"member": {"0"}})
	if n := qido(); n != 2 {
		t.Errorf("after switching back: %d studies, want 2", n)
	}
	// Someone else's member cannot be switched to, and others see nothing.
	bob, bb := e.patientWith("bob@example.org")
	if res := bb.postForm("/members/switch", url.Values{"member": {itoa(ms[0].ID)}}); res.status != http.StatusNotFound {
		t.Errorf("switch to another account's member = %d, want 404", res.status)
	}
	if n := countStudies(bb.get("/dicomweb/studies").body); n != 0 {
		t.Errorf("another patient sees %d studies", n)
	}
	_ = bob
	if res := b.postForm("/members/"+itoa(ms[0].ID)+"/delete", url.Values{}); res.status != http.StatusSeeOther || qido() != 1 {
		t.Errorf("remove member = %d; holder sees %d studies after, want 1", res.status, qido())
	}
	e.wantAudit("", "member.add", "user:"+itoa(alice.ID))
}

// pushHospital stores crafted studies as the hospital's PACS.
func pushHospital(e *testEnv, studies ...crafted) {
	e.t.Helper()
	tok := e.token("pacs-"+studies[0].Study, ScopeRead, ScopeWrite)
	for _, c := range studies {
		e.stowBytes(tok, craftDICOM(c))
	}
}

func matchedTo(e *testEnv, study string) []store.Member {
	ms, err := e.db.StudyMembers(context.Background(), study)
	if err != nil {
		e.t.Fatal(err)
	}
	return ms
}

// TestAutomaticMatching: studies the hospital pushes find their patient
// by phone and birth date, by national ID and birth date, and by a Patient
// ID learned from an earlier match; ambiguous ones are left alone.
func TestAutomaticMatching(t *testing.T) {
	e := newEnv(t)
	hash, _ := e.hasher.Hash(context.Background(), "patient-password")
	ravi, err := e.db.CreateUser(context.Background(), store.NewUser{Email: "ravi@example.org", Phone: "+919876543210", Name: "Ravi", Role: store.RolePatient, PasswordHash: hash})
	if err != nil {
		t.Fatal(err)
	}
	b := e.login("ravi@example.org", "patient-password")
	// A: phone and birth date (arrives before Ravi completes his details).
	pushHospital(e, crafted{Study: "2.25.1", PatientID: "MRN-1", Issuer: "CITY", Name: "Kumar^Ravi", Birth: "19800101",
		Phone: "098765 43210", Institution: "City Hospital", Accession: "A-1", Date: "20240301", Description: "CT chest"})
	// D: same phone, another birth date (his father): not his.
	pushHospital(e, crafted{Study: "2.25.4", PatientID: "MRN-9", Issuer: "CITY", Name: "Kumar^Anil", Birth: "19500101",
		Phone: "+91 98765 43210", Institution: "City Hospital", Accession: "A-4", Date: "20240302"})
	if len(matchedTo(e, "2.25.1")) != 0 {
		t.Fatal("matched before the account had any details")
	}
	res := b.postForm("/members", url.Values{"relationship": {"self"}, "name": {"Ravi Kumar"}, "birth_date": {"1980-01-01"}})
	if res.status != http.StatusSeeOther || !strings.Contains(res.header.Get("Location"), "matched=1") {
		t.Errorf("saving details = %d to %q, want one study matched", res.status, res.header.Get("Location"))
	}
	if ms := matchedTo(e, "2.25.1"); len(ms) != 1 || ms[0].HolderID != ravi.ID {
		t.Errorf("study A matched to %+v, want Ravi", ms)
	}
	if len(matchedTo(e, "2.25.4")) != 0 {
		t.Error("study D (another birth date) was matched")
	}
	// B: the Patient ID learned from A, no phone: matched on arrival.
	pushHospital(e, crafted{Study: "2.25.2", PatientID: "MRN-1", Issuer: "CITY", Name: "Kumar^Ravi", Birth: "19800101",
		Institution: "City Hospital", Accession: "A-2", Date: "20240401"})
	if ms := matchedTo(e, "2.25.2"); len(ms) != 1 {
		t.Errorf("study B (known Patient ID) matched to %d members, want 1", len(ms))
	}
	// Same Patient ID from another issuer: someone else.
	pushHospital(e, crafted{Study: "2.25.5", PatientID: "MRN-1", Issuer: "LAKE", Name: "Other^Person", Birth: "19990101",
		Institution: "Lake Clinic", Accession: "L-1", Date: "20240401"})
	if len(matchedTo(e, "2.25.5")) != 0 {
		t.Error("a Patient ID of another issuer was matched")
	}
	// C: his daughter by national ID in Other Patient IDs.
	b.postForm("/members", url.Values{"relationship": {"child"}, "name": {"Maya Kumar"}, "birth_date": {"2012-05-05"}, "id_number": {"abc-1234"}, "guardian": {"1"}})
	pushHospital(e, crafted{Study: "2.25.3", PatientID: "H-77", Name: "Kumar^Maya", Birth: "20120505", Others: "ABC1234",
		Institution: "City Hospital", Accession: "A-3", Date: "20240501"})
	if ms := matchedTo(e, "2.25.3"); len(ms) != 1 || ms[0].Name != "Maya Kumar" {
		t.Errorf("study C matched to %+v, want Maya", ms)
	}
	if n := countStudies(b.get("/dicomweb/studies").body); n != 3 {
		t.Errorf("Ravi sees %d studies, want A, B and C", n)
	}
	// A minor's identity cannot be an account's own ("Minors' accounts
	// need the guardian"): saving it as one's own details is refused.
	_, other := e.patientWith("x@example.org")
	res = other.postForm("/members", url.Values{"relationship": {"self"}, "name": {"X"}, "birth_date": {"2012-05-05"}, "id_number": {"ABC1234"}})
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "a parent or legal guardian adds you") {
		t.Errorf("a minor's birth date as one's own = %d, want 422 and the guardian message", res.status)
	}
	if _, err := e.db.SelfMember(context.Background(), mustUser(e, "x@example.org").ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the minor's own details were saved (%v)", err)
	}
	// E: two accounts claim the same child (ID number and birth date): left alone.
	other.postForm("/members", url.Values{"relationship": {"child"}, "name": {"X"}, "birth_date": {"2012-05-05"}, "id_number": {"ABC1234"}, "guardian": {"1"}})
	pushHospital(e, crafted{Study: "2.25.6", PatientID: "H-78", Name: "Kumar^Maya", Birth: "20120505", Others: "ABC1234",
		Institution: "City Hospital", Accession: "A-6", Date: "20240601"})
	if len(matchedTo(e, "2.25.6")) != 0 {
		t.Error("an ambiguous study was matched")
	}
	id, _ := e.db.StudyIdentityOf(context.Background(), "2.25.6")
	if id.MatchState != store.MatchAmbiguous {
		t.Errorf("ambiguous study's state = %s", id.MatchState)
	}
	e.wantAudit("2.25.1", "match.link", "system")
	e.wantAudit("2.25.6", "match.ambiguous", "system")
}

// TestManualMatching: accession number, date and organisation find a
// study after confirmation, and every study of its Patient ID follows.
func TestManualMatching(t *testing.T) {
	e := newEnv(t)
	pushHospital(e,
		crafted{Study: "2.25.11", PatientID: "LC-5", Issuer: "LAKE", Name: "Rao^Sita", Birth: "19700707", Institution: "Lake Clinic", Accession: "EX-9", Date: "20240410", Description: "MR knee"},
		crafted{Study: "2.25.12", PatientID: "LC-5", Issuer: "LAKE", Name: "Rao^Sita", Birth: "19700707", Institution: "Lake Clinic", Accession: "EX-10", Date: "20240501"},
		crafted{Study: "2.25.13", PatientID: "LC-6", Issuer: "LAKE", Name: "Other^One", Birth: "19600101", Institution: "Lake Clinic", Accession: "EX-11", Date: "20240501"},
	)
	sita, b := e.patientWith("sita@example.org")
	b.postForm("/members", url.Values{"relationship": {"self"}, "name": {"Sita Rao"}, "birth_date": {"1970-07-07"}})
	self, _ := e.db.SelfMember(context.Background(), sita.ID)
	form := url.Values{"member": {itoa(self.ID)}, "accession": {"ex-9"}, "date": {"2024-04-10"}, "institution": {"lake clinic"}}
	res := b.postForm("/members/match", form)
	if res.status != http.StatusOK || !strings.Contains(res.body, "We found this study") || !strings.Contains(res.body, "S. R.") {
		t.Fatalf("manual match = %d without the confirmation\n%s", res.status, res.body)
	}
	if len(matchedTo(e, "2.25.11")) != 0 {
		t.Error("matched before confirmation")
	}
	form.Set("confirm", "1")
	if res := b.postForm("/members/match", form); res.status != http.StatusSeeOther || !strings.Contains(res.header.Get("Location"), "matched=2") {
		t.Errorf("confirm = %d to %q, want both of her studies", res.status, res.header.Get("Location"))
	}
	if n := countStudies(b.get("/dicomweb/studies").body); n != 2 {
		t.Errorf("Sita sees %d studies, want 2", n)
	}
	// Another account cannot claim her study, and a wrong date finds nothing.
	_, mallory := e.patientWith("m@example.org")
	mallory.postForm("/members", url.Values{"relationship": {"self"}, "name": {"M"}, "birth_date": {"1970-07-07"}})
	bad := url.Values{"member": {"0"}, "accession": {"EX-9"}, "date": {"2024-04-10"}, "institution": {"Lake Clinic"}}
	ms, _ := e.db.Members(context.Background(), mustUser(e, "m@example.org").ID)
	bad.Set("member", itoa(ms[0].ID))
	if res := mallory.postForm("/members/match", bad); res.status != http.StatusNotFound {
		t.Errorf("claiming a matched study = %d, want 404", res.status)
	}
	bad.Set("accession", "EX-11")
	if res := mallory.postForm("/members/match", bad); res.status != http.StatusNotFound {
		t.Errorf("wrong date and birth date = %d, want 404", res.status)
	}
	e.wantAudit("", "match.manual_failed", "")
}

func mustUser(e *testEnv, email string) store.User {
	u, err := e.db.UserByLogin(context.Background(), email)
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}
