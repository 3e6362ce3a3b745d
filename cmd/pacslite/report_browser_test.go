package main

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/pacslite/pacslite/portal"
	"github.com/pacslite/pacslite/portal/account"
	"github.com/pacslite/pacslite/portal/store"
)

// TestReportBrowser drives Debian's Chromium through radiology reporting
// (portal/e2e/report.test.mjs): a radiologist works the worklist, claims a
// study, writes (autosave) and signs its report; the patient sees Reported,
// the banner and the report, prints it and downloads the PDF.
// Screenshots (with PACSLITE_UPDATE_SCREENSHOTS=1) land in portal/e2e/screenshots/report-*.png.
func TestReportBrowser(t *testing.T) {
	node, chromium, e2e := browserTools(t)
	base, db := startTestServer(t, PortalConfig{Pages: true, Signup: true, SiteName: "City Hospital",
		AdminEmail: "admin@example.org", AdminPassword: "admin-password-1", OHIFURL: "/ohif",
		Reports: ReportConfig{CriticalNotify: []string{"referrer@example.org"}}})
	ctx := context.Background()
	token, _, err := portal.CreateAPIClient(ctx, db, "hospital-pacs", []string{portal.ScopeRead, portal.ScopeWrite}, "test")
	if err != nil {
		t.Fatal(err)
	}
	// Three studies as the upload feature would leave them: a priority
	// CT due in 90 minutes, an overdue ultrasound, an MR due tomorrow.
	now := time.Now()
	ct, us, mr := stowFile(t, base, token, "crafted/smith.dcm"), stowFile(t, base, token, "crafted/doe.dcm"), stowFile(t, base, token, "pydicom/MR_small.dcm")
	for _, p := range []struct {
		uid, priority string
		due           time.Duration
	}{{ct, store.PriorityUrgent, 90 * time.Minute}, {us, "standard", -time.Hour}, {mr, "standard", 20 * time.Hour}} {
		if err := db.SetStudyPriority(ctx, p.uid, p.priority, now.Add(p.due)); err != nil {
			t.Fatal(err)
		}
	}
	hasher := account.NewHasher(account.Params{Memory: 64, Time: 1, Threads: 1}, 1)
	for _, u := range []store.NewUser{{Email: "rao@example.org", Name: "Dr Anjali Rao", Role: store.RoleRadiologist},
		{Email: "priya@example.org", Phone: "+919876500001", Name: "Priya Sharma", Role: store.RolePatient}} {
		if u.PasswordHash, err = hasher.Hash(ctx, strings.Split(u.Email, "@")[0]+"-password-1"); err != nil {
			t.Fatal(err)
		}
		created, err := db.CreateUser(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		if u.Role == store.RolePatient {
			if err := db.LinkStudy(ctx, ct, created.ID, "linked", "test"); err != nil {
				t.Fatal(err)
			}
		}
	}
	runCtx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(runCtx, node, "report.test.mjs")
	cmd.Dir = e2e
	cmd.Env = append(os.Environ(), "BASE_URL="+base, "ADMIN_EMAIL=admin@example.org", "ADMIN_PASSWORD=admin-password-1",
		"RAD_EMAIL=rao@example.org", "RAD_PASSWORD=rao-password-1", "PATIENT_EMAIL=priya@example.org", "PATIENT_PASSWORD=priya-password-1",
		"STUDY="+ct, "EXPECTED_ORDER="+strings.Join([]string{ct, us, mr}, ","), "OVERDUE="+us,
		"SCREENSHOTS="+screenshotDir(t, e2e), "CHROMIUM="+chromium)
	out, err := cmd.CombinedOutput()
	t.Logf("browser test:\n%s", out)
	if err != nil {
		t.Fatalf("browser test failed: %v", err)
	}
	// What the browser did is in the portal's records too.
	rep, err := db.GetReport(ctx, ct)
	if err != nil || rep.State != store.ReportFinal {
		t.Errorf("report of the CT = %+v, %v; want final", rep, err)
	}
	box, _ := db.Notifications(ctx, false, 50)
	if len(box) == 0 {
		t.Error("no notification in the outbox")
	}
}
