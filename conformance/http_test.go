package conformance

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
)

// TestCORSAnyOrigin: by default every DICOMweb response, errors included,
// carries Access-Control-Allow-Origin when the request has an Origin, and
// preflight requests are answered.
func TestCORSAnyOrigin(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	f := corpusFile("pydicom/CT_small.dcm")
	s.stowFiles(t, f.path)
	const origin = "http://viewer.example"
	for _, c := range []struct {
		method, path string
		status       int
	}{
		{http.MethodGet, "/studies", http.StatusOK},
		{http.MethodGet, "/studies/" + f.study + "/metadata", http.StatusOK},
		{http.MethodGet, "/studies/1.2.3.4/metadata", http.StatusNotFound},
		{http.MethodGet, "/studies/not-a-uid", http.StatusBadRequest},
		{http.MethodGet, "/studies?Bogus=1", http.StatusBadRequest},
		{http.MethodGet, "/no/such/resource", http.StatusNotFound},
		{http.MethodPost, "/studies", http.StatusUnsupportedMediaType},
		{http.MethodPut, "/studies", http.StatusMethodNotAllowed},
	} {
		r := s.request(t, c.method, c.path, nil, "Origin", origin, "Accept", "application/dicom+json")
		if r.Status != c.status {
			t.Errorf("%s %s: status %d, want %d", c.method, c.path, r.Status, c.status)
		}
		if got := r.Header.Get("Access-Control-Allow-Origin"); got != "*" && got != origin {
			t.Errorf("%s %s (%d): Access-Control-Allow-Origin %q, want * or the origin", c.method, c.path, r.Status, got)
		}
		if r.Status >= 400 && !strings.Contains(r.Header.Get("Access-Control-Expose-Headers"), "Warning") {
			t.Errorf("%s %s: Access-Control-Expose-Headers %q does not expose Warning", c.method, c.path, r.Header.Get("Access-Control-Expose-Headers"))
		}
	}

	r := s.request(t, http.MethodOptions, "/studies/"+f.study+"/metadata", nil,
		"Origin", origin, "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "accept, if-none-match")
	if r.Status != http.StatusNoContent && r.Status != http.StatusOK {
		t.Errorf("preflight: status %d, want 204", r.Status)
	}
	if got := r.Header.Get("Access-Control-Allow-Origin"); got != "*" && got != origin {
		t.Errorf("preflight: Access-Control-Allow-Origin %q", got)
	}
	if m := r.Header.Get("Access-Control-Allow-Methods"); !strings.Contains(m, "GET") || !strings.Contains(m, "POST") {
		t.Errorf("preflight: Access-Control-Allow-Methods %q, want GET and POST", m)
	}
	h := strings.ToLower(r.Header.Get("Access-Control-Allow-Headers"))
	for _, want := range []string{"accept", "if-none-match", "content-type"} {
		if !strings.Contains(h, want) {
			t.Errorf("preflight: Access-Control-Allow-Headers %q lacks %s", h, want)
		}
	}
}

// TestCORSRestricted: with PACSLITE_CORS_ORIGINS only the listed origin
// is allowed.
func TestCORSRestricted(t *testing.T) {
	t.Parallel()
	s := startServer(t, withEnv("PACSLITE_CORS_ORIGINS=http://viewer.example"))
	r := s.get(t, "/studies", "", "Origin", "http://viewer.example")
	if got := r.Header.Get("Access-Control-Allow-Origin"); got != "http://viewer.example" {
		t.Errorf("allowed origin: Access-Control-Allow-Origin %q, want http://viewer.example", got)
	}
	if !strings.Contains(strings.Join(r.Header.Values("Vary"), ","), "Origin") {
		t.Errorf("allowed origin: Vary %q lacks Origin", r.Header.Values("Vary"))
	}
	r = s.get(t, "/studies/not-a-uid", "", "Origin", "http://viewer.example")
	if got := r.Header.Get("Access-Control-Allow-Origin"); got != "http://viewer.example" {
		t.Errorf("allowed origin, error response: Access-Control-Allow-Origin %q", got)
	}
	for _, origin := range []string{"http://evil.example", "http://viewer.example.evil.example", "null"} {
		r := s.get(t, "/studies", "", "Origin", origin)
		if got := r.Header.Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("origin %s: Access-Control-Allow-Origin %q, want none", origin, got)
		}
		r = s.request(t, http.MethodOptions, "/studies", nil, "Origin", origin, "Access-Control-Request-Method", "GET")
		if got := r.Header.Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("origin %s, preflight: Access-Control-Allow-Origin %q, want none", origin, got)
		}
	}
}

// TestAcceptInterop sends the Accept headers real clients send.
func TestAcceptInterop(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	f := corpusFile("pydicom/CT_small.dcm")
	s.stowFiles(t, f.path)
	meta := "/studies/" + f.study + "/series/" + f.series + "/metadata"
	for _, c := range []struct {
		path, accept, want string // want: media type of the answer, or a status
	}{
		{meta, "", "application/dicom+json"},
		{meta, "application/dicom+json", "application/dicom+json"},
		{meta, "application/json", "application/dicom+json"},
		{meta, "*/*", "application/dicom+json"},
		{meta, "application/dicom+json, multipart/related; type=application/octet-stream", "application/dicom+json"},
		{meta, `application/dicom+json, multipart/related; type="application/octet-stream"; transfer-syntax=*`, "application/dicom+json"},
		{meta, "application/dicom+json; q=0.5, multipart/related; type=\"application/dicom+xml\"; q=0.9", "multipart/related"},
		{meta, "multipart/related; type=application/dicom+xml", "multipart/related"},
		{meta, "image/png", "406"},
		{"/studies", "application/dicom+json;q=1.0, */*;q=0.1", "application/dicom+json"},
		{"/studies", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "application/dicom+json"},
		{"/studies/" + f.study, "multipart/related; type=application/dicom; transfer-syntax=*", "multipart/related"},
		{"/studies/" + f.study, `multipart/related;type="application/dicom";transfer-syntax="*"`, "multipart/related"},
		{"/studies/" + f.study, "MULTIPART/RELATED; TYPE=APPLICATION/DICOM", "multipart/related"},
		{"/studies/" + f.study, "application/dicom+json", "406"},
	} {
		r := s.get(t, c.path, c.accept)
		if strings.Contains(c.want, "/") {
			wantStatus(t, r, http.StatusOK, "Accept "+c.accept)
			if got := r.ContentType(); got != c.want {
				t.Errorf("%s with Accept %q: Content-Type %q, want %s", c.path, c.accept, got, c.want)
			}
		} else if r.Status != http.StatusNotAcceptable {
			t.Errorf("%s with Accept %q: status %d, want 406", c.path, c.accept, r.Status)
		}
	}
}

// TestBaseURL: RetrieveURL and BulkDataURI follow the request's Host; the
// X-Forwarded-* and Forwarded headers only from a trusted proxy; a public
// URL overrides both.
func TestBaseURL(t *testing.T) {
	t.Parallel()
	f := corpusFile("pydicom/CT_small.dcm")
	forwarded := []string{"X-Forwarded-Host", "pacs.example.org", "X-Forwarded-Proto", "https"}
	check := func(t *testing.T, s *server, wantBase string, hdr ...string) {
		t.Helper()
		stow := s.stowRaw(t, "/studies", dicomParts(readTestdata(t, f.path)), hdr...)
		wantStatus(t, stow, http.StatusOK, "STOW")
		if got := decodeObject(t, stow.Body).str(tagRetrieveURL); got != wantBase+"/studies/"+f.study {
			t.Errorf("STOW RetrieveURL %q, want %s/studies/%s", got, wantBase, f.study)
		}
		q := s.get(t, "/studies", acceptDICOMJSON, hdr...)
		if got := decodeArray(t, q.Body)[0].str(tagRetrieveURL); got != wantBase+"/studies/"+f.study {
			t.Errorf("QIDO RetrieveURL %q, want %s/studies/%s", got, wantBase, f.study)
		}
		m := s.get(t, "/studies/"+f.study+"/metadata", acceptDICOMJSON, hdr...)
		if uri := decodeArray(t, m.Body)[0][tagPixelData].BulkDataURI; !strings.HasPrefix(uri, wantBase+"/studies/") {
			t.Errorf("BulkDataURI %q, want it under %s", uri, wantBase)
		}
	}
	t.Run("request host", func(t *testing.T) {
		t.Parallel()
		s := startServer(t)
		check(t, s, s.Root)
		check(t, s, s.Root, forwarded...)
		check(t, s, s.Root, "Forwarded", "proto=https;host=pacs.example.org")
		check(t, s, "http://pacs.local:8042/dicomweb", "Host", "pacs.local:8042")
	})
	t.Run("trusted proxy", func(t *testing.T) {
		t.Parallel()
		s := startServer(t, withEnv("PACSLITE_TRUSTED_PROXIES=127.0.0.1/32"))
		check(t, s, "https://pacs.example.org/dicomweb", forwarded...)
		check(t, s, "https://pacs.example.org/dicomweb", "Forwarded", "proto=https;host=pacs.example.org")
		check(t, s, "https://pacs.example.org/dicomweb", "Forwarded", `for=192.0.2.1;proto=https;host="pacs.example.org", for=127.0.0.1`)
		check(t, s, s.Root)
		// A forwarded host that is not a host name is not believed.
		check(t, s, s.Root, "X-Forwarded-Host", "evil.example/<script>")
	})
	t.Run("public URL", func(t *testing.T) {
		t.Parallel()
		s := startServer(t, withEnv("PACSLITE_PUBLIC_URL=https://pacs.example.org/dicomweb", "PACSLITE_TRUSTED_PROXIES=127.0.0.1/32"))
		check(t, s, "https://pacs.example.org/dicomweb")
		check(t, s, "https://pacs.example.org/dicomweb", "X-Forwarded-Host", "other.example", "X-Forwarded-Proto", "http")
	})
}

// TestHostileInput: nothing a client sends makes the server fail (5xx);
// refusals carry the PS3.18 Warning header; path traversal in UIDs never
// reaches the file system.
func TestHostileInput(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	f := corpusFile("pydicom/CT_small.dcm")
	s.stowFiles(t, f.path)
	inst := "/studies/" + f.study + "/series/" + f.series + "/instances/" + f.instance
	long := strings.Repeat("A", 60000)
	paths := []string{
		"/studies?PatientName=" + long,
		"/studies?PatientName=" + strings.Repeat("*", 5000) + "x",
		"/studies?PatientName=" + strings.Repeat("%3F*", 2000),
		"/studies?PatientName=%00",
		"/studies?PatientID=%00%01%02",
		"/studies?%00=1",
		"/studies?PatientName=%FF%FE",
		"/studies?PatientName=[",
		"/studies?PatientName=*[*]*",
		"/studies?PatientName=%25",
		"/studies?PatientName=_",
		"/studies?PatientName=%5C",
		"/studies?PatientName=%27%3B+DROP+TABLE+studies%3B--",
		"/studies?PatientName=" + long + "&fuzzymatching=true",
		"/studies?PatientName=%00&fuzzymatching=true",
		"/studies?StudyInstanceUID=,,,",
		"/studies?StudyInstanceUID=" + strings.Repeat("1.2,", 5000),
		"/studies?StudyDate=99999999-00000000",
		"/studies?StudyDate=-",
		"/studies?StudyTime=99",
		"/studies?limit=99999999999999999999",
		"/studies?offset=99999999999999999",
		"/studies?offset=9223372036854775807",
		"/studies?includefield=" + strings.Repeat(",", 10000),
		"/studies?includefield=" + strings.Repeat("00100010,", 3000),
		"/studies?00081032.00080100=*",
		"/studies?0008=1",
		"/studies?00080020.=1",
		"/studies/..%2F..%2F..%2Fetc%2Fpasswd",
		"/studies/..%2F..%2Findex.db",
		"/studies/" + f.study + "/series/..%2F..",
		inst + "/..%2F..%2F..%2Findex.db",
		"/studies/" + f.study + "/series/" + f.series + "/instances/..%2F..%2F..%2F..%2Findex.db/metadata",
		"/studies/%2e%2e/metadata",
		"/studies/1.2.3%00/metadata",
		inst + "/bulk/..%2F..",
		inst + "/bulk/7FE00010/999999999999/00000000",
		inst + "/bulk/FFFFFFFF",
		inst + "/bulk/7FE00010/1/7FE00010",
		inst + "/bulk/" + strings.Repeat("00081032/1/", 200) + "00080100",
		inst + "/frames/0",
		"/studies/" + strings.Repeat("1.", 5000) + "1",
	}
	for _, p := range paths {
		r := s.get(t, p, acceptDICOMAny+", application/dicom+json")
		name := p
		if len(name) > 80 {
			name = name[:80] + "..."
		}
		if r.Status >= 500 {
			t.Errorf("GET %s: status %d: %.200q", name, r.Status, r.Body)
		}
		// Go's ServeMux answers paths with dot segments with a redirect to
		// the cleaned path; fine, as long as it is not followed blindly.
		if r.Status >= 400 && !strings.HasPrefix(r.Header.Get("Warning"), "299 ") {
			t.Errorf("GET %s: status %d without a Warning header", name, r.Status)
		}
	}
	for _, ct := range []string{
		`multipart/related; type="application/dicom"; boundary=` + strings.Repeat("b", 100),
		`multipart/related; type="application/dicom"; boundary=""`,
		`multipart/related; type="application/dicom"; boundary=x; boundary=y`,
		"multipart/related; type=",
		";;;",
	} {
		r := s.request(t, http.MethodPost, "/studies", bytes.NewReader([]byte("--x\r\n\r\n\x00\x00--x--")), "Content-Type", ct)
		if r.Status >= 500 || r.Status < 400 {
			t.Errorf("STOW with Content-Type %q: status %d, want 4xx", ct, r.Status)
		}
	}
	wantRefusal(t, s.request(t, http.MethodDelete, "/studies/..%2F..", nil), http.StatusBadRequest, "DELETE with traversal")
	// Nothing was harmed: the instance and the index are intact.
	r := s.get(t, inst, acceptDICOMAny)
	wantStatus(t, r, http.StatusOK, "retrieve after hostile requests")
	if parts := readParts(t, r, "application/dicom"); len(parts) != 1 || !bytes.Equal(parts[0].Body, readTestdata(t, f.path)) {
		t.Errorf("the instance changed")
	}
	if n := len(s.qido(t, "/instances")); n != 1 {
		t.Errorf("QIDO finds %d instances after hostile requests, want 1", n)
	}
}
