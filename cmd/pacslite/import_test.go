package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/suyashkumar/dicom"
	"github.com/suyashkumar/dicom/pkg/tag"
)

// stowServer is a STOW-RS endpoint that stores every part except those
// whose SOP Instance UID is in fail.
type stowServer struct {
	t    *testing.T
	fail map[string]bool

	mu    sync.Mutex
	auth  []string
	parts int
}

func (s *stowServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.auth = append(s.auth, r.Header.Get("Authorization"))
	s.mu.Unlock()
	if r.Method != http.MethodPost || r.URL.Path != "/dicomweb/studies" {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		http.Error(w, "bad content type", http.StatusUnsupportedMediaType)
		return
	}
	var stored, failed []any
	mr := multipart.NewReader(r.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			http.Error(w, "bad multipart", http.StatusBadRequest)
			return
		}
		b, _ := io.ReadAll(p)
		uid := sopInstanceUID(s.t, b)
		s.mu.Lock()
		s.parts++
		s.mu.Unlock()
		item := map[string]any{"00081155": map[string]any{"vr": "UI", "Value": []string{uid}}}
		if s.fail[uid] {
			item["00081197"] = map[string]any{"vr": "US", "Value": []int{0xC000}}
			failed = append(failed, item)
		} else {
			stored = append(stored, item)
		}
	}
	resp := map[string]any{}
	status := http.StatusOK
	if len(stored) > 0 {
		resp["00081199"] = map[string]any{"vr": "SQ", "Value": stored}
	}
	if len(failed) > 0 {
		resp["00081198"] = map[string]any{"vr": "SQ", "Value": failed}
		status = http.StatusAccepted
	}
	w.Header().Set("Content-Type", "application/dicom+json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(resp)
}

func sopInstanceUID(t *testing.T, b []byte) string {
	ds, err := dicom.Parse(bytes.NewReader(b), int64(len(b)), nil, dicom.SkipPixelData())
	if err != nil {
		t.Errorf("server: parse part: %v", err)
		return ""
	}
	el, err := ds.FindElementByTag(tag.SOPInstanceUID)
	if err != nil {
		t.Errorf("server: part without SOP Instance UID")
		return ""
	}
	return dicom.MustGetStrings(el.Value)[0]
}

// importTree makes a CD-like folder with 3 instances and 2 other files.
func importTree(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	copies := map[string]string{
		"DICOM/IM0":   "pydicom/CT_small.dcm",
		"DICOM/IM1":   "pydicom/MR_small.dcm",
		"DICOM/A/IM2": "pydicom/rtplan.dcm",
		"DICOMDIR":    "pydicom/dicomdirtests/TINY_ALPHA/DICOMDIR",
	}
	for dst, src := range copies {
		b, err := os.ReadFile(filepath.Join("..", "..", "testdata", filepath.FromSlash(src)))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(root, filepath.FromSlash(dst)), b)
	}
	writeFile(t, filepath.Join(root, "autorun.inf"), []byte("[autorun]\r\nopen=viewer.exe\r\n"))
	return root
}

func writeFile(t *testing.T, p string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// runTestImport runs the command with env vars from vars.
func runTestImport(t *testing.T, vars map[string]string, tty bool, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	env := importEnv{
		getenv:     func(k string) string { return vars[k] },
		isTerminal: func(io.Writer) bool { return tty },
		retryDelay: 1,
	}
	var out, errOut bytes.Buffer
	code = env.run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// ctSmallUID is the SOP Instance UID of testdata/pydicom/CT_small.dcm.
const ctSmallUID = "1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322"

func TestImport(t *testing.T) {
	srv := &stowServer{t: t}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	root := importTree(t)

	code, stdout, stderr := runTestImport(t, nil, false, "--url", ts.URL+"/dicomweb", "--token", "tok", "--batch", "2", root)
	if code != 0 {
		t.Fatalf("import exit code = %d, want 0\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	if want := "stored 3, failed 0, skipped 2 (non-DICOM), 0.1 MB in "; !strings.HasPrefix(stdout, want) {
		t.Errorf("stdout = %q, want it to start with %q", stdout, want)
	}
	if want := "found 3 DICOM files (0.1 MB), skipped 2 (1 DICOMDIR)\n"; !strings.HasPrefix(stderr, want) {
		t.Errorf("stderr = %q, want it to start with %q", stderr, want)
	}
	if !strings.Contains(stderr, "3/3 files done, 0.1/0.1 MB sent") {
		t.Errorf("stderr = %q, want a final progress line", stderr)
	}
	if srv.parts != 3 || len(srv.auth) != 2 || srv.auth[0] != "Bearer tok" {
		t.Errorf("server got %d parts in %d requests with Authorization %q, want 3 in 2 with %q", srv.parts, len(srv.auth), srv.auth, "Bearer tok")
	}
}

func TestImportFailures(t *testing.T) {
	srv := &stowServer{t: t, fail: map[string]bool{ctSmallUID: true}}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	root := importTree(t)

	// URL and token from the environment; a terminal gets the bar.
	vars := map[string]string{"PACSLITE_URL": ts.URL + "/dicomweb/", "PACSLITE_TOKEN": "envtok"}
	code, stdout, stderr := runTestImport(t, vars, true, root)
	if code != 1 {
		t.Fatalf("import exit code = %d, want 1\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "stored 2, failed 1, skipped 2 (non-DICOM)") {
		t.Fatalf("stdout = %q, want a summary and one failure", stdout)
	}
	if want := "failed: " + filepath.Join(root, "DICOM", "IM0") + ": cannot understand (0xC000)"; lines[1] != want {
		t.Errorf("failure line = %q, want %q", lines[1], want)
	}
	if !strings.Contains(stderr, "\r[########################] 3/3 files, 1 failed  0.1/0.1 MB") || !strings.HasSuffix(stderr, "\x1b[K\n") {
		t.Errorf("stderr = %q, want a bar redrawn with \\r ending in a newline", stderr)
	}
	if srv.auth[0] != "Bearer envtok" {
		t.Errorf("Authorization = %q, want %q", srv.auth[0], "Bearer envtok")
	}
}

func TestImportTokenFile(t *testing.T) {
	srv := &stowServer{t: t}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	tokFile := filepath.Join(t.TempDir(), "token")
	writeFile(t, tokFile, []byte("filetok\n"))
	vars := map[string]string{"PACSLITE_URL": ts.URL + "/dicomweb", "PACSLITE_TOKEN_FILE": tokFile}
	if code, stdout, stderr := runTestImport(t, vars, false, importTree(t)); code != 0 {
		t.Fatalf("import exit code = %d, want 0\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	if srv.auth[0] != "Bearer filetok" {
		t.Errorf("Authorization = %q, want %q", srv.auth[0], "Bearer filetok")
	}
}

func TestImportServerDown(t *testing.T) {
	ts := httptest.NewServer(http.NotFoundHandler())
	url := ts.URL
	ts.Close() // nothing listens there now
	code, stdout, _ := runTestImport(t, nil, false, "--url", url+"/dicomweb", importTree(t))
	if code != 1 || !strings.HasPrefix(stdout, "stored 0, failed 3, skipped 2") {
		t.Errorf("import to a closed port = %d, %q, want 1 and 3 failed", code, stdout)
	}
}

func TestImportWrongURL(t *testing.T) {
	srv := &stowServer{t: t}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	code, _, stderr := runTestImport(t, nil, false, "--url", ts.URL+"/wrong", "--batch", "1", importTree(t))
	if code != 1 || !strings.Contains(stderr, "404 Not Found") || !strings.Contains(stderr, "2 files not sent") {
		t.Errorf("import to a wrong URL = %d, stderr %q, want 1, a 404 and 2 files not sent", code, stderr)
	}
	if len(srv.auth) != 1 {
		t.Errorf("server got %d requests, want 1: a 404 stops the import", len(srv.auth))
	}
}

func TestImportUsage(t *testing.T) {
	dir := importTree(t)
	tests := [][]string{
		{},
		{"--nope", dir},
		{"--batch", "0", dir},
		{"--url", "ftp://example.org/", dir},
		{"--url", "127.0.0.1:8042", dir},
		{filepath.Join(dir, "missing")},
	}
	for _, args := range tests {
		if code, _, stderr := runTestImport(t, nil, false, args...); code != 2 || stderr == "" {
			t.Errorf("import %q = %d, stderr %q, want 2 and a message", args, code, stderr)
		}
	}
	if code, _, _ := runTestImport(t, nil, false, "-h"); code != 0 {
		t.Errorf("import -h = %d, want 0", code)
	}
}
