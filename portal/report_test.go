package portal

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pacslite/pacslite/dicomweb/dataset"
	"github.com/pacslite/pacslite/portal/store"
)

// reportForm is a complete report with text in several scripts.
func reportForm() url.Values {
	return url.Values{
		"clinical_history": {"सिर में दर्द, दो सप्ताह से। Headache for two weeks."},
		"technique":        {"Axial CT of the head without contrast."},
		"comparison":       {"None."},
		"findings":         {"No intracranial haemorrhage.\nVentricles normal. 正常。"},
		"impression":       {"Normal CT head — Müller's sign absent."},
		"recommendation":   {"No follow-up needed."},
	}
}

// reportEnv is a portal with the crafted studies, a linked patient (Alice,
// with a phone), an unlinked one (Bob), two radiologists and an admin.
type reportEnv struct {
	*testEnv
	rao, sen, alice, bob, admin *browser
	raoUser                     store.User
}

func newReportEnv(t *testing.T, tweak ...func(*Options)) *reportEnv {
	t.Helper()
	e := newEnv(t, tweak...)
	e.seed()
	ctx := context.Background()
	re := &reportEnv{testEnv: e}
	e.user(store.RoleAdmin, "admin@example.org", "admin-password")
	re.raoUser = e.user(store.RoleRadiologist, "rao@example.org", "rao-password")
	e.user(store.RoleRadiologist, "sen@example.org", "sen-password")
	hash, _ := e.hasher.Hash(ctx, "alice-password")
	alice, err := e.db.CreateUser(ctx, store.NewUser{Email: "alice@example.org", Phone: "+919876500001", Name: "Alice", Role: store.RolePatient, PasswordHash: hash})
	if err != nil {
		t.Fatal(err)
	}
	e.user(store.RolePatient, "bob@example.org", "bob-password")
	if err := e.db.LinkStudy(ctx, smithStudy, alice.ID, "linked", "test"); err != nil {
		t.Fatal(err)
	}
	re.rao, re.sen = e.login("rao@example.org", "rao-password"), e.login("sen@example.org", "sen-password")
	re.alice, re.bob = e.login("alice@example.org", "alice-password"), e.login("bob@example.org", "bob-password")
	re.admin = e.login("admin@example.org", "admin-password")
	return re
}

// getAccept GETs a path with an Accept header.
func (b *browser) getAccept(path, accept string) response {
	req, _ := http.NewRequest(http.MethodGet, b.e.srv.URL+path, nil)
	req.Header.Set("Accept", accept)
	return b.do(req)
}

// reportSeries returns the SOP Instance UIDs of the study's report
// instances that a browser's session finds with QIDO-RS.
func (b *browser) reportInstances(study string) (series string, sops []string) {
	b.e.t.Helper()
	res := b.getAccept("/dicomweb/studies/"+study+"/instances?Modality=DOC&includefield=0020000E", "application/dicom+json")
	if res.status != http.StatusOK {
		b.e.t.Fatalf("QIDO instances = %d", res.status)
	}
	var objs []map[string]struct{ Value []any }
	if err := json.Unmarshal([]byte(res.body), &objs); err != nil {
		b.e.t.Fatal(err)
	}
	for _, o := range objs {
		series = fmt.Sprint(o["0020000E"].Value[0])
		sops = append(sops, fmt.Sprint(o["00080018"].Value[0]))
	}
	return series, sops
}

// encapsulated retrieves an instance with WADO-RS and returns its
// Encapsulated Document, cut to its declared length.
func (b *browser) encapsulated(study, series, sop string) []byte {
	t := b.e.t
	t.Helper()
	res := b.getAccept("/dicomweb/studies/"+study+"/series/"+series+"/instances/"+sop, `multipart/related; type="application/dicom"`)
	if res.status != http.StatusOK {
		t.Fatalf("WADO-RS instance = %d", res.status)
	}
	_, params, _ := mime.ParseMediaType(res.header.Get("Content-Type"))
	part, err := multipart.NewReader(strings.NewReader(res.body), params["boundary"]).NextPart()
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(part)
	f, err := dataset.Parse(bytes.NewReader(data), dataset.Options{InlineLimit: 64 << 20})
	if err != nil {
		t.Fatal(err)
	}
	doc, n := f.Dataset.Find(0x00420011), f.Dataset.Find(0x00420015)
	if doc == nil || n == nil {
		t.Fatal("no Encapsulated Document")
	}
	return doc.Value[:binary.LittleEndian.Uint32(n.Value)]
}

// pdfText extracts a PDF's text with poppler's pdftotext, or returns ""
// and false when it is not installed (CI installs it).
func pdfText(t *testing.T, pdf []byte) (string, bool) {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext is missing: test.sh installs poppler-utils")
		}
		return "", false
	}
	path := filepath.Join(t.TempDir(), "r.pdf")
	os.WriteFile(path, pdf, 0o600)
	out, err := exec.Command(bin, "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out), true
}

// outbox lists the queued notifications as "channel kind recipient".
func (e *reportEnv) outbox() []string {
	ns, err := e.db.Notifications(context.Background(), false, 100)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, n := range ns {
		out = append(out, n.Channel+" "+n.Kind+" "+n.Recipient)
	}
	return out
}

// fakeClock is a settable clock for the handler, safe across goroutines.
type fakeClock struct{ ms atomic.Int64 }

func (c *fakeClock) set(t time.Time) { c.ms.Store(t.UnixMilli()) }
func (c *fakeClock) now() time.Time  { return time.UnixMilli(c.ms.Load()) }
