package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/pacslite/pacslite/portal"
	"github.com/pacslite/pacslite/portal/account"
	"github.com/pacslite/pacslite/portal/store"
)

// TestShareBrowser drives Debian's Chromium through sharing, downloads,
// activity and family members (portal/e2e/share.test.mjs): the owner
// shares a study with a password, a recipient opens it in a fresh
// browser, the owner revokes it; the owner downloads the originals with
// the security code from the outbox; the Activity lists it all; a family
// member's hospital study is matched and the member switch shows it.
// Screenshots (with PACSLITE_UPDATE_SCREENSHOTS=1) land in portal/e2e/screenshots/share-*.png.
func TestShareBrowser(t *testing.T) {
	node, chromium, e2e := browserTools(t)
	base, db := startTestServer(t, PortalConfig{Pages: true, Signup: true, SiteName: "City Hospital",
		AdminEmail: "admin@example.org", AdminPassword: "admin-password-1",
		Sharing: SharingConfig{Downloads: true, UploadRetentionDays: 7, MaxShareDays: 30, Invitations: true}})
	ctx := context.Background()
	token, _, err := portal.CreateAPIClient(ctx, db, "hospital-pacs", []string{portal.ScopeRead, portal.ScopeWrite}, "test")
	if err != nil {
		t.Fatal(err)
	}
	own := stowFile(t, base, token, "suyashkumar/5.dcm")
	father := stowFile(t, base, token, "crafted/doe.dcm") // Doe^John, ID 12345, born 1980-10-10
	hasher := account.NewHasher(account.Params{Memory: 64, Time: 1, Threads: 1}, 1)
	hash, _ := hasher.Hash(ctx, "alice-password-1")
	alice, err := db.CreateUser(ctx, store.NewUser{Email: "alice@example.org", Phone: "+919876543210", Name: "Alice Patient", Role: store.RolePatient, PasswordHash: hash})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.LinkStudy(ctx, own, alice.ID, "linked", "test"); err != nil {
		t.Fatal(err)
	}
	// The patient's phone and mailbox: the latest message of a kind.
	outbox := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ns, err := db.Notifications(r.Context(), false, 50)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		for _, n := range ns {
			if n.Kind == r.URL.Query().Get("kind") && n.Channel == r.URL.Query().Get("channel") {
				io.WriteString(w, n.Body)
				return
			}
		}
		http.NotFound(w, r)
	})}
	oln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go outbox.Serve(oln)
	defer outbox.Close()

	runCtx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(runCtx, node, "share.test.mjs")
	cmd.Dir = e2e
	cmd.Env = append(os.Environ(), "BASE_URL="+base, "OUTBOX_URL=http://"+oln.Addr().String(),
		"ADMIN_EMAIL=admin@example.org", "ADMIN_PASSWORD=admin-password-1",
		"PATIENT_EMAIL=alice@example.org", "PATIENT_PASSWORD=alice-password-1", "STUDY="+own, "FATHER_STUDY="+father,
		"SCREENSHOTS="+screenshotDir(t, e2e), "CHROMIUM="+chromium)
	out, err := cmd.CombinedOutput()
	t.Logf("browser test:\n%s", out)
	if err != nil {
		t.Fatalf("browser test failed: %v", err)
	}
	// What the browser did is in the audit trail.
	for _, action := range []string{"share.create", "share.password_failed", "share.unlock", "share.open", "share.revoke",
		"share.refused", "download.code_sent", "download.code_ok", "download.zip", "match.link"} {
		evs, err := db.SearchAudit(ctx, store.AuditQuery{Action: action, Limit: 1})
		if err != nil || len(evs) == 0 {
			t.Errorf("no %s in the audit trail (%v)", action, err)
		}
	}
}
