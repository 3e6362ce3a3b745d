package conformance

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// dicomdirStudies are the studies of testdata/pydicom/dicomdirtests and
// their instance counts, counted with pydicom 2.3.1 (81 instances; the 8
// DICOMDIR files and 2 READMEs are not instances).
var dicomdirStudies = map[string]int{
	"1.3.6.1.4.1.5962.1.1.0.0.0.1196533885.18148.0.1":                  11,
	"1.3.6.1.4.1.5962.1.1.0.0.0.1196533885.18148.0.133":                4,
	"1.3.6.1.4.1.5962.1.1.0.0.0.1196533885.18148.0.427":                2,
	"1.2.826.0.1.3680043.8.498.64108189007039777171766333999874882472": 50,
	"1.3.6.1.4.1.5962.1.1.0.0.0.1196527414.5534.0.1":                   3,
	"1.3.6.1.4.1.5962.1.1.0.0.0.1196530851.28319.0.1":                  4,
	"1.3.6.1.4.1.5962.1.1.0.0.0.1194734704.16302.0.1":                  7,
}

// importResult is what `pacslite import` printed and returned.
type importResult struct {
	code                    int
	stored, failed, skipped int
	stdout, stderr          string
}

var summaryLine = regexp.MustCompile(`stored (\d+), failed (\d+), skipped (\d+)`)

// runImport runs the built binary's import command against a server.
func runImport(t *testing.T, s *server, paths ...string) importResult {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"import", "--url", s.Root}, paths...)...)
	cmd.Env = append(os.Environ(), "PACSLITE_URL=", "PACSLITE_TOKEN=", "PACSLITE_TOKEN_FILE=")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := importResult{stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		res.code = exit.ExitCode()
	case err != nil:
		t.Fatalf("run pacslite import: %v", err)
	}
	m := summaryLine.FindStringSubmatch(res.stdout)
	if m == nil {
		t.Fatalf("no summary \"stored N, failed N, skipped N\" in the output:\nstdout: %s\nstderr: %s", res.stdout, res.stderr)
	}
	res.stored, _ = strconv.Atoi(m[1])
	res.failed, _ = strconv.Atoi(m[2])
	res.skipped, _ = strconv.Atoi(m[3])
	return res
}

// TestImport loads a CD-like tree with DICOMDIR files plus a folder of
// what USB sticks and CDs also hold (autorun.inf, an executable, a PDF,
// DICOM files without extension in nested folders).
func TestImport(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	extra := t.TempDir()
	write := func(rel string, b []byte) {
		p := filepath.Join(extra, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("autorun.inf", []byte("[autorun]\r\nopen=viewer\\viewer.exe\r\nicon=viewer\\icon.ico\r\n"))
	write("viewer/viewer.exe", append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), make([]byte, 2048)...))
	write("report.pdf", []byte("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"))
	write("IM0001", readTestdata(t, "pydicom/CT_small.dcm"))
	write("DATA/PAT1/STU1/SER1/IM0002", readTestdata(t, "crafted/doe.dcm"))

	res := runImport(t, s, testdata("pydicom/dicomdirtests"), extra)
	if res.code != 0 || res.stored != 83 || res.failed != 0 || res.skipped != 13 {
		t.Errorf("import: exit %d, stored %d, failed %d, skipped %d; want 0, 83, 0, 13 (81 + 2 instances; 8 DICOMDIR, 2 READMEs, 3 non-DICOM)\nstdout: %s\nstderr: %s",
			res.code, res.stored, res.failed, res.skipped, res.stdout, res.stderr)
	}

	want := map[string]int{corpusFile("pydicom/CT_small.dcm").study: 1, corpusFile("crafted/doe.dcm").study: 1}
	for k, v := range dicomdirStudies {
		want[k] = v
	}
	got := map[string]int{}
	for _, st := range s.qido(t, "/studies") {
		n, _ := strconv.Atoi(st.str(tagStudyRelatedInstances))
		got[st.str(tagStudyInstanceUID)] = n
	}
	if !sameCounts(got, want) {
		t.Errorf("studies after import (UID: instances):\ngot  %v\nwant %v", got, want)
	}
	if n := len(s.qido(t, "/instances?limit=1000")); n != 83 {
		t.Errorf("QIDO finds %d instances, want 83", n)
	}

	// Importing the same again stores the same instances again: nothing new.
	again := runImport(t, s, testdata("pydicom/dicomdirtests"))
	if again.code != 0 || again.stored != 81 || again.failed != 0 {
		t.Errorf("second import: exit %d, stored %d, failed %d; want 0, 81, 0", again.code, again.stored, again.failed)
	}
	if n := len(s.qido(t, "/instances?limit=1000")); n != 83 {
		t.Errorf("QIDO finds %d instances after importing again, want 83", n)
	}
}

// TestImportFailures: a file the archive refuses is counted as failed,
// named with a reason, and makes the exit status 1; the others are stored.
func TestImportFailures(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	dir := t.TempDir()
	for name, src := range map[string]string{"good.dcm": "pydicom/CT_small.dcm", "truncated.dcm": "pydicom/MR_truncated.dcm", "noUIDs.dcm": "pydicom/priv_SQ.dcm"} {
		if err := os.WriteFile(filepath.Join(dir, name), readTestdata(t, src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res := runImport(t, s, dir)
	if res.code != 1 || res.stored != 1 || res.failed != 2 {
		t.Errorf("import: exit %d, stored %d, failed %d; want 1, 1, 2\nstdout: %s\nstderr: %s", res.code, res.stored, res.failed, res.stdout, res.stderr)
	}
	for _, name := range []string{"truncated.dcm", "noUIDs.dcm"} {
		if !strings.Contains(res.stdout, name) {
			t.Errorf("the summary does not name the failed file %s:\n%s", name, res.stdout)
		}
	}
	if n := len(s.qido(t, "/instances")); n != 1 {
		t.Errorf("QIDO finds %d instances, want 1", n)
	}

	// A server that is not there: every file fails, exit status 1.
	s.stop()
	res = runImport(t, s, filepath.Join(dir, "good.dcm"))
	if res.code == 0 || res.stored != 0 {
		t.Errorf("import to a stopped server: exit %d, stored %d; want a failure", res.code, res.stored)
	}
}

func sameCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	keys := make([]string, 0, len(a))
	for k := range a {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if a[k] != b[k] {
			return false
		}
	}
	return true
}
