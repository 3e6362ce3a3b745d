package conformance

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pacslite/pacslite/viewers/ohif"
)

// ohifStudies are the studies the OHIF test stores, with what OHIF's study
// list shows for them (its own "Family, Given" name format) and the name
// of the screenshot of each in the viewer.
var ohifStudies = []struct {
	file, name, id, shot string
	scroll               bool // a multi-frame series: the wheel must change the slice
}{
	{"suyashkumar/5.dcm", "Perfusion, MCA Stroke", "0010", "ct-multiframe", true},
	{"pydicom/CT_small.dcm", "CompressedSamples, CT1", "1CT1", "ct", false},
	{"pydicom/MR_small.dcm", "CompressedSamples, MR1", "4MR1", "mr", false},
	{"pydicom/SC_rgb_jpeg_dcmtk.dcm", "Lestrade, G", "ID1", "jpeg-rgb", false},
}

// TestOHIF opens the archive in OHIF v3 (viewers/ohif: the pinned @ohif/app
// build, served from another origin as in real deployments) in Debian's
// Chromium driven by playwright-core: study list, viewer, scrolling, no
// failed request (viewers/ohif/ohif.test.mjs). OHIF sends an API token
// created with `pacslite token create`; the archive also runs with
// anonymous DICOMweb. Screenshots land in viewers/screenshots with PACSLITE_UPDATE_SCREENSHOTS=1. Under
// CI=true a missing browser, node or OHIF install fails the test;
// elsewhere it skips (test.sh installs them).
func TestOHIF(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped with -short")
	}
	dir, err := filepath.Abs(filepath.Join("..", "viewers", "ohif"))
	if err != nil {
		t.Fatal(err)
	}
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
	for _, f := range []string{"node_modules/playwright-core/package.json", "dist/index.html"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			missing("viewers/ohif/" + f + " (viewers/ohif/install.sh)")
		}
	}

	s := startServer(t, withEnv("PACSLITE_DICOMWEB_ANONYMOUS=true"))
	type study struct {
		UID    string `json:"uid"`
		Name   string `json:"name"`
		ID     string `json:"id"`
		Shot   string `json:"shot"`
		Scroll bool   `json:"scroll"`
	}
	var studies []study
	for _, st := range ohifStudies {
		s.stowFiles(t, st.file)
		found := s.qido(t, "/studies?PatientID="+st.id)
		if len(found) != 1 {
			t.Fatalf("QIDO PatientID=%s: %d studies, want 1", st.id, len(found))
		}
		studies = append(studies, study{UID: found[0].str("0020000D"), Name: st.name, ID: st.id, Shot: st.shot, Scroll: st.scroll})
	}
	token := createToken(t, s, "ohif-test", "dicomweb:read")

	h, err := ohif.NewHandler(ohif.Options{Dist: filepath.Join(dir, "dist"), AppConfig: filepath.Join(dir, "app-config.js"),
		DICOMweb: s.Root, Token: token})
	if err != nil {
		t.Fatal(err)
	}
	web := httptest.NewServer(h) // another origin than the archive, as deployed
	defer web.Close()

	list, _ := json.Marshal(studies)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	// The committed screenshots are refreshed only on purpose, so a test
	// run leaves the working tree as it was.
	shots := t.TempDir()
	if os.Getenv("PACSLITE_UPDATE_SCREENSHOTS") == "1" {
		shots = filepath.Join(dir, "..", "screenshots")
	}
	cmd := exec.CommandContext(ctx, node, "ohif.test.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "OHIF_URL="+web.URL, "DICOMWEB_URL="+s.Root, "TOKEN="+token,
		"STUDIES="+string(list), "SCREENSHOTS="+shots, "CHROMIUM="+chromium)
	out, err := cmd.CombinedOutput()
	t.Logf("OHIF browser test:\n%s", out)
	if err != nil {
		t.Fatalf("OHIF browser test failed: %v", err)
	}
}

// createToken creates an API token with the given scopes in the server's
// data folder (`pacslite token create`, which works while the server runs).
func createToken(t *testing.T, s *server, name, scopes string) string {
	t.Helper()
	cmd := exec.Command(binary, "token", "create", "--data", s.DataDir, "--name", name, "--scope", scopes)
	cmd.Env = append(os.Environ(), "PACSLITE_DATA=")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pacslite token create: %v\n%s", err, out)
	}
	tok := strings.TrimSpace(string(out))
	if tok == "" || strings.ContainsAny(tok, " \n") {
		t.Fatalf("pacslite token create printed %q, want one token", out)
	}
	return tok
}
