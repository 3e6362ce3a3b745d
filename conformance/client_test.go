package conformance

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"strconv"
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
// silently into another host, never decompresses on its own (the tests
// check Content-Encoding themselves) and gives up after a minute.
var client = &http.Client{
	Timeout:   time.Minute,
	Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 8},
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

// blobFiles lists the regular files under dataDir/blobs, skipping the
// store's own temporary files.
func blobFiles(t testing.TB, dataDir string) []string {
	t.Helper()
	var out []string
	root := filepath.Join(dataDir, "blobs")
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() && !strings.Contains(d.Name(), ".tmp") && !strings.HasPrefix(d.Name(), ".") {
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

// dcmObject is a DICOM JSON object (PS3.18 F.2) decoded without the
// project's own decoder, so the tests do not trust what they test.
type dcmObject map[string]dcmAttr

// dcmAttr is one attribute of a dcmObject.
type dcmAttr struct {
	VR           string            `json:"vr"`
	Value        []json.RawMessage `json:"Value,omitempty"`
	BulkDataURI  string            `json:"BulkDataURI,omitempty"`
	InlineBinary string            `json:"InlineBinary,omitempty"`
}

// dcmPN is a PN value.
type dcmPN struct {
	Alphabetic  string `json:"Alphabetic,omitempty"`
	Ideographic string `json:"Ideographic,omitempty"`
	Phonetic    string `json:"Phonetic,omitempty"`
}

func decodeObject(t testing.TB, b []byte) dcmObject {
	t.Helper()
	var o dcmObject
	if err := json.Unmarshal(b, &o); err != nil {
		t.Fatalf("not a DICOM JSON object: %v: %.300q", err, b)
	}
	checkKeys(t, o)
	return o
}

func decodeArray(t testing.TB, b []byte) []dcmObject {
	t.Helper()
	var objs []dcmObject
	if err := json.Unmarshal(b, &objs); err != nil {
		t.Fatalf("not a DICOM JSON array: %v: %.300q", err, b)
	}
	if objs == nil {
		t.Fatalf("DICOM JSON array expected, got %.100q", b)
	}
	for _, o := range objs {
		checkKeys(t, o)
	}
	return objs
}

// checkKeys checks PS3.18 F.2.1.1: keys are 8 upper-case hex digits and
// every attribute has a VR.
func checkKeys(t testing.TB, o dcmObject) {
	t.Helper()
	for k, a := range o {
		if len(k) != 8 || strings.ToUpper(k) != k || !isHex(k) {
			t.Errorf("DICOM JSON key %q is not 8 upper-case hex digits", k)
		}
		if len(a.VR) != 2 {
			t.Errorf("DICOM JSON attribute %s has vr %q", k, a.VR)
		}
		if a.VR == "SQ" {
			for _, raw := range a.Value {
				var item dcmObject
				if err := json.Unmarshal(raw, &item); err != nil {
					t.Errorf("item of %s: %v", k, err)
					continue
				}
				checkKeys(t, item)
			}
		}
	}
}

func isHex(s string) bool {
	_, err := strconv.ParseUint(s, 16, 32)
	return err == nil
}

// has reports whether the attribute is present (possibly empty).
func (o dcmObject) has(tag string) bool {
	_, ok := o[tag]
	return ok
}

// strs returns the values as text: strings as they are, numbers as their
// JSON literal, PN as the Alphabetic group.
func (o dcmObject) strs(tag string) []string {
	a, ok := o[tag]
	if !ok {
		return nil
	}
	var out []string
	for _, raw := range a.Value {
		out = append(out, rawText(a.VR, raw))
	}
	return out
}

func rawText(vr string, raw json.RawMessage) string {
	if vr == "PN" {
		var p dcmPN
		if json.Unmarshal(raw, &p) == nil {
			return p.Alphabetic
		}
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

// str returns the first value as text, "" when absent or empty.
func (o dcmObject) str(tag string) string {
	if v := o.strs(tag); len(v) > 0 {
		return v[0]
	}
	return ""
}

// pn returns the first PN value.
func (o dcmObject) pn(tag string) dcmPN {
	var p dcmPN
	if a, ok := o[tag]; ok && len(a.Value) > 0 {
		json.Unmarshal(a.Value[0], &p)
	}
	return p
}

// items returns the items of a sequence.
func (o dcmObject) items(tag string) []dcmObject {
	var out []dcmObject
	for _, raw := range o[tag].Value {
		var item dcmObject
		json.Unmarshal(raw, &item)
		out = append(out, item)
	}
	return out
}

// uids returns the given UID of every object, in order.
func uids(objs []dcmObject, tag string) []string {
	out := make([]string, len(objs))
	for i, o := range objs {
		out[i] = o.str(tag)
	}
	return out
}

// Tags the tests read, as DICOM JSON keys.
const (
	tagSpecificCharacterSet   = "00080005"
	tagSOPClassUID            = "00080016"
	tagSOPInstanceUID         = "00080018"
	tagStudyDate              = "00080020"
	tagStudyTime              = "00080030"
	tagAccessionNumber        = "00080050"
	tagRetrieveAvailability   = "00080056"
	tagModality               = "00080060"
	tagModalitiesInStudy      = "00080061"
	tagRetrieveURL            = "00081190"
	tagFailedSOPSequence      = "00081198"
	tagFailureReason          = "00081197"
	tagReferencedSOPSequence  = "00081199"
	tagReferencedSOPInstance  = "00081155"
	tagReferencedSOPClass     = "00081150"
	tagStudyDescription       = "00081030"
	tagSeriesDescription      = "0008103E"
	tagPatientName            = "00100010"
	tagPatientID              = "00100020"
	tagPatientBirthDate       = "00100030"
	tagSliceThickness         = "00180050"
	tagStudyInstanceUID       = "0020000D"
	tagSeriesInstanceUID      = "0020000E"
	tagSeriesNumber           = "00200011"
	tagInstanceNumber         = "00200013"
	tagStudyRelatedSeries     = "00201206"
	tagStudyRelatedInstances  = "00201208"
	tagSeriesRelatedInstances = "00201209"
	tagRows                   = "00280010"
	tagColumns                = "00280011"
	tagPixelData              = "7FE00010"
)

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

// nativeModel is the PS3.19 Native DICOM Model document
// (application/dicom+xml), read with encoding/xml.
type nativeModel struct {
	XMLName xml.Name  `xml:"NativeDicomModel"`
	Attrs   []xmlAttr `xml:"DicomAttribute"`
}

// xmlAttr is one DicomAttribute element.
type xmlAttr struct {
	Tag         string     `xml:"tag,attr"`
	VR          string     `xml:"vr,attr"`
	Keyword     string     `xml:"keyword,attr"`
	Values      []xmlValue `xml:"Value"`
	Items       []xmlItem  `xml:"Item"`
	PersonNames []xmlPN    `xml:"PersonName"`
	BulkData    *struct {
		URI string `xml:"uri,attr"`
	} `xml:"BulkData"`
}

type xmlValue struct {
	Number int    `xml:"number,attr"`
	Text   string `xml:",chardata"`
}

type xmlItem struct {
	Number int       `xml:"number,attr"`
	Attrs  []xmlAttr `xml:"DicomAttribute"`
}

type xmlPN struct {
	Number     int `xml:"number,attr"`
	Alphabetic *struct {
		FamilyName string `xml:"FamilyName"`
		GivenName  string `xml:"GivenName"`
	} `xml:"Alphabetic"`
}

// nativeDICOMNamespace is the XML namespace of PS3.19 A.1.
const nativeDICOMNamespace = "http://dicom.nema.org/PS3.19/models/NativeDICOM"

func decodeXML(t testing.TB, b []byte) nativeModel {
	t.Helper()
	var m nativeModel
	if err := xml.Unmarshal(b, &m); err != nil {
		t.Fatalf("not a Native DICOM Model document: %v: %.300q", err, b)
	}
	if m.XMLName.Space != nativeDICOMNamespace {
		t.Errorf("NativeDicomModel namespace %q, want %q", m.XMLName.Space, nativeDICOMNamespace)
	}
	return m
}

// find returns the attribute with the tag.
func findXML(attrs []xmlAttr, tag string) (xmlAttr, bool) {
	for _, a := range attrs {
		if strings.EqualFold(a.Tag, tag) {
			return a, true
		}
	}
	return xmlAttr{}, false
}

// xmlText returns the first Value of the attribute with the tag.
func xmlText(attrs []xmlAttr, tag string) string {
	a, ok := findXML(attrs, tag)
	if !ok || len(a.Values) == 0 {
		return ""
	}
	return a.Values[0].Text
}
