package main

import (
	"context"
	"errors"
	"io/fs"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pacslite/pacslite/portal/payment/razorpayfake"
)

// TestUploadBrowser drives the upload flow in Debian's Chromium with
// playwright-core (portal/e2e/upload.test.mjs): folders that look like
// real CDs, the summary, duplicates, consent, Razorpay Checkout (the fake,
// over real HTTP on its own origin, with razorpay-go talking to it),
// progress, a failure mid-way and its resumption, the dashboard's
// Priority chip, an admin refund to credit and an upload paid by credit.
// Screenshots (with PACSLITE_UPDATE_SCREENSHOTS=1) land in portal/e2e/screenshots/upload-*.png.
func TestUploadBrowser(t *testing.T) {
	node, chromium, e2e := browserTools(t)
	fake := razorpayfake.New(razorpayfake.Options{KeyID: "rzp_test_browser", KeySecret: "browser-key-secret", WebhookSecret: "browser-hook-secret"})
	fakeSrv := httptest.NewServer(fake)
	defer fakeSrv.Close()
	pay := PaymentConfig{KeyID: "rzp_test_browser", KeySecret: "browser-key-secret", WebhookSecret: "browser-hook-secret",
		APIURL: fakeSrv.URL, CheckoutURL: fakeSrv.URL + "/checkout.js", StandardPrice: 250000, PriorityPrice: 400000,
		StandardTurnaround: 24 * time.Hour, PriorityTurnaround: 2 * time.Hour, ResumeWindow: 24 * time.Hour}
	base := startPortalServer(t, PortalConfig{Pages: true, Signup: true, SiteName: "City Hospital",
		AdminEmail: "admin@example.org", AdminPassword: "admin-password-1", Payments: pay})
	fake.SetWebhookURL(base + "/payments/razorpay/webhook")
	defer fake.Flush()

	// Read here so that go test's cache knows the script: a changed
	// script runs again.
	if _, err := os.ReadFile(filepath.Join(e2e, "upload.test.mjs")); err != nil {
		t.Fatal(err)
	}
	folders := makeCDFolders(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "upload.test.mjs")
	cmd.Dir = e2e
	cmd.Env = append(os.Environ(), "BASE_URL="+base, "ADMIN_EMAIL=admin@example.org", "ADMIN_PASSWORD=admin-password-1",
		"CD_FIRST="+folders[0], "CD_SECOND="+folders[1], "CD_THIRD="+folders[2],
		"SCREENSHOTS="+screenshotDir(t, e2e), "CHROMIUM="+chromium)
	out, err := cmd.CombinedOutput()
	t.Logf("browser test:\n%s", out)
	var exit *exec.ExitError
	if errors.As(err, &exit) || err != nil {
		t.Fatalf("browser test failed: %v", err)
	}
}

// makeCDFolders builds three folders the way CDs and USB drives hold
// scans: DICOMDIR indexes, nested folders, files without extensions, and
// things that are not DICOM (a viewer, autorun, a PDF).
//   - first: Citizen^Jan's CT file-set (TINY_ALPHA, with its DICOMDIR) and
//     one file of each of Doe^Peter's three MR studies;
//   - second: all of Doe^Peter's MR files (the three studies again) and
//     Doe^Archibald's CR and CT studies, under a DICOMDIR;
//   - third: one new study, for the upload paid by credit.
func makeCDFolders(t *testing.T) [3]string {
	t.Helper()
	src, _ := filepath.Abs("../../testdata/pydicom")
	dirs := src + "/dicomdirtests"
	root := t.TempDir()
	var out [3]string
	for i, tree := range [][][2]string{
		{{dirs + "/TINY_ALPHA", "CD/TINY_ALPHA"}, {dirs + "/98892003/MR1", "CD/DICOM/MR1"}, {dirs + "/DICOMDIR", "CD/DICOMDIR"}},
		{{dirs + "/98892003", "USB/SCANS/98892003"}, {dirs + "/77654033", "USB/SCANS/77654033"}, {dirs + "/DICOMDIR-implicit", "USB/DICOMDIR"}},
		{{src + "/CT_small.dcm", "OLD CD/IMAGES/IM0001"}},
	} {
		top := filepath.Join(root, strings.SplitN(tree[0][1], "/", 2)[0])
		for _, c := range tree {
			copyTree(t, c[0], filepath.Join(root, c[1]))
		}
		for name, body := range map[string]string{
			"AUTORUN.INF":            "[autorun]\r\nopen=VIEWER\\viewer.exe\r\n",
			"VIEWER/viewer.exe":      "MZ\x90\x00\x03\x00\x00\x00\x04\x00 not a real program",
			"VIEWER/Help/manual.pdf": "%PDF-1.4\n% a manual\n",
			"README.TXT":             "Images of your examination. Open with the viewer.\n",
		} {
			p := filepath.Join(top, name)
			os.MkdirAll(filepath.Dir(p), 0o755)
			if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		out[i] = top
	}
	return out
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		os.MkdirAll(filepath.Dir(dst), 0o755)
		return os.WriteFile(dst, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
