package portal

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pacslite/pacslite/portal/archive"
	"github.com/pacslite/pacslite/portal/store"
)

// TestUploadResume: a failure mid-way (the browser closed) is resumed
// without paying again: the server says what is stored, the page sends
// the rest. The sweep closes what nobody resumes.
func TestUploadResume(t *testing.T) {
	e := newPayEnv(t)
	alice := e.user(store.RolePatient, "alice@example.org", "alice-password")
	a := e.login("alice@example.org", "alice-password")
	up := e.payUpload(a, a.createUpload("priority", mullerUpload, doeUpload))
	if res := a.stowFor(up.ID, "crafted/muller_utf8_ct.dcm"); res.status != http.StatusOK {
		t.Fatalf("first batch = %d", res.status)
	}
	if r, out := a.complete(up.ID, map[string]any{"rejected": 0}); r.status != http.StatusConflict || out["state"] != nil {
		t.Errorf("complete after 1 of 3 files = %d, want 409", r.status)
	}
	if body := a.get("/upload").body; !strings.Contains(body, "Unfinished uploads") || !strings.Contains(body, `data-resume="`+up.ID+`"`) {
		t.Errorf("the upload page does not offer to resume")
	}
	var st struct {
		uploadView
		StoredSOPs []string `json:"stored_sops"`
	}
	if res := a.sendJSON(http.MethodGet, "/uploads/"+up.ID, nil, &st); res.status != http.StatusOK || len(st.StoredSOPs) != 1 || st.State != "uploading" {
		t.Fatalf("status = %d %+v", res.status, st)
	}
	if res := a.stowFor(up.ID, "crafted/muller_utf8_mr.dcm", "crafted/doe.dcm"); res.status != http.StatusOK {
		t.Fatalf("resumed batch = %d\n%s", res.status, res.body)
	}
	if r, out := a.complete(up.ID, map[string]any{}); r.status != http.StatusOK || out["state"] != "stored" {
		t.Errorf("complete after resuming = %d %v", r.status, out)
	}
	if got := e.balance(alice.ID); got != 0 {
		t.Errorf("balance = %d: nothing should be credited", got)
	}

	// Two uploads left unfinished past the resume window: the one whose
	// files all arrived is stored, the other fails and is credited; an
	// unpaid one is cancelled.
	done := e.payUpload(a, a.createUpload("standard", smithUpload))
	a.stowFor(done.ID, "crafted/smith.dcm")
	half := e.payUpload(a, a.createUpload("priority", testStudy{uid: "2.25.4711000000000000000000000000.2", name: "x", action: "new", files: 2}))
	a.stowFor(half.ID, "crafted/muller_latin1.dcm")
	unpaid := a.createUpload("standard", testStudy{uid: "2.25.4711000000000000000000000000.3", name: "x", action: "new", files: 1})
	e.h.now = func() time.Time { return time.Now().Add(25 * time.Hour) }
	n, err := e.h.SweepUploads(context.Background())
	if err != nil || n != 3 {
		t.Errorf("SweepUploads = %d, %v; want 3", n, err)
	}
	for id, want := range map[string]store.UploadState{done.ID: store.UploadStored, half.ID: store.UploadCredited, unpaid.ID: store.UploadCancelled, up.ID: store.UploadStored} {
		if got := e.upload(id).State; got != want {
			t.Errorf("after the sweep %s is %s, want %s", id, got, want)
		}
	}
	if got := e.balance(alice.ID); got != 400000 {
		t.Errorf("balance after the sweep = %d, want 400000", got)
	}
}

// TestUploadDuplicates: studies already in the account must be skipped or
// replaced; studies of other accounts cannot be uploaded; a replaced
// study keeps only what the new upload brought.
func TestUploadDuplicates(t *testing.T) {
	e := newPayEnv(t)
	e.seed() // Smith, stored by a PACS for nobody
	e.user(store.RolePatient, "alice@example.org", "alice-password")
	a := e.login("alice@example.org", "alice-password")
	first := e.payUpload(a, a.createUpload("standard", mullerUpload))
	a.stowFor(first.ID, "crafted/muller_utf8_ct.dcm", "crafted/muller_utf8_mr.dcm")
	a.complete(first.ID, map[string]any{})

	res := a.sendJSON(http.MethodPost, "/uploads", uploadBody("standard", mullerUpload), nil)
	if res.status != http.StatusConflict || !strings.Contains(res.body, `"duplicates":["`+mullerCT+`"]`) {
		t.Errorf("uploading a study again = %d %s, want 409 naming the duplicate", res.status, res.body)
	}
	res = a.sendJSON(http.MethodPost, "/uploads", uploadBody("standard", smithUpload), nil)
	if res.status != http.StatusConflict || !strings.Contains(res.body, `"foreign":["`+smithStudy+`"]`) {
		t.Errorf("uploading another account's study = %d %s, want 409 naming it", res.status, res.body)
	}
	replace := mullerUpload
	replace.action, replace.files = "replace", 1
	up := e.payUpload(a, a.createUpload("priority", replace))
	if res := a.stowFor(up.ID, "crafted/muller_utf8_ct.dcm"); res.status != http.StatusOK {
		t.Fatalf("STOW of the replacement = %d\n%s", res.status, res.body)
	}
	if r, _ := a.complete(up.ID, map[string]any{}); r.status != http.StatusOK {
		t.Fatalf("complete = %d", r.status)
	}
	series, err := e.h.archive.Series(context.Background(), mullerCT)
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, s := range series {
		insts, err := e.h.archive.Instances(context.Background(), mullerCT, s.UID)
		if err != nil && err != archive.ErrNotFound {
			t.Fatal(err)
		}
		for _, i := range insts {
			left = append(left, i.UID)
		}
	}
	if len(left) != 1 || left[0] != "2.25.4711000000000000000000000000.1.1.1" {
		t.Errorf("instances of the replaced study = %v, want only the CT", left)
	}
}

// TestUploadNameMismatch: a study of another patient name than the
// account's is accepted, flagged and written to the audit trail.
func TestUploadNameMismatch(t *testing.T) {
	e := newPayEnv(t)
	hash, _ := e.hasher.Hash(context.Background(), "john-password")
	john, err := e.db.CreateUser(context.Background(), store.NewUser{Email: "john@example.org", Name: "John Doe", Role: store.RolePatient, PasswordHash: hash})
	if err != nil {
		t.Fatal(err)
	}
	j := e.login("john@example.org", "john-password")
	up := j.createUpload("standard", doeUpload, mullerUpload)
	u := e.upload(up.ID)
	flags := map[string]bool{}
	for _, s := range u.Studies {
		flags[s.StudyUID] = s.NameMismatch
	}
	if flags[doeStudy] || !flags[mullerCT] {
		t.Errorf("name mismatch flags = %v, want Müller flagged and Doe^John not", flags)
	}
	events, _ := e.db.Events(context.Background(), store.AuditFilter{StudyUID: mullerCT})
	if len(events) != 1 || events[0].Action != "upload.name_mismatch" || events[0].Actor != "user:"+itoa(john.ID) {
		t.Errorf("audit of the mismatch = %+v", events)
	}
	for _, tt := range []struct {
		dicom, account string
		want           bool
	}{
		{"Doe^John", "John Doe", true}, {"DOE^JOHN^^^", "john doe", true}, {"Doe^John=山田^太郎", "John Doe", true},
		{"Doe^John", "John", true}, {"Citizen^Jan", "Peter Doe", false}, {"", "Peter Doe", true}, {"Müller^Jürgen", "jürgen müller", true},
	} {
		if got := sameName(tt.dicom, tt.account); got != tt.want {
			t.Errorf("sameName(%q, %q) = %v, want %v", tt.dicom, tt.account, got, tt.want)
		}
	}
}

func TestRupees(t *testing.T) {
	for paise, want := range map[int64]string{250000: "₹2,500", 400000: "₹4,000", 10000000: "₹1,00,000", 1250: "₹12.50", 0: "₹0",
		12345678901: "₹12,34,56,789.01", 100: "₹1", -5000: "-₹50"} {
		if got := rupees(paise); got != want {
			t.Errorf("rupees(%d) = %q, want %q", paise, got, want)
		}
	}
	for in, want := range map[string]int64{"2500": 250000, "2,500": 250000, "12.5": 1250, "₹4,000.00": 400000, "0.01": 1} {
		if got, ok := parseRupees(in); !ok || got != want {
			t.Errorf("parseRupees(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "abc", "1.234", "-5"} {
		if _, ok := parseRupees(bad); ok {
			t.Errorf("parseRupees(%q) ok, want refused", bad)
		}
	}
}

// TestReconcileWithoutWebhook: the patient pays and the browser closes
// before confirming, and no webhook comes (none configured, or Razorpay
// is late). The upload page and the sweep ask Razorpay, so the upload is
// paid and resumable, never cancelled with the money taken.
func TestReconcileWithoutWebhook(t *testing.T) {
	e := newPayEnv(t)
	e.fake.SetWebhookURL("")
	e.user(store.RolePatient, "alice@example.org", "alice-password")
	a := e.login("alice@example.org", "alice-password")
	seen := a.createUpload("standard", doeUpload)
	swept := a.createUpload("priority", mullerUpload)
	for _, up := range []uploadView{seen, swept} {
		if _, _, err := e.fake.Pay(checkoutOrder(up), "failure", "card"); err == nil {
			t.Fatal("a failed payment succeeded")
		}
		if _, _, err := e.fake.Pay(checkoutOrder(up), "success", "card"); err != nil {
			t.Fatal(err)
		}
	}
	if body := a.get("/upload").body; !strings.Contains(body, `data-resume="`+seen.ID+`"`) {
		t.Errorf("the upload page does not offer the paid upload for resumption")
	}
	e.h.now = func() time.Time { return time.Now().Add(3 * time.Hour) }
	if _, err := e.h.SweepUploads(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, up := range []uploadView{seen, swept} {
		if u := e.upload(up.ID); u.State != store.UploadPaid || u.PaymentID == "" {
			t.Errorf("%s after the sweep: %s, want paid", up.ID, u.State)
		}
		if pays, _ := e.db.Payments(context.Background(), up.ID); len(pays) != 2 {
			t.Errorf("payments recorded = %+v, want the failed and the captured one", pays)
		}
	}
	// An unpaid one is cancelled; when Razorpay cannot be asked, it waits.
	unpaid := a.createUpload("standard", smithUpload)
	e.fake.FailNext("/v1/orders", http.StatusServiceUnavailable, false)
	e.h.now = func() time.Time { return time.Now().Add(6 * time.Hour) }
	e.h.SweepUploads(context.Background())
	if got := e.upload(unpaid.ID).State; got != store.UploadCreated {
		t.Errorf("with Razorpay unavailable the unpaid upload became %s, want created", got)
	}
	e.h.SweepUploads(context.Background())
	if got := e.upload(unpaid.ID).State; got != store.UploadCancelled {
		t.Errorf("then it became %s, want cancelled", got)
	}
}
