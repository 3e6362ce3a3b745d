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
	"github.com/pacslite/pacslite/portal/store"
	"github.com/pacslite/pacslite/store/blob/fsblob"
	"github.com/pacslite/pacslite/store/index"
)

// startTestServer runs the archive with the portal as serve wires them, on
// a loopback port, until the test ends. It also opens the portal database,
// so that a test can prepare what other features would have done (accounts,
// deadlines) and read the outbox. The share links' site URL is the server's.
func startTestServer(t *testing.T, pc PortalConfig) (string, *store.DB) {
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
	if pc.Sharing.SiteURL == "" {
		pc.Sharing.SiteURL = base
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

// startPortalServer is startTestServer for tests that need only the URL.
func startPortalServer(t *testing.T, pc PortalConfig) string {
	t.Helper()
	base, _ := startTestServer(t, pc)
	return base
}

// browserTools finds node, Debian's Chromium and playwright-core for the
// browser tests and returns their paths and the e2e folder. A missing tool
// skips the test locally and fails it under CI=true (test.sh installs them).
func browserTools(t *testing.T) (node, chromium, e2e string) {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped with -short")
	}
	e2e, _ = filepath.Abs("../../portal/e2e")
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
	chromium = os.Getenv("PACSLITE_CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		missing("Chromium (" + chromium + ")")
	}
	if _, err := os.Stat(filepath.Join(e2e, "node_modules", "playwright-core")); err != nil {
		missing("playwright-core (npm ci --prefix portal/e2e)")
	}
	return node, chromium, e2e
}

// screenshotDir is where a browser test saves its screenshots: the
// committed portal/e2e/screenshots when PACSLITE_UPDATE_SCREENSHOTS=1 (to
// refresh them on purpose), else a temporary folder, so a test run leaves
// the working tree as it was.
func screenshotDir(t *testing.T, e2e string) string {
	if os.Getenv("PACSLITE_UPDATE_SCREENSHOTS") == "1" {
		return filepath.Join(e2e, "screenshots")
	}
	return t.TempDir()
}

// stowFile stores one test file with STOW-RS as a PACS with an API token
// would, and returns its study UID.
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
