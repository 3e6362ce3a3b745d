package portal

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/pacslite/pacslite/portal/store"
)

// TestActivityAndAuditSearch: the patient's Activity lists her own
// accesses, the share she made and its opening; admins search the trail
// and export it as CSV; other patients see no Activity of her study.
func TestActivityAndAuditSearch(t *testing.T) {
	e := newEnv(t)
	e.seed()
	_, alice := e.patientWith("alice@example.org", doeStudy)
	alice.get("/studies/" + doeStudy)
	alice.get("/studies/" + doeStudy + "/viewer")
	token, _ := alice.share(t, doeStudy, map[string]string{"label": "Dr Rao"})
	doc := e.browser()
	doc.get("/s/" + token)
	doc.get("/s/" + token + "/dicomweb/studies/" + doeStudy + "/metadata")
	e.user(store.RoleRadiologist, "rad@example.org", "rad-password-1")
	e.login("rad@example.org", "rad-password-1").get("/studies/" + doeStudy)

	res := alice.get("/studies/" + doeStudy + "/activity")
	if res.status != http.StatusOK {
		t.Fatalf("activity = %d", res.status)
	}
	mustContain(t, "activity", res.body, "Opened the study page", "Opened the image viewer", "Created a share link",
		"Opened the shared link", "Share for Dr Rao", "Viewed images", "Radiologist rad", ">You<")
	if got := e.login2(t).get("/studies/" + doeStudy + "/activity").status; got != http.StatusNotFound {
		t.Errorf("another patient's GET of the activity = %d, want 404", got)
	}

	e.user(store.RoleAdmin, "admin@example.org", "admin-password")
	admin := e.login("admin@example.org", "admin-password")
	res = admin.get("/admin/audit?" + url.Values{"action": {"share."}, "study": {doeStudy}}.Encode())
	if res.status != http.StatusOK || !strings.Contains(res.body, "share.create") || !strings.Contains(res.body, "share.open") || strings.Contains(res.body, ">study.view<") {
		t.Errorf("audit search for share actions = %d", res.status)
	}
	if res := admin.get("/admin/audit?from=yesterday"); res.status != http.StatusUnprocessableEntity {
		t.Errorf("bad date = %d, want 422", res.status)
	}
	res = admin.get("/admin/audit.csv?action=share.")
	if res.status != http.StatusOK || !strings.HasPrefix(res.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("CSV = %d %s", res.status, res.header.Get("Content-Type"))
	}
	rows, err := csv.NewReader(strings.NewReader(res.body)).ReadAll()
	if err != nil || len(rows) < 3 || rows[0][4] != "action" {
		t.Fatalf("CSV rows = %v, %v", rows, err)
	}
	for _, r := range rows[1:] {
		if !strings.HasPrefix(r[4], "share.") {
			t.Errorf("CSV row %v is not a share action", r)
		}
	}
	if got := alice.get("/admin/audit").status; got != http.StatusForbidden {
		t.Errorf("patient's GET /admin/audit = %d, want 403", got)
	}
	// Shares for admins, with revoke.
	mustContain(t, "admin shares", admin.get("/admin/shares").body, "for Dr Rao", "Revoke")
	// Append-only: the trail refuses changes whoever asks.
	if _, err := e.db.SearchAudit(context.Background(), store.AuditQuery{Limit: 1}); err != nil {
		t.Fatal(err)
	}
	if cell("=HYPERLINK(1)") != "'=HYPERLINK(1)" || cell("user:1") != "user:1" {
		t.Error("CSV cells are not defused")
	}
}

var inviteInMessage = regexp.MustCompile(`/invite/([A-Za-z0-9_-]+)`)

// TestInvitation: a hospital study that matches nobody invites its patient
// by SMS; the link activates an account that sees the study. Minors are
// not invited.
func TestInvitation(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.Sharing.Invitations = true; o.Sharing.SiteURL = "https://pacs.example.org" })
	pushHospital(e,
		crafted{Study: "2.25.31", PatientID: "N-1", Issuer: "CITY", Name: "Nair^Asha", Birth: "19850303", Phone: "+91 99887 76655", Institution: "City Hospital", Accession: "N1", Date: "20240601"},
		crafted{Study: "2.25.32", PatientID: "N-2", Name: "Nair^Kid", Birth: "20180101", Phone: "+91 99887 76655", Institution: "City Hospital", Accession: "N2", Date: "20240601"},
	)
	ns, _ := e.db.Notifications(context.Background(), false, 10)
	var link []string
	for _, n := range ns {
		if n.Kind == "invitation" {
			if n.Recipient != "+919988776655" || !strings.Contains(n.Body, "https://pacs.example.org/invite/") {
				t.Errorf("invitation to %q: %q", n.Recipient, n.Body)
			}
			link = append(link, inviteInMessage.FindStringSubmatch(n.Body)[1])
		}
	}
	if len(link) != 1 {
		t.Fatalf("%d invitations, want 1 (the minor is not invited)", len(link))
	}
	b := e.browser()
	if res := b.get("/invite/" + link[0]); res.status != http.StatusOK || !strings.Contains(res.body, "Nair, Asha") {
		t.Errorf("invitation page = %d", res.status)
	}
	res := b.postForm("/invite/"+link[0], url.Values{"name": {"Asha Nair"}, "email": {"asha@example.org"}, "password": {"asha-password"}, "confirm": {"asha-password"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("activate = %d\n%s", res.status, res.body)
	}
	if n := countStudies(b.get("/dicomweb/studies").body); n != 1 {
		t.Errorf("the new account sees %d studies, want her one", n)
	}
	if res := e.browser().get("/invite/" + link[0]); res.status != http.StatusGone {
		t.Errorf("used invitation = %d, want 410", res.status)
	}
	// A later study of hers follows by Patient ID.
	pushHospital(e, crafted{Study: "2.25.33", PatientID: "N-1", Issuer: "CITY", Name: "Nair^Asha", Birth: "19850303", Institution: "City Hospital", Accession: "N3", Date: "20240701"})
	if n := countStudies(b.get("/dicomweb/studies").body); n != 2 {
		t.Errorf("after a second study she sees %d, want 2", n)
	}
	e.wantAudit("2.25.32", "invitation.skipped", "system")
}
