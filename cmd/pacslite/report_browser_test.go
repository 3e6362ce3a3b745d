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
	"strings"
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

// startReportServer runs the server as serve wires it (like
// startPortalServer) and also opens its portal database, so that the test
// can set what the upload and payment features would (deadlines).
func startReportServer(t *testing.T, pc PortalConfig) (string, *store.DB) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	cfg := Config{DataDir: dir, AllowedOrigins: []string{"*"}}
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
	mux := http.NewServeMux()
	guarded, closer, err := mountPortal(ctx, mux, dw, cfg, pc, log)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, filepath.Join(dir, "portal.db"))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
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
	return "http://" + ln.Addr().String(), db
}

// stowFile stores one test file with STOW-RS and returns its study UID.
func stowFile(t *testing.T, base, token, file string) string {
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
	req.Header.Set("Accept", "application/dicom+json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	m := studyInRetrieveURL.FindSubmatch(b)
	if res.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("STOW %s: %d\n%s", file, res.StatusCode, b)
	}
	return string(m[1])
}

var studyInRetrieveURL = regexp.MustCompile(`/studies/([0-9.]+)`)

// TestReportBrowser drives Debian's Chromium through radiology reporting
// (portal/e2e/report.test.mjs): a radiologist works the worklist, claims a
// study, writes (autosave) and signs its report; the patient sees Reported,
// the banner and the report, prints it and downloads the PDF.
// Screenshots land in portal/e2e/screenshots/report-*.png.
func TestReportBrowser(t *testing.T) {
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
	base, db := startReportServer(t, PortalConfig{Pages: true, Signup: true, SiteName: "City Hospital",
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
		"SCREENSHOTS="+filepath.Join(e2e, "screenshots"), "CHROMIUM="+chromium)
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
