package conformance

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Media types the tests send in Accept headers.
const (
	acceptDICOMAny   = `multipart/related; type="application/dicom"; transfer-syntax=*`
	acceptDICOM      = `multipart/related; type="application/dicom"`
	acceptDICOMJSON  = "application/dicom+json"
	acceptXMLParts   = `multipart/related; type="application/dicom+xml"`
	acceptOctetParts = `multipart/related; type="application/octet-stream"`
)

// Transfer syntaxes the tests name.
const (
	tsImplicitLE = "1.2.840.10008.1.2"
	tsExplicitLE = "1.2.840.10008.1.2.1"
	tsDeflated   = "1.2.840.10008.1.2.1.99"
	tsExplicitBE = "1.2.840.10008.1.2.2"
)

// client talks to the servers under test. It never follows redirects
// (the tests see what the server answered), never decompresses on its own
// (the tests check Content-Encoding themselves) and gives up after a
// minute.
var client = &http.Client{
	Timeout:       time.Minute,
	Transport:     &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 8},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// testdata returns the path of a file under ../testdata.
func testdata(rel string) string { return filepath.Join("..", "testdata", filepath.FromSlash(rel)) }

// readTestdata returns the bytes of a file under ../testdata.
func readTestdata(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(testdata(rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// response is a whole HTTP response.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// ContentType returns the media type of the response without parameters.
func (r *response) ContentType() string {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt
}

// request sends a request and reads the whole response. url is absolute or
// relative to the DICOMweb root. hdr holds header pairs ("Accept", "...").
// Content-Length, when the server sends one, must match the body.
func (s *server) request(t testing.TB, method, url string, body io.Reader, hdr ...string) *response {
	t.Helper()
	if !strings.HasPrefix(url, "http://") && !strings.HasPrefix(url, "https://") {
		url = s.Root + url
	}
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i] == "Host" {
			req.Host = hdr[i+1]
			continue
		}
		req.Header.Add(hdr[i], hdr[i+1])
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, url, err)
	}
	if resp.ContentLength >= 0 && method != http.MethodHead && resp.ContentLength != int64(len(b)) {
		t.Errorf("%s %s: Content-Length %d, body has %d bytes", method, url, resp.ContentLength, len(b))
	}
	return &response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// get is a GET with an Accept header ("" sends none) and more header pairs.
func (s *server) get(t testing.TB, url, accept string, hdr ...string) *response {
	t.Helper()
	if accept != "" {
		hdr = append([]string{"Accept", accept}, hdr...)
	}
	return s.request(t, http.MethodGet, url, nil, hdr...)
}

// wantStatus fails the test unless r has the status; it shows the body.
func wantStatus(t testing.TB, r *response, want int, what string) {
	t.Helper()
	if r.Status != want {
		t.Fatalf("%s: status %d, want %d; Warning %q; body %.300q", what, r.Status, want, r.Header.Get("Warning"), r.Body)
	}
}

// wantRefusal checks the PS3.18 form of a 4xx answer: the status, a Warning
// header "299 <agent>: <reason>" and a non-empty text reason in the body.
func wantRefusal(t testing.TB, r *response, want int, what string) {
	t.Helper()
	if r.Status != want {
		t.Errorf("%s: status %d, want %d; body %.300q", what, r.Status, want, r.Body)
		return
	}
	if w := r.Header.Get("Warning"); !strings.HasPrefix(w, "299 ") || len(w) < 8 {
		t.Errorf("%s: Warning header %q, want \"299 <agent>: <reason>\"", what, w)
	}
	if len(bytes.TrimSpace(r.Body)) == 0 {
		t.Errorf("%s: empty body, want a reason", what)
	}
	if ct := r.ContentType(); ct != "text/plain" {
		t.Errorf("%s: Content-Type %q, want text/plain", what, r.Header.Get("Content-Type"))
	}
}

// part is one part of a multipart/related body.
type part struct {
	ContentType string
	Body        []byte
}

// TransferSyntax returns the transfer-syntax parameter of the part's
// Content-Type.
func (p part) TransferSyntax() string {
	_, params, _ := mime.ParseMediaType(p.ContentType)
	return params["transfer-syntax"]
}

// multipartBody builds a multipart/related body of the given parts and
// returns it with its boundary.
func multipartBody(parts ...part) (body []byte, boundary string) {
	var b [12]byte
	rand.Read(b[:])
	boundary = "conformance-" + hex.EncodeToString(b[:])
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	w.SetBoundary(boundary)
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		if p.ContentType != "" {
			h.Set("Content-Type", p.ContentType)
		}
		pw, _ := w.CreatePart(h)
		pw.Write(p.Body)
	}
	w.Close()
	return buf.Bytes(), boundary
}

// dicomParts turns DICOM byte slices into application/dicom parts.
func dicomParts(files ...[]byte) []part {
	ps := make([]part, len(files))
	for i, b := range files {
		ps[i] = part{ContentType: "application/dicom", Body: b}
	}
	return ps
}

// stowRaw posts parts to path ("/studies" or "/studies/{uid}") as
// multipart/related; type="application/dicom" and returns the answer.
func (s *server) stowRaw(t testing.TB, path string, parts []part, hdr ...string) *response {
	t.Helper()
	body, boundary := multipartBody(parts...)
	ct := `multipart/related; type="application/dicom"; boundary=` + boundary
	return s.request(t, http.MethodPost, path, bytes.NewReader(body), append([]string{"Content-Type", ct}, hdr...)...)
}

// stowFiles stores testdata files in one request and returns the Store
// Instances Response; every file must be stored (200).
func (s *server) stowFiles(t testing.TB, files ...string) dcmObject {
	t.Helper()
	var bodies [][]byte
	for _, f := range files {
		bodies = append(bodies, readTestdata(t, f))
	}
	return s.stowBytes(t, bodies...)
}

// stowBytes stores DICOM files given as bytes; every one must be stored.
func (s *server) stowBytes(t testing.TB, files ...[]byte) dcmObject {
	t.Helper()
	r := s.stowRaw(t, "/studies", dicomParts(files...))
	wantStatus(t, r, http.StatusOK, "STOW")
	return decodeObject(t, r.Body)
}

// qido runs a QIDO-RS query (path and query string relative to the root)
// and returns the results; the answer must be 200 DICOM JSON.
func (s *server) qido(t testing.TB, pathQuery string) []dcmObject {
	t.Helper()
	r := s.get(t, pathQuery, acceptDICOMJSON)
	wantStatus(t, r, http.StatusOK, "QIDO "+pathQuery)
	if ct := r.ContentType(); ct != "application/dicom+json" {
		t.Fatalf("QIDO %s: Content-Type %q, want application/dicom+json", pathQuery, ct)
	}
	return decodeArray(t, r.Body)
}

// readParts splits a multipart/related response into its parts, checking
// that the response is multipart/related with the given type parameter
// (when typ is not empty).
func readParts(t testing.TB, r *response, typ string) []part {
	t.Helper()
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/related" {
		t.Fatalf("Content-Type %q, want multipart/related (%v)", r.Header.Get("Content-Type"), err)
	}
	if typ != "" && params["type"] != typ {
		t.Errorf("Content-Type %q: type parameter %q, want %q", r.Header.Get("Content-Type"), params["type"], typ)
	}
	mr := multipart.NewReader(bytes.NewReader(r.Body), params["boundary"])
	var parts []part
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return parts
		}
		if err != nil {
			t.Fatalf("multipart response, part %d: %v", len(parts)+1, err)
		}
		b, err := io.ReadAll(p)
		if err != nil {
			t.Fatalf("multipart response, part %d: %v", len(parts)+1, err)
		}
		parts = append(parts, part{ContentType: p.Header.Get("Content-Type"), Body: b})
	}
}

// blobFiles lists the files under dataDir/blobs, skipping the hidden
// folders and files a store keeps its in-flight writes in.
func blobFiles(t testing.TB, dataDir string) []string {
	t.Helper()
	var out []string
	root := filepath.Join(dataDir, "blobs")
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != root && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() {
			out = append(out, p)
		}
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return out
}

// filesUnder lists the regular files under dir (none when it is missing).
func filesUnder(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			out = append(out, p)
		}
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return out
}

// patchUID replaces every occurrence of the UID old in a DICOM file with
// new, which must have the same length so that no element length changes.
func patchUID(t testing.TB, file []byte, old, new string) []byte {
	t.Helper()
	if len(old) != len(new) {
		t.Fatalf("patchUID: %q and %q differ in length", old, new)
	}
	if !bytes.Contains(file, []byte(old)) {
		t.Fatalf("patchUID: %q not in the file", old)
	}
	return bytes.ReplaceAll(file, []byte(old), []byte(new))
}

// sameLengthUID returns base with its last n digits replaced by i.
func sameLengthUID(base string, n, i int) string {
	return base[:len(base)-n] + fmt.Sprintf("%0*d", n, i)
}
