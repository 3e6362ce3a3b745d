package portal

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/suyashkumar/dicom"
	"github.com/suyashkumar/dicom/pkg/tag"

	"github.com/pacslite/pacslite/portal/account"
	"github.com/pacslite/pacslite/portal/store"
)

var codeInMessage = regexp.MustCompile(`security code to download your images is (\d{6})`)

// lastCode reads the latest download code the outbox holds for a channel.
func (e *testEnv) lastCode(channel string) string {
	e.t.Helper()
	ns, err := e.db.Notifications(context.Background(), false, 50)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, n := range ns {
		if n.Kind == "download.code" && n.Channel == channel {
			if m := codeInMessage.FindStringSubmatch(n.Body); m != nil {
				return m[1]
			}
		}
	}
	e.t.Fatalf("no download code sent by %s", channel)
	return ""
}

// startDownload asks for a download of a study and returns the link's token.
func startDownload(t *testing.T, b *browser, study string) string {
	t.Helper()
	res := b.postForm("/studies/"+study+"/download", url.Values{})
	loc := res.header.Get("Location")
	if res.status != http.StatusSeeOther || !strings.HasPrefix(loc, "/downloads/") {
		t.Fatalf("download = %d to %q, want 303 to /downloads/...\n%s", res.status, loc, res.body)
	}
	return strings.TrimPrefix(loc, "/downloads/")
}

// TestDownloadWithSecurityCode: the code goes to the account's email and
// phone through the outbox; a wrong one is refused, the right one opens a
// ZIP of the originals with a DICOMDIR.
func TestDownloadWithSecurityCode(t *testing.T) {
	e := newEnv(t)
	e.seed()
	hash, _ := e.hasher.Hash(context.Background(), "patient-password")
	u, err := e.db.CreateUser(context.Background(), store.NewUser{Email: "ravi@example.org", Phone: "+919876543210", Name: "Ravi", Role: store.RolePatient, PasswordHash: hash})
	if err != nil {
		t.Fatal(err)
	}
	e.db.LinkStudy(context.Background(), doeStudy, u.ID, "linked", "test")
	b := e.login("ravi@example.org", "patient-password")
	if !strings.Contains(b.get("/studies/"+doeStudy).body, "Download images") {
		t.Error("study page lacks Download images")
	}
	token := startDownload(t, b, doeStudy)
	code := e.lastCode("sms")
	if e.lastCode("email") != code {
		t.Error("email and SMS carry different codes")
	}
	page := b.get("/downloads/" + token)
	mustContain(t, "code page", page.body, "r•••@example.org", "the phone ending 3210")
	if strings.Contains(page.body, code) {
		t.Error("the code page shows the code")
	}
	if res := b.get("/downloads/" + token + "/file"); res.status != http.StatusSeeOther {
		t.Errorf("file before the code = %d, want 303 back to the code", res.status)
	}
	if res := e.login2(t).get("/downloads/" + token); res.status != http.StatusNotFound {
		t.Errorf("another account's GET of the link = %d, want 404", res.status)
	}
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	if res := b.postForm("/downloads/"+token, url.Values{"code": {wrong}}); res.status != http.StatusUnauthorized {
		t.Errorf("wrong code = %d, want 401", res.status)
	}
	if res := b.postForm("/downloads/"+token, url.Values{"code": {code[:3] + " " + code[3:]}}); res.status != http.StatusSeeOther {
		t.Fatalf("right code = %d, want 303", res.status)
	}
	res := b.get("/downloads/" + token + "/file")
	if res.status != http.StatusOK || res.header.Get("Content-Type") != "application/zip" {
		t.Fatalf("file = %d %s", res.status, res.header.Get("Content-Type"))
	}
	checkZIP(t, []byte(res.body), filepath.Join("..", "testdata", "crafted", "doe.dcm"))
	for _, a := range []string{"download.code_sent", "download.code_failed", "download.code_ok", "download.zip"} {
		e.wantAudit(doeStudy, a, "user:"+itoa(u.ID))
	}
}

// login2 logs in a second patient who sees nothing.
func (e *testEnv) login2(t *testing.T) *browser {
	t.Helper()
	_, b := e.patientWith("bob@example.org")
	return b
}

// checkZIP reads a download back: one instance, byte for byte the file
// stored, and a DICOMDIR the dicom library parses with one image record
// naming it.
func checkZIP(t *testing.T, body []byte, original string) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		files[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	want, _ := os.ReadFile(original)
	if got := files["DICOM/PAT00001/STU00001/SER00001/IM000001"]; !bytes.Equal(got, want) {
		t.Errorf("ZIP entry is %d bytes, not the %d stored (entries: %d)", len(got), len(want), len(files))
	}
	dd := files["DICOMDIR"]
	ds, err := dicom.Parse(bytes.NewReader(dd), int64(len(dd)), nil)
	if err != nil {
		t.Fatalf("DICOMDIR: %v", err)
	}
	seq, err := ds.FindElementByTag(tag.DirectoryRecordSequence)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(seq.Value.GetValue().([]*dicom.SequenceItemValue)); n != 4 {
		t.Errorf("DICOMDIR has %d records, want patient, study, series, image", n)
	}
	if _, ok := files["README.TXT"]; !ok {
		t.Error("no README.TXT")
	}
}

// TestDownloadLinkDiesAfterTenWrongCodes sends wrong codes at once: the
// link dies at the tenth and the right code no longer works.
func TestDownloadLinkDiesAfterTenWrongCodes(t *testing.T) {
	e := newEnv(t)
	e.seed()
	_, b := e.patientWith("alice@example.org", doeStudy)
	token := startDownload(t, b, doeStudy)
	code := e.lastCode("email")
	var wg sync.WaitGroup
	for i := range 15 {
		wg.Go(func() {
			c := "00000" + itoa(int64(i%10))
			if c == code {
				c = "999999"
			}
			b.postForm("/downloads/"+token, url.Values{"code": {c}})
		})
	}
	wg.Wait()
	d, _ := e.db.DownloadByTokenHash(context.Background(), account.HashSecret(token))
	if d.FailedCodes != store.MaxWrongGuesses {
		t.Errorf("%d wrong codes counted, want %d", d.FailedCodes, store.MaxWrongGuesses)
	}
	if res := b.postForm("/downloads/"+token, url.Values{"code": {code}}); res.status != http.StatusGone {
		t.Errorf("right code after ten wrong = %d, want 410", res.status)
	}
	if res := b.get("/downloads/" + token + "/file"); res.status != http.StatusGone {
		t.Errorf("file of a dead link = %d, want 410", res.status)
	}
	e.wantAudit(doeStudy, "download.invalidated", "")
	// An expired link: made directly, 31 minutes old.
	u, _ := e.db.UserByLogin(context.Background(), "alice@example.org")
	old := account.NewSecret()
	e.db.CreateDownload(context.Background(), store.NewDownload{TokenHash: account.HashSecret(old), CodeHash: downloadCodeHash(old, "123456"),
		UserID: u.ID, StudyUID: doeStudy, ExpiresAt: time.Now().Add(-time.Minute)})
	if res := b.postForm("/downloads/"+old, url.Values{"code": {"123456"}}); res.status != http.StatusGone {
		t.Errorf("right code on an expired link = %d, want 410", res.status)
	}
}

// TestDownloadSwitches: an organisation can turn downloads off, and so
// can the server; shares then cannot offer them either.
func TestDownloadSwitches(t *testing.T) {
	e := newEnv(t)
	tok := e.token("pacs", ScopeRead, ScopeWrite)
	study := "2.25.9100"
	e.stowBytes(tok, craftDICOM(crafted{Study: study, PatientID: "C-1", Name: "Closed^Case", Birth: "19700101", Institution: "Closed Clinic",
		Accession: "CL-1", Date: "20240101", Description: "CT closed"}))
	_, b := e.patientWith("alice@example.org", study)
	if _, err := e.db.SaveOrganisation(context.Background(), store.Organisation{Name: "closed clinic"}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.get("/studies/"+study).body, "Download images") {
		t.Error("study page offers downloads the organisation turned off")
	}
	if res := b.postForm("/studies/"+study+"/download", url.Values{}); res.status != http.StatusForbidden {
		t.Errorf("download with downloads off = %d, want 403", res.status)
	}
	if res := b.postForm("/studies/"+study+"/shares", url.Values{"hours": {"24"}, "download": {"1"}}); res.status != http.StatusUnprocessableEntity ||
		!strings.Contains(res.body, "turned off") {
		t.Errorf("share with download while downloads are off = %d, want 422", res.status)
	}
	e.db.SaveOrganisation(context.Background(), store.Organisation{Name: "Closed Clinic", Downloads: true})
	tok2, _ := b.share(t, study, map[string]string{"download": "1"})
	doc := e.browser()
	res := doc.get("/s/" + tok2 + "/download")
	if res.status != http.StatusOK || res.header.Get("Content-Type") != "application/zip" {
		t.Errorf("share download = %d %s", res.status, res.header.Get("Content-Type"))
	}
	e.db.SaveOrganisation(context.Background(), store.Organisation{Name: "Closed Clinic"})
	if res := doc.get("/s/" + tok2 + "/download"); res.status != http.StatusForbidden {
		t.Errorf("share download after the switch went off = %d, want 403", res.status)
	}

	off := newEnv(t, func(o *Options) { o.Sharing.DownloadsOff = true })
	off.seed()
	_, ob := off.patientWith("alice@example.org", doeStudy)
	if res := ob.postForm("/studies/"+doeStudy+"/download", url.Values{}); res.status != http.StatusForbidden {
		t.Errorf("download with the server switch off = %d, want 403", res.status)
	}
}
