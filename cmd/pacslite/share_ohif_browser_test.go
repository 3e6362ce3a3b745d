package main

import (
	"context"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"testing"
	"time"

	"github.com/pacslite/pacslite/portal/account"
	"github.com/pacslite/pacslite/portal/store"
	"github.com/pacslite/pacslite/viewers/ohif"

	"github.com/pacslite/pacslite/portal"
)

// TestShareOHIFBrowser opens a password share in OHIF as its recipient
// (portal/e2e/share_ohif.test.mjs): no account, the link, the password,
// then "Open in OHIF". OHIF (viewers/ohif: the pinned @ohif/app build and
// viewers/ohif/app-config.js) is served on the portal's own origin behind
// a reverse proxy, as a deployment must for password shares (the unlock
// cookie is scoped to the share's path and OHIF sends no credentials
// across origins). The viewer must draw the shared study through the
// share's DICOMweb root only: every DICOMweb request it made is under
// /s/<token>/dicomweb, a QIDO there lists that one study, and another
// study's UID there is 404. Screenshot (with PACSLITE_UPDATE_SCREENSHOTS=1): portal/e2e/screenshots/share-ohif.png.
func TestShareOHIFBrowser(t *testing.T) {
	node, chromium, e2e := browserTools(t)
	dist, _ := filepath.Abs("../../viewers/ohif/dist")
	appConfig, _ := filepath.Abs("../../viewers/ohif/app-config.js")
	if _, err := os.Stat(filepath.Join(dist, "index.html")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("viewers/ohif/dist is missing: test.sh runs viewers/ohif/install.sh")
		}
		t.Skip("viewers/ohif/dist is missing (viewers/ohif/install.sh)")
	}

	// The site's front door: OHIF's files and routes, everything else to
	// pacslite. Its address is the site URL of share links and of OHIF.
	fln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	site := "http://" + fln.Addr().String()
	base, db := startTestServer(t, PortalConfig{Pages: true, SiteName: "City Hospital", OHIFURL: site,
		AdminEmail: "admin@example.org", AdminPassword: "admin-password-1",
		Sharing: SharingConfig{SiteURL: site, Downloads: true, UploadRetentionDays: 7, MaxShareDays: 30}})
	viewer, err := ohif.NewHandler(ohif.Options{Dist: dist, AppConfig: appConfig, DICOMweb: site + "/dicomweb"})
	if err != nil {
		t.Fatal(err)
	}
	backend, _ := url.Parse(base)
	front := &http.Server{Handler: sameOriginOHIF(dist, viewer, httputil.NewSingleHostReverseProxy(backend)),
		ReadHeaderTimeout: 10 * time.Second}
	go front.Serve(fln)
	defer front.Close()

	ctx := context.Background()
	token, _, err := portal.CreateAPIClient(ctx, db, "hospital-pacs", []string{portal.ScopeRead, portal.ScopeWrite}, "test")
	if err != nil {
		t.Fatal(err)
	}
	shared := stowFile(t, base, token, "suyashkumar/5.dcm")
	other := stowFile(t, base, token, "pydicom/CT_small.dcm")
	hasher := account.NewHasher(account.Params{Memory: 64, Time: 1, Threads: 1}, 1)
	hash, _ := hasher.Hash(ctx, "alice-password-1")
	alice, err := db.CreateUser(ctx, store.NewUser{Email: "alice@example.org", Name: "Alice Patient", Role: store.RolePatient, PasswordHash: hash})
	if err != nil {
		t.Fatal(err)
	}
	for _, uid := range []string{shared, other} { // both hers: only the share limits what OHIF reaches
		if err := db.LinkStudy(ctx, uid, alice.ID, "linked", "test"); err != nil {
			t.Fatal(err)
		}
	}

	runCtx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(runCtx, node, "share_ohif.test.mjs")
	cmd.Dir = e2e
	cmd.Env = append(os.Environ(), "BASE_URL="+site, "PATIENT_EMAIL=alice@example.org", "PATIENT_PASSWORD=alice-password-1",
		"STUDY="+shared, "OTHER_STUDY="+other, "SCREENSHOTS="+screenshotDir(t, e2e), "CHROMIUM="+chromium)
	out, err := cmd.CombinedOutput()
	t.Logf("browser test:\n%s", out)
	if err != nil {
		t.Fatalf("browser test failed: %v", err)
	}
	// The archive saw OHIF's requests as the share's, on the shared study only.
	evs, err := db.SearchAudit(ctx, store.AuditQuery{Role: "share", Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	frames := 0
	for _, e := range evs {
		if e.Action == "dicomweb.frames" && e.StudyUID == shared && e.Status == http.StatusOK {
			frames++
		}
		if e.StudyUID == other && e.Status < 400 {
			t.Errorf("share audit: %s on the other study answered %d", e.Action, e.Status)
		}
	}
	if frames == 0 {
		t.Errorf("no frames of the shared study in the audit trail as the share (%d share events)", len(evs))
	}
}

// sameOriginOHIF is the reverse proxy a deployment puts in front of
// pacslite so that OHIF shares the portal's origin. The prebuilt OHIF
// loads its files from the site's root, so its files (those in dist, but
// its index.html) and its /viewer route go to OHIF, everything else to
// pacslite: nginx's try_files $uri @pacslite with a location for /viewer.
func sameOriginOHIF(dist string, viewer, pacslite http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := path.Clean("/" + r.URL.Path)
		if p == "/viewer" || p == "/app-config.js" {
			viewer.ServeHTTP(w, r)
			return
		}
		if p != "/" && p != "/index.html" {
			if fi, err := os.Stat(filepath.Join(dist, filepath.FromSlash(p))); err == nil && !fi.IsDir() {
				viewer.ServeHTTP(w, r)
				return
			}
		}
		pacslite.ServeHTTP(w, r)
	})
}
