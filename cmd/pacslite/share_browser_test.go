package main

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/textproto"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/pacslite/pacslite/dicomweb"
	"github.com/pacslite/pacslite/portal"
	"github.com/pacslite/pacslite/portal/account"
	"github.com/pacslite/pacslite/portal/store"
	"github.com/pacslite/pacslite/store/blob/fsblob"
	"github.com/pacslite/pacslite/store/index"
)

// startShareServer runs the server as serve wires it and opens its portal
// database beside it, for the test to prepare accounts and read the
// outbox (the patient's phone).
func startShareServer(t *testing.T, pc PortalConfig) (string, *store.DB) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	cfg := Config{DataDir: dir, AllowedOrigins: []string{"*"}, Addr: "127.0.0.1:0"}
	idx, err := index.Open(ctx, filepath.Join(dir, "index.db"), index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	blobs, err := fsblob.New(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	dw, err := dicomweb.NewHandler(dicomweb.Options{Index: idx, Blobs: blobs, SpoolDir: filepath.Join(dir, "spool"), Prefix: "/dicomweb", AllowedOrigins: cfg.AllowedOrigins})
	if err != nil {
		t.Fatal(err)
	}
	log := zerolog.New(io.Discard)
	if testing.Verbose() {
		log = zerolog.New(zerolog.ConsoleWriter{Out: os.Stderr}).Level(zerolog.WarnLevel)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	pc.Sharing.SiteURL = base
	mux := http.NewServeMux()
	guarded, closer, err := mountPortal(ctx, mux, dw, cfg, pc, log)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, filepath.Join(dir, "portal.db"))
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: withRequestLog(log, withPrefix("/dicomweb/", guarded, mux)), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
		db.Close()
		closer.Close()
		idx.Close()
	})
	return base, db
}

// shareStow stores one test file as the hospital's PACS; it returns the
// study UID.
func shareStow(t *testing.T, base, token, file string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	part, _ := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {"application/dicom"}})
	part.Write(data)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, base+"/dicomweb/studies", &body)
	req.Header.Set("Content-Type", `multipart/related; type="application/dicom"; boundary=`+mw.Boundary())
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	m := regexp.MustCompile(`/studies/([0-9.]+)`).FindSubmatch(b)
	if res.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("STOW %s: %d\n%s", file, res.StatusCode, b)
	}
	return string(m[1])
}

// TestShareBrowser drives Debian's Chromium through sharing, downloads,
// activity and family members (portal/e2e/share.test.mjs): the owner
// shares a study with a password, a recipient opens it in a fresh
// browser, the owner revokes it; the owner downloads the originals with
// the security code from the outbox; the Activity lists it all; a family
// member's hospital study is matched and the member switch shows it.
// Screenshots land in portal/e2e/screenshots/share-*.png.
func TestShareBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped with -short")
	}
	e2e, _ := filepath.Abs("../../portal/e2e")
	missing := func(what string) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing: test.sh installs it", what)
		}
		t.Skipf("%s is missing (test.sh installs it)", what)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node")
	}
	chromium := os.Getenv("PACSLITE_CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		missing("Chromium (" + chromium + ")")
	}
	if _, err := os.Stat(filepath.Join(e2e, "node_modules", "playwright-core")); err != nil {
		missing("playwright-core (npm ci --prefix portal/e2e)")
	}
	base, db := startShareServer(t, PortalConfig{Pages: true, Signup: true, SiteName: "City Hospital",
		AdminEmail: "admin@example.org", AdminPassword: "admin-password-1",
		Sharing: SharingConfig{Downloads: true, UploadRetentionDays: 7, MaxShareDays: 30, Invitations: true}})
	ctx := context.Background()
	token, _, err := portal.CreateAPIClient(ctx, db, "hospital-pacs", []string{portal.ScopeRead, portal.ScopeWrite}, "test")
	if err != nil {
		t.Fatal(err)
	}
	own := shareStow(t, base, token, "suyashkumar/5.dcm")
	father := shareStow(t, base, token, "crafted/doe.dcm") // Doe^John, ID 12345, born 1980-10-10
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
		"SCREENSHOTS="+filepath.Join(e2e, "screenshots"), "CHROMIUM="+chromium)
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
