package conformance

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// The requests Weasis 4 makes against a DICOMweb node (weasis-dicom-explorer
// RsQueryResult, RetrieveTask, LoadSeries, ThumbnailManager), as sent.
const (
	// weasisStudyFields follows the study query's key (&includefield=...).
	weasisStudyFields = "00080020,00080030,00080050,00080061,00080090,00081030,00100010,00100020,00100021,00100030,00100040,0020000D,00200010"
	weasisSeriesQuery = "/series?includefield=0008103E,00080060,0020000E,00200011,00081190"
	weasisInstQuery   = "/instances?includefield=00080018,00200013,00081190"
	// weasisAccept is the Accept header of Java's HttpURLConnection, which
	// Weasis does not replace on its QIDO requests.
	weasisAccept = "text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2"
	// weasisRetrieve is the Accept header of its instance downloads.
	weasisRetrieve = `multipart/related;type="application/dicom";transfer-syntax=*`
)

// weasis is a client as Weasis configures it: a base URL and the node's
// extra headers (here the Authorization header).
type weasis struct {
	base  string
	token string
}

// get sends a GET and returns the status, Content-Type and body; it never
// fails the test, so goroutines may call it.
func (w weasis) get(rawURL, accept string) (int, string, []byte, error) {
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		return 0, "", nil, err
	}
	req.Header.Set("Accept", accept)
	req.Header.Set("User-Agent", "Weasis/4")
	if w.token != "" {
		req.Header.Set("Authorization", "Bearer "+w.token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), b, err
}

// qido runs a QIDO-RS request as Weasis does and decodes the answer.
func (w weasis) qido(t *testing.T, rawURL string) []dcmObject {
	t.Helper()
	status, ct, body, err := w.get(rawURL, weasisAccept)
	if err != nil || status != http.StatusOK || !strings.HasPrefix(ct, "application/dicom+json") {
		t.Fatalf("GET %s: %d %q %v: %.300s", rawURL, status, ct, err, body)
	}
	return decodeArray(t, body)
}

// TestWeasis replays what Weasis does when it opens a patient from a
// DICOMweb node: the study query by PatientID (and by StudyInstanceUID and
// AccessionNumber), the series of each study, the instances of each
// series through the series' RetrieveURL, a thumbnail, then every
// instance from its own RetrieveURL, four at a time, as stored. It runs
// against the archive directly and through a reverse proxy that mounts it
// under another host and path: the RetrieveURLs must then point at the
// proxy. The node sends an API token; the archive requires one.
func TestWeasis(t *testing.T) {
	t.Parallel()
	s := startServer(t, withEnv("PACSLITE_DICOMWEB_ANONYMOUS=false", "PACSLITE_TRUSTED_PROXIES=127.0.0.1/32"))
	writer := createToken(t, s, "loader", "dicomweb:read,dicomweb:write")
	reader := createToken(t, s, "weasis", "dicomweb:read")

	// A 9-instance series and a JPEG instance of another patient, stored
	// with the writer's token; originals kept to compare the downloads.
	originals := map[string][]byte{}
	base := readTestdata(t, "crafted/series_base.dcm")
	var parts []part
	for i := range 9 {
		sop := sameLengthUID(baseSOP, 8, i+1)
		b := patchUID(t, base, baseSOP, sop)
		originals[sop] = b
		parts = append(parts, part{ContentType: "application/dicom", Body: b})
	}
	jpeg := corpusFile("pydicom/SC_rgb_jpeg_dcmtk.dcm")
	originals[jpeg.instance] = readTestdata(t, jpeg.path)
	parts = append(parts, part{ContentType: "application/dicom", Body: originals[jpeg.instance]})
	wantStatus(t, s.stowRaw(t, "/studies", parts, "Authorization", "Bearer "+writer), http.StatusOK, "STOW")

	if status, _, _, _ := (weasis{base: s.Root}).get(s.Root+"/studies", weasisAccept); status != http.StatusUnauthorized {
		t.Errorf("QIDO without the token: %d, want 401", status)
	}

	proxied := httptest.NewServer(pathProxy(t, s.URL, "/pacs"))
	defer proxied.Close()
	for _, w := range []weasis{{s.Root, reader}, {proxied.URL + "/pacs/dicomweb", reader}} {
		t.Run(strings.TrimPrefix(w.base, "http://"), func(t *testing.T) {
			var got int
			for _, pid := range []string{weasisPatientID(t, w, baseStudy), weasisPatientID(t, w, jpeg.study)} {
				got += weasisOpen(t, w, "/studies?00100020="+url.QueryEscape(pid)+"&includefield="+weasisStudyFields, originals)
			}
			if got != len(originals) {
				t.Errorf("downloaded %d instances, want %d", got, len(originals))
			}
		})
	}
}

// weasisPatientID finds a study's PatientID the way Weasis opens a study
// by UID (and checks the AccessionNumber form too).
func weasisPatientID(t *testing.T, w weasis, study string) string {
	t.Helper()
	found := w.qido(t, w.base+"/studies?0020000D="+study+"&includefield="+weasisStudyFields)
	if len(found) != 1 {
		t.Fatalf("study query by StudyInstanceUID %s: %d results", study, len(found))
	}
	if acc := found[0].str("00080050"); acc != "" {
		if n := len(w.qido(t, w.base+"/studies?00080050="+url.QueryEscape(acc)+"&includefield="+weasisStudyFields)); n < 1 {
			t.Errorf("study query by AccessionNumber %s: no result", acc)
		}
	}
	return found[0].str("00100020")
}

// weasisOpen opens the studies a study query finds and downloads every
// instance; it returns how many it downloaded and checked.
func weasisOpen(t *testing.T, w weasis, studyQuery string, originals map[string][]byte) int {
	t.Helper()
	studies := w.qido(t, w.base+studyQuery)
	if len(studies) == 0 {
		t.Fatalf("%s: no study", studyQuery)
	}
	var urls []string
	for _, st := range studies {
		for _, tag := range []string{"0020000D", "00100010", "00100020", "00080061"} {
			if !st.has(tag) {
				t.Errorf("study result lacks %s", tag)
			}
		}
		uid := st.str("0020000D")
		for _, se := range w.qido(t, w.base+"/studies/"+uid+weasisSeriesQuery) {
			seURL := se.str(tagRetrieveURL)
			if want := w.base + "/studies/" + uid + "/series/" + se.str("0020000E"); seURL != want {
				t.Fatalf("series RetrieveURL %q, want %q", seURL, want)
			}
			insts := w.qido(t, seURL+weasisInstQuery)
			for _, in := range insts {
				if u, want := in.str(tagRetrieveURL), seURL+"/instances/"+in.str("00080018"); u != want {
					t.Errorf("instance RetrieveURL %q, want %q", u, want)
				}
				urls = append(urls, in.str(tagRetrieveURL))
			}
			// The series thumbnail: the middle instance's, as JPEG.
			mid := insts[len(insts)/2].str("00080018")
			status, ct, body, err := w.get(seURL+"/instances/"+mid+"/thumbnail?viewport=256%2C256", "image/jpeg")
			if err != nil || status != http.StatusOK || ct != "image/jpeg" || !bytes.HasPrefix(body, []byte{0xFF, 0xD8}) {
				t.Errorf("thumbnail: %d %q %v", status, ct, err)
			}
			// The lookups by series and by instance UID Weasis makes for
			// links naming them.
			bySeries := w.qido(t, w.base+"/series?0020000E="+se.str("0020000E")+"&includefield="+weasisStudyFields+",0008103E,00080060,00081190,00200011")
			if len(bySeries) != 1 || bySeries[0].str(tagRetrieveURL) != seURL || bySeries[0].str("00100020") == "" {
				t.Errorf("series query by UID: %d results, want 1 with the RetrieveURL and the patient", len(bySeries))
			}
			byInst := w.qido(t, w.base+"/instances?00080018="+mid+"&includefield="+weasisStudyFields+",0008103E,00080060,0020000E,00200011,00200013,00081190")
			if len(byInst) != 1 || byInst[0].str("0020000E") != se.str("0020000E") || byInst[0].str("0020000D") != uid {
				t.Errorf("instance query by UID: %d results, want 1 with its series and study", len(byInst))
			}
		}
	}

	// Downloads: four at a time per series, as stored.
	var mu sync.Mutex
	done := 0
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for _, u := range urls {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			if err := weasisDownload(w, u, originals); err != nil {
				t.Errorf("download %s: %v", u, err)
				return
			}
			mu.Lock()
			done++
			mu.Unlock()
		})
	}
	wg.Wait()
	return done
}

// weasisDownload retrieves one instance from its RetrieveURL and compares
// it with the stored file.
func weasisDownload(w weasis, u string, originals map[string][]byte) error {
	status, ct, body, err := w.get(u, weasisRetrieve)
	if err != nil || status != http.StatusOK {
		return fmt.Errorf("status %d, %v", status, err)
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "multipart/related" {
		return fmt.Errorf("Content-Type %q", ct)
	}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	p, err := mr.NextPart()
	if err != nil {
		return err
	}
	got, err := io.ReadAll(p)
	if err != nil {
		return err
	}
	if _, err := mr.NextPart(); err != io.EOF {
		return fmt.Errorf("more than one part: %v", err)
	}
	if pt, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type")); pt != "application/dicom" {
		return fmt.Errorf("part Content-Type %q", p.Header.Get("Content-Type"))
	}
	want := originals[u[strings.LastIndex(u, "/")+1:]]
	if !bytes.Equal(got, want) {
		return fmt.Errorf("%d bytes differ from the %d stored", len(got), len(want))
	}
	return nil
}

// pathProxy is a reverse proxy that serves target under prefix on its own
// host, telling it so with X-Forwarded-Host/Proto/Prefix.
func pathProxy(t *testing.T, target, prefix string) http.Handler {
	t.Helper()
	to, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rp := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
		pr.SetURL(to)
		pr.Out.URL.Path = strings.TrimPrefix(pr.In.URL.Path, prefix)
		pr.Out.URL.RawPath = strings.TrimPrefix(pr.In.URL.RawPath, prefix)
		pr.SetXForwarded()
		pr.Out.Header.Set("X-Forwarded-Prefix", prefix)
	}}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, prefix+"/") {
			http.NotFound(w, r)
			return
		}
		rp.ServeHTTP(w, r)
	})
}
