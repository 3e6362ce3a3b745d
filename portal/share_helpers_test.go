package portal

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/pacslite/pacslite/portal/store"
)

// crafted are the attributes of a test instance built by craftDICOM.
type crafted struct {
	Study, PatientID, Issuer, Name, Birth, Phone, Others, Institution, Accession, Date, Description string
	Telecom                                                                                         string // Patient's Telecom Information (LT)
}

// craftDICOM builds a small Part 10 secondary capture (explicit VR little
// endian, 8x8 pixels) with the given attributes, for matching tests.
func craftDICOM(c crafted) []byte {
	sop := c.Study + ".1.1"
	type el struct {
		tag uint32
		vr  string
		v   []byte
	}
	str := func(tag uint32, vr, s string) el {
		b := []byte(s)
		if len(b)%2 == 1 {
			pad := byte(' ')
			if vr == "UI" {
				pad = 0
			}
			b = append(b, pad)
		}
		return el{tag, vr, b}
	}
	us := func(tag uint32, n uint16) el { return el{tag, "US", binary.LittleEndian.AppendUint16(nil, n)} }
	els := []el{
		str(0x00080016, "UI", "1.2.840.10008.5.1.4.1.1.7"), str(0x00080018, "UI", sop),
		str(0x00080020, "DA", c.Date), str(0x00080030, "TM", "120000"), str(0x00080050, "SH", c.Accession),
		str(0x00080060, "CS", "OT"), str(0x00080080, "LO", c.Institution), str(0x00081030, "LO", c.Description),
		str(0x00100010, "PN", c.Name), str(0x00100020, "LO", c.PatientID), str(0x00100021, "LO", c.Issuer),
		str(0x00100030, "DA", c.Birth), str(0x00101000, "LO", c.Others), str(0x00102154, "SH", c.Phone), str(0x00102155, "LT", c.Telecom),
		str(0x0020000D, "UI", c.Study), str(0x0020000E, "UI", c.Study+".1"), str(0x00200010, "SH", "1"),
		str(0x00200011, "IS", "1"), str(0x00200013, "IS", "1"),
		us(0x00280002, 1), str(0x00280004, "CS", "MONOCHROME2"), us(0x00280010, 8), us(0x00280011, 8),
		us(0x00280100, 8), us(0x00280101, 8), us(0x00280102, 7), us(0x00280103, 0),
		{0x7FE00010, "OB", bytes.Repeat([]byte{0x40, 0x80}, 32)},
	}
	sort.Slice(els, func(i, j int) bool { return els[i].tag < els[j].tag })
	enc := func(buf *bytes.Buffer, e el) {
		binary.Write(buf, binary.LittleEndian, uint16(e.tag>>16))
		binary.Write(buf, binary.LittleEndian, uint16(e.tag))
		buf.WriteString(e.vr)
		if e.vr == "OB" {
			buf.Write([]byte{0, 0})
			binary.Write(buf, binary.LittleEndian, uint32(len(e.v)))
		} else {
			binary.Write(buf, binary.LittleEndian, uint16(len(e.v)))
		}
		buf.Write(e.v)
	}
	var meta bytes.Buffer
	for _, e := range []el{{0x00020001, "OB", []byte{0, 1}}, str(0x00020002, "UI", "1.2.840.10008.5.1.4.1.1.7"),
		str(0x00020003, "UI", sop), str(0x00020010, "UI", "1.2.840.10008.1.2.1")} {
		enc(&meta, e)
	}
	var out bytes.Buffer
	out.Write(make([]byte, 128))
	out.WriteString("DICM")
	enc(&out, el{0x00020000, "UL", binary.LittleEndian.AppendUint32(nil, uint32(meta.Len()))})
	out.Write(meta.Bytes())
	for _, e := range els {
		if len(e.v) > 0 {
			enc(&out, e)
		}
	}
	return out.Bytes()
}

// stowBytes stores instances with an API token, as a hospital PACS does.
func (e *testEnv) stowBytes(tok string, files ...[]byte) {
	e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range files {
		w, _ := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {"application/dicom"}})
		w.Write(f)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/dicomweb/studies", &buf)
	req.Header.Set("Content-Type", fmt.Sprintf(`multipart/related; type="application/dicom"; boundary=%s`, mw.Boundary()))
	req.Header.Set("Authorization", "Bearer "+tok)
	if res := e.browser().do(req); res.status != http.StatusOK {
		e.t.Fatalf("STOW = %d\n%s", res.status, res.body)
	}
}

// auditCount counts audit events matching q.
func (e *testEnv) auditCount(q store.AuditQuery) int {
	e.t.Helper()
	evs, err := e.db.SearchAudit(context.Background(), q)
	if err != nil {
		e.t.Fatal(err)
	}
	return len(evs)
}

// wantAudit fails the test unless an event with the action (and actor,
// when given) was recorded for the study.
func (e *testEnv) wantAudit(study, action, actor string) {
	e.t.Helper()
	if e.auditCount(store.AuditQuery{StudyUID: study, Action: action, Actor: actor}) == 0 {
		e.t.Errorf("no audit event %s by %q for study %s", action, actor, study)
	}
}

var (
	shareLinkInPage = regexp.MustCompile(`<code id="share-link" class="one-time">https?://[^/]+/s/([^<]+)</code>`)
	shareCodeInPage = regexp.MustCompile(`<code id="share-code" class="one-time share-code">([^<]+)</code>`)
)

// share creates a share of a study as b and returns its token and code.
func (b *browser) share(t *testing.T, study string, form map[string]string) (token, code string) {
	t.Helper()
	v := map[string][]string{"hours": {"24"}}
	for k, x := range form {
		v[k] = []string{x}
	}
	res := b.postForm("/studies/"+study+"/shares", v)
	m, c := shareLinkInPage.FindStringSubmatch(res.body), shareCodeInPage.FindStringSubmatch(res.body)
	if res.status != http.StatusOK || m == nil || c == nil {
		t.Fatalf("create share = %d without a link and code\n%s", res.status, res.body)
	}
	return m[1], c[1]
}

// patientWith makes a patient who sees the given studies.
func (e *testEnv) patientWith(email string, studies ...string) (store.User, *browser) {
	e.t.Helper()
	u := e.user(store.RolePatient, email, "patient-password")
	for _, s := range studies {
		if err := e.db.LinkStudy(context.Background(), s, u.ID, "linked", "test"); err != nil {
			e.t.Fatal(err)
		}
	}
	return u, e.login(email, "patient-password")
}

func mustContain(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

func TestLogPath(t *testing.T) {
	for in, want := range map[string]string{
		"/s/abc123/dicomweb/studies": "/s/…/dicomweb/studies",
		"/s/ABCDE-FGHJK":             "/s/…",
		"/s":                         "/s",
		"/downloads/tok/file":        "/downloads/…/file",
		"/invite/tok":                "/invite/…",
		"/studies/1.2.3":             "/studies/1.2.3",
	} {
		if got := LogPath(in); got != want {
			t.Errorf("LogPath(%q) = %q, want %q", in, got, want)
		}
	}
}
