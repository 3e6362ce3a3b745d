package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestPortalFlags(t *testing.T) {
	parse := func(args []string, env map[string]string) (PortalConfig, []error) {
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		build := portalFlags(fs, func(k string) string { return env[k] })
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		return build()
	}
	c, errs := parse(nil, nil)
	if len(errs) > 0 || !c.Pages || !c.Signup || c.Anonymous || c.SiteName != "pacslite" {
		t.Errorf("defaults = %+v, %v; want pages and sign-up on, anonymous off", c, errs)
	}
	c, errs = parse([]string{"--ohif-url", "https://pacs.example.org/ohif/"}, map[string]string{
		"PACSLITE_DICOMWEB_ANONYMOUS": "true", "PACSLITE_ADMIN_EMAIL": "root@example.org", "PACSLITE_ADMIN_PASSWORD": "long enough",
	})
	if len(errs) > 0 || !c.Anonymous || c.AdminEmail != "root@example.org" || c.AdminPassword != "long enough" || c.OHIFURL != "https://pacs.example.org/ohif" {
		t.Errorf("from env and flags = %+v, %v", c, errs)
	}
	_, errs = parse([]string{"--signup", "maybe", "--ohif-url", "ftp://x"}, map[string]string{"PACSLITE_ADMIN_EMAIL": "nope", "PACSLITE_ADMIN_PASSWORD": "short"})
	if len(errs) != 4 {
		t.Errorf("bad values gave %d errors, want 4 (signup, OHIF URL, admin email, admin password): %v", len(errs), errs)
	}
}

func TestMountPortal(t *testing.T) {
	base := startPortalServer(t, PortalConfig{Pages: true, Signup: true, AdminEmail: "root@example.org", AdminPassword: "root-password"})
	res, err := http.Get(base + "/dicomweb/studies")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous QIDO = %d, want 401", res.StatusCode)
	}
	res, err = http.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "Log in") {
		t.Errorf("GET /login = %d, want the login page", res.StatusCode)
	}
}

// TestPortalBrowser drives Debian's Chromium through the portal with
// playwright-core (portal/e2e), against the server as serve wires it.
// Screenshots (with PACSLITE_UPDATE_SCREENSHOTS=1) land in portal/e2e/screenshots.
func TestPortalBrowser(t *testing.T) {
	node, chromium, e2e := browserTools(t)
	base := startPortalServer(t, PortalConfig{Pages: true, Signup: true, SiteName: "City Hospital",
		SupportPhone: "+91 20 5555 0100", AdminEmail: "admin@example.org", AdminPassword: "admin-password-1", OHIFURL: "/ohif"})
	testdata, _ := filepath.Abs("../../testdata")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "portal.test.mjs")
	cmd.Dir = e2e
	cmd.Env = append(os.Environ(), "BASE_URL="+base, "ADMIN_EMAIL=admin@example.org", "ADMIN_PASSWORD=admin-password-1",
		"TESTDATA="+testdata, "SCREENSHOTS="+screenshotDir(t, e2e), "CHROMIUM="+chromium)
	out, err := cmd.CombinedOutput()
	t.Logf("browser test:\n%s", out)
	var exit *exec.ExitError
	if errors.As(err, &exit) || err != nil {
		t.Fatalf("browser test failed: %v", err)
	}
}
