package portal

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pacslite/pacslite/portal/store"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

var oneTimeInPage = regexp.MustCompile(`<code class="one-time" id="[a-z-]+">([^<]+)</code>`)

func TestSignup(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	form := url.Values{"name": {"Jan Citizen"}, "email": {"jan@example.org"}, "phone": {"+91 98765 43210"}, "password": {"jan-password"}, "confirm": {"jan-password"}}
	res := b.postForm("/signup", form)
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/studies?welcome=1" {
		t.Fatalf("signup = %d to %q, want 303 to the dashboard\n%s", res.status, res.header.Get("Location"), res.body)
	}
	if body := b.get("/studies?welcome=1").body; !strings.Contains(body, "Welcome") || !strings.Contains(body, "No studies yet") {
		t.Errorf("dashboard after signup lacks the welcome and the empty state")
	}
	e.login("+91 98765-43210", "jan-password") // the phone number is a login too
	// The same email again: refused without saying which field is taken.
	form.Set("phone", "")
	res = e.browser().postForm("/signup", form)
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "could not create an account") || strings.Contains(res.body, "email exists") {
		t.Errorf("duplicate signup = %d, want 422 with the generic message", res.status)
	}
	form.Set("email", "not-an-email")
	form.Set("confirm", "other-password")
	if res := e.browser().postForm("/signup", form); res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "valid email") || !strings.Contains(res.body, "differ") {
		t.Errorf("bad signup = %d, want 422 naming both problems", res.status)
	}
}

func TestAdminCreatesAndResets(t *testing.T) {
	e := newEnv(t)
	e.user(store.RoleAdmin, "admin@example.org", "admin-password")
	admin := e.login("admin@example.org", "admin-password")
	res := admin.postForm("/admin/users", url.Values{"name": {"Dr Rao"}, "email": {"rao@example.org"}, "role": {"radiologist"}})
	m := oneTimeInPage.FindStringSubmatch(res.body)
	if res.status != http.StatusOK || m == nil {
		t.Fatalf("create radiologist = %d without a one-time password\n%s", res.status, res.body)
	}
	rad := e.login("rao@example.org", m[1])
	// A one-time password leads to Settings until it is replaced.
	if res := rad.get("/studies"); res.status != http.StatusSeeOther || res.header.Get("Location") != "/settings?must=1" {
		t.Errorf("GET /studies with a one-time password = %d to %q, want /settings?must=1", res.status, res.header.Get("Location"))
	}
	rad.postForm("/settings/password", url.Values{"current": {m[1]}, "password": {"rao-password"}, "confirm": {"rao-password"}})
	if res := rad.get("/studies"); res.status != http.StatusOK {
		t.Errorf("GET /studies after choosing a password = %d, want 200", res.status)
	}
	// The admin resets it: the radiologist is logged out, the old password dies.
	u, _ := e.db.UserByLogin(context.Background(), "rao@example.org")
	res = admin.postForm("/admin/users/"+itoa(u.ID)+"/password", url.Values{})
	m = oneTimeInPage.FindStringSubmatch(res.body)
	if res.status != http.StatusOK || m == nil {
		t.Fatalf("reset = %d without a one-time password", res.status)
	}
	if res := rad.get("/studies"); res.status != http.StatusSeeOther || !strings.HasPrefix(res.header.Get("Location"), "/login") {
		t.Errorf("radiologist's session after the reset: GET /studies = %d to %q, want the login page", res.status, res.header.Get("Location"))
	}
	if res := e.browser().postForm("/login", url.Values{"login": {"rao@example.org"}, "password": {"rao-password"}}); res.status != http.StatusUnauthorized {
		t.Errorf("old password after reset = %d, want 401", res.status)
	}
	e.login("rao@example.org", m[1])
	// A second account with the same email is refused.
	if res := admin.postForm("/admin/users", url.Values{"name": {"X"}, "email": {"RAO@example.org"}, "role": {"admin"}}); res.status != http.StatusConflict {
		t.Errorf("duplicate account = %d, want 409", res.status)
	}
	// Every admin action is in the audit trail.
	events, _ := e.db.Events(context.Background(), store.AuditFilter{Limit: 100})
	var actions []string
	for _, ev := range events {
		actions = append(actions, ev.Action)
	}
	for _, want := range []string{"user.create", "user.password_reset", "user.password_change", "login"} {
		if !strings.Contains(strings.Join(actions, " "), want) {
			t.Errorf("audit lacks %s: %v", want, actions)
		}
	}
}

func TestAdminLinksStudy(t *testing.T) {
	e := newEnv(t)
	e.seed()
	e.user(store.RoleAdmin, "admin@example.org", "admin-password")
	e.user(store.RolePatient, "bob@example.org", "bob-password")
	admin := e.login("admin@example.org", "admin-password")
	bob := e.login("bob@example.org", "bob-password")
	if res := bob.get("/studies/" + smithStudy); res.status != http.StatusNotFound {
		t.Fatalf("Bob sees Smith before the link: %d", res.status)
	}
	if res := admin.postForm("/studies/"+smithStudy+"/links", url.Values{"login": {"nobody@example.org"}}); res.status != http.StatusUnprocessableEntity {
		t.Errorf("link to an unknown account = %d, want 422", res.status)
	}
	if res := admin.postForm("/studies/"+smithStudy+"/links", url.Values{"login": {"bob@example.org"}}); res.status != http.StatusSeeOther {
		t.Fatalf("link = %d, want 303", res.status)
	}
	res := bob.get("/studies/" + smithStudy)
	if res.status != http.StatusOK || !strings.Contains(res.body, "CT Head") || !strings.Contains(res.body, "Smith, Jane") {
		t.Errorf("Bob's view of the linked study = %d, want 200 with its description and patient", res.status)
	}
	if body := bob.get("/studies").body; !strings.Contains(body, "Smith, Jane") || strings.Contains(body, "Doe, John") {
		t.Errorf("Bob's dashboard should list Smith only")
	}
	if body := admin.get("/studies/" + smithStudy).body; !strings.Contains(body, "bob@example.org") {
		t.Errorf("the study page does not show the admin who is linked")
	}
	bobUser, _ := e.db.UserByLogin(context.Background(), "bob@example.org")
	admin.postForm("/studies/"+smithStudy+"/links/"+itoa(bobUser.ID)+"/delete", url.Values{})
	if res := bob.get("/studies/" + smithStudy); res.status != http.StatusNotFound {
		t.Errorf("Bob after the unlink = %d, want 404", res.status)
	}
}

func TestDashboard(t *testing.T) {
	e := newEnv(t)
	e.seed()
	ctx := context.Background()
	e.user(store.RoleRadiologist, "rad@example.org", "rad-password")
	rad := e.login("rad@example.org", "rad-password")
	body := rad.get("/studies").body
	// Newest study date first: Smith (2023) before Doe (2022).
	if i, j := strings.Index(body, "Smith, Jane"), strings.Index(body, "Doe, John"); i < 0 || j < 0 || i > j {
		t.Errorf("dashboard order: Smith at %d, Doe at %d; want Smith first", i, j)
	}
	for _, want := range []string{"CT Head", "Abdomen US", "JS-9", "10 Jul 2023", "badge-ready", ">CT<", ">US<"} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard lacks %q", want)
		}
	}
	for q, want := range map[string]string{"smith": "Smith, Jane", "12345": "Doe, John", "abdomen": "Doe, John", "A-0042": "Doe, John"} {
		body := rad.get("/studies?q=" + url.QueryEscape(q)).body
		if !strings.Contains(body, want) || countRows(body) != 1 {
			t.Errorf("search %q: %d rows, want only %s", q, countRows(body), want)
		}
	}
	if body := rad.get("/studies?q=zzz").body; !strings.Contains(body, "No studies match") {
		t.Errorf("search without results lacks its empty state")
	}
	// Status and priority, as the payment and reporting features set them.
	if err := e.db.SetStudyPriority(ctx, doeStudy, store.PriorityUrgent, time.Now().Add(102*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := e.db.SetStudyStatus(ctx, smithStudy, store.StatusReported); err != nil {
		t.Fatal(err)
	}
	body = rad.get("/studies").body
	for _, want := range []string{"chip-priority", "1h 4", "m left", "badge-reported", "Reported"} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard lacks %q after priority and report", want)
		}
	}
	if body := rad.get("/studies/" + smithStudy).body; !strings.Contains(body, "Report available") {
		t.Errorf("reported study page lacks the report banner")
	}
}

func countRows(body string) int { return strings.Count(body, "<tr data-href=") }

func TestSupportRequest(t *testing.T) {
	e := newEnv(t)
	e.user(store.RoleAdmin, "admin@example.org", "admin-password")
	anon := e.browser()
	if res := anon.postForm("/support", url.Values{"name": {"Jan"}, "phone": {"12"}, "issue": {""}}); res.status != http.StatusUnprocessableEntity {
		t.Errorf("incomplete support request = %d, want 422", res.status)
	}
	res := anon.postForm("/support", url.Values{"name": {"Jan"}, "phone": {"+91 98765 43210"}, "issue": {"I cannot log in"}, "preferred": {"Evening (5–8)"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("support request = %d, want 303\n%s", res.status, res.body)
	}
	body := e.login("admin@example.org", "admin-password").get("/admin/support").body
	for _, want := range []string{"I cannot log in", "919876543210", "Evening (5–8)"} {
		if !strings.Contains(body, want) {
			t.Errorf("admin support list lacks %q", want)
		}
	}
	// Every page carries the support bubble.
	if !strings.Contains(anon.get("/login").body, `class="bubble"`) {
		t.Error("login page lacks the support bubble")
	}
}

func TestAuditRecord(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if err := e.db.Record(ctx, store.Event{Actor: "user:1", Role: "patient", Action: "study.view", StudyUID: "1.2"}); err != nil {
		t.Fatal(err)
	}
	events, err := e.db.Events(ctx, store.AuditFilter{StudyUID: "1.2"})
	if err != nil || len(events) != 1 || events[0].Action != "study.view" {
		t.Errorf("Events = %v, %v; want the one study.view", events, err)
	}
}

// TestPatientUploadIsHers stores a study with the portal session, the
// page's CSRF token and a paid upload, as the upload page does: it is hers
// and nobody else's.
func TestPatientUploadIsHers(t *testing.T) {
	pe := newPayEnv(t)
	e := pe.testEnv
	alice := e.user(store.RolePatient, "alice@example.org", "alice-password")
	e.user(store.RolePatient, "bob@example.org", "bob-password")
	a := e.login("alice@example.org", "alice-password")
	up := pe.payUpload(a, a.createUpload("standard", doeUpload))
	if res := a.stowFor(up.ID, "crafted/doe.dcm"); res.status != http.StatusOK {
		t.Fatalf("patient STOW = %d\n%s", res.status, res.body)
	}
	a.complete(up.ID, map[string]any{})
	if body := a.get("/studies").body; !strings.Contains(body, "Doe, John") || !strings.Contains(body, "badge-ready") {
		t.Errorf("Alice's dashboard lacks her upload")
	}
	if body := e.login("bob@example.org", "bob-password").get("/studies").body; strings.Contains(body, "Doe, John") {
		t.Errorf("Bob's dashboard shows Alice's upload")
	}
	events, _ := e.db.Events(context.Background(), store.AuditFilter{StudyUID: doeStudy})
	found := false
	for _, ev := range events {
		found = found || (ev.Action == "study.upload" && ev.Actor == "user:"+itoa(alice.ID))
	}
	if !found {
		t.Errorf("audit lacks Alice's upload: %+v", events)
	}
}
