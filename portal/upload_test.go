package portal

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pacslite/pacslite/portal/store"
)

// TestUploadPaidFlow walks the state machine of a priority upload:
// created -> paid -> uploading -> stored, with the dashboard showing the
// study Processing, then Ready, with the Priority chip and a deadline
// counted from the payment.
func TestUploadPaidFlow(t *testing.T) {
	e := newPayEnv(t)
	ctx := context.Background()
	alice := e.user(store.RolePatient, "alice@example.org", "alice-password")
	e.user(store.RolePatient, "bob@example.org", "bob-password")
	a := e.login("alice@example.org", "alice-password")

	if res := a.get("/upload"); res.status != http.StatusOK || !strings.Contains(res.body, "Select Folder") || !strings.Contains(res.body, "₹4,000") {
		t.Fatalf("GET /upload = %d, want the upload page with the prices", res.status)
	}
	up := a.createUpload("priority", doeUpload)
	if up.State != "created" || up.AmountDue != 400000 || up.Price != 400000 || checkoutOrder(up) == "" || up.Checkout["key"] != testKeyID {
		t.Fatalf("created upload = %+v", up)
	}
	if got := e.upload(up.ID).State; got != store.UploadCreated {
		t.Errorf("state after create = %s, want created", got)
	}
	if res := a.stowFor(up.ID, "crafted/doe.dcm"); res.status != http.StatusPaymentRequired {
		t.Errorf("STOW before payment = %d, want 402\n%s", res.status, res.body)
	}
	paidAt := time.Now()
	up = e.payUpload(a, up)
	if up.State != "paid" {
		t.Fatalf("after payment: state %s, want paid", up.State)
	}
	if res := a.stowFor(up.ID, "crafted/doe.dcm"); res.status != http.StatusOK {
		t.Fatalf("STOW after payment = %d\n%s", res.status, res.body)
	}
	if got := e.upload(up.ID).State; got != store.UploadUploading {
		t.Errorf("state after the first STOW = %s, want uploading", got)
	}
	body := a.get("/studies").body
	if !strings.Contains(body, "badge-processing") || !strings.Contains(body, "chip-priority") {
		t.Errorf("dashboard during the upload lacks Processing and the Priority chip")
	}
	recs, err := e.db.StudyRecords(ctx, []string{doeStudy})
	if err != nil {
		t.Fatal(err)
	}
	if due := recs[doeStudy].DueAt.Sub(paidAt); due < 2*time.Hour-5*time.Second || due > 2*time.Hour+5*time.Second {
		t.Errorf("deadline = payment + %v, want 2h", due)
	}
	res, out := a.complete(up.ID, map[string]any{"rejected": 0})
	if res.status != http.StatusOK || out["state"] != "stored" || !strings.HasPrefix(out["redirect"].(string), "/studies?uploaded=1") {
		t.Fatalf("complete = %d %v", res.status, out)
	}
	body = a.get(out["redirect"].(string)).body
	if !strings.Contains(body, "badge-ready") || !strings.Contains(body, "chip-priority") || !strings.Contains(body, "Upload complete") {
		t.Errorf("dashboard after the upload lacks Ready, the Priority chip or the notice")
	}
	if res := a.stowFor(up.ID, "crafted/doe.dcm"); res.status != http.StatusConflict {
		t.Errorf("STOW into a finished upload = %d, want 409", res.status)
	}
	del, _ := http.NewRequest(http.MethodDelete, e.srv.URL+"/dicomweb/studies/"+doeStudy, nil)
	del.Header.Set(csrfHeader, a.csrf())
	if res := a.do(del); res.status != http.StatusForbidden {
		t.Errorf("patient DELETE of her own upload = %d, want 403", res.status)
	}
	if body := e.login("bob@example.org", "bob-password").get("/studies").body; strings.Contains(body, "Doe, John") {
		t.Errorf("Bob's dashboard shows Alice's upload")
	}
	events, _ := e.db.Events(ctx, store.AuditFilter{Limit: 1000})
	want := map[string]bool{"upload.consent": false, "upload.create": false, "paid": false, "study.upload": false, "upload.stored": false}
	for _, ev := range events {
		if _, ok := want[ev.Action]; ok && ev.Actor == "user:"+itoa(alice.ID) {
			want[ev.Action] = true
		}
		// The page's confirmation and the webhook race: either records the payment.
		if (ev.Action == "upload.paid" || ev.Action == "payment.captured") && strings.Contains(ev.Detail, up.ID) {
			want["paid"] = true
		}
	}
	for action, seen := range want {
		if !seen {
			t.Errorf("audit lacks %s", action)
		}
	}
	if u := e.upload(up.ID); u.ConsentVersion != consentVersion() || u.ConsentAt.IsZero() {
		t.Errorf("consent not recorded: %q at %v", u.ConsentVersion, u.ConsentAt)
	}
}

// TestUploadAmountDecidedByServer: whatever the page sends, the price is
// the configured one, and bad requests get a clear 4xx.
func TestUploadAmountDecidedByServer(t *testing.T) {
	e := newPayEnv(t, func(o *Options) { o.Payments.StandardPrice = 199900 })
	e.user(store.RolePatient, "alice@example.org", "alice-password")
	a := e.login("alice@example.org", "alice-password")
	req := uploadBody("standard", doeUpload)
	req["amount"], req["price"], req["amount_due"] = 100, 100, 100
	var up uploadView
	if res := a.sendJSON(http.MethodPost, "/uploads", req, &up); res.status != http.StatusCreated {
		t.Fatalf("POST /uploads = %d\n%s", res.status, res.body)
	}
	if up.AmountDue != 199900 || up.Checkout["amount"] != float64(199900) {
		t.Errorf("amount due = %d (checkout %v), want the configured 199900", up.AmountDue, up.Checkout["amount"])
	}
	if u := e.upload(up.ID); u.AmountDue != 199900 || u.Turnaround != 24*time.Hour {
		t.Errorf("stored upload = %d paise, %v; want 199900, 24h", u.AmountDue, u.Turnaround)
	}
	// A payment of another amount than the order's is refused.
	res, _, err := e.fake.PayAmount(checkoutOrder(up), 100)
	if err != nil {
		t.Fatal(err)
	}
	if r := a.sendJSON(http.MethodPost, "/uploads/"+up.ID+"/pay", res, nil); r.status != http.StatusBadRequest {
		t.Errorf("confirming a payment of 100 paise = %d, want 400\n%s", r.status, r.body)
	}
	if got := e.upload(up.ID).State; got != store.UploadCreated {
		t.Errorf("state after a tampered amount = %s, want created", got)
	}
	bad := []struct {
		name   string
		change func(map[string]any)
	}{
		{"unknown report type", func(m map[string]any) { m["report_type"] = "platinum" }},
		{"no consent", func(m map[string]any) { m["consent"] = false }},
		{"old consent terms", func(m map[string]any) { m["consent_version"] = "0000" }},
		{"no studies", func(m map[string]any) { m["studies"] = []any{} }},
		{"bad UID", func(m map[string]any) { m["studies"].([]map[string]any)[0]["uid"] = "1.2.x" }},
		{"no files", func(m map[string]any) { m["studies"].([]map[string]any)[0]["files"] = 0 }},
	}
	for _, tt := range bad {
		m := uploadBody("standard", doeUpload)
		tt.change(m)
		if res := a.sendJSON(http.MethodPost, "/uploads", m, nil); res.status != http.StatusBadRequest || !strings.Contains(res.body, `"error"`) {
			t.Errorf("%s: POST /uploads = %d, want 400 with an error\n%s", tt.name, res.status, res.body)
		}
	}
	// Staff do not upload through the portal.
	e.user(store.RoleAdmin, "root@example.org", "root-password")
	if res := e.login("root@example.org", "root-password").sendJSON(http.MethodPost, "/uploads", uploadBody("standard", doeUpload), nil); res.status != http.StatusForbidden {
		t.Errorf("admin POST /uploads = %d, want 403", res.status)
	}
}

// TestUploadSTOWRules: a patient's STOW-RS needs a paid upload of hers
// and stores only its studies.
func TestUploadSTOWRules(t *testing.T) {
	e := newPayEnv(t)
	e.seed() // Doe (and Smith) stored by a PACS, linked to nobody
	e.user(store.RolePatient, "alice@example.org", "alice-password")
	e.user(store.RolePatient, "bob@example.org", "bob-password")
	a := e.login("alice@example.org", "alice-password")
	b := e.login("bob@example.org", "bob-password")
	up := e.payUpload(a, a.createUpload("standard", mullerUpload))
	tests := []struct {
		name   string
		who    *browser
		upload string
		want   int
	}{
		{"no upload id", a, "", http.StatusForbidden},
		{"guessed upload id", a, newUploadID(), http.StatusForbidden},
		{"someone else's upload", b, up.ID, http.StatusForbidden},
	}
	for _, tt := range tests {
		if res := tt.who.stowFor(tt.upload, "crafted/muller_utf8_ct.dcm"); res.status != tt.want {
			t.Errorf("%s: STOW = %d, want %d\n%s", tt.name, res.status, tt.want, res.body)
		}
	}
	// A study the upload did not pay for is refused, the paid one stored.
	res := a.stowFor(up.ID, "crafted/muller_latin1.dcm", "crafted/muller_utf8_ct.dcm")
	if res.status != http.StatusAccepted || !strings.Contains(res.body, "not part of this upload") {
		t.Errorf("STOW of a paid and an unpaid study = %d, want 202 with a failure\n%s", res.status, res.body)
	}
	stored, _ := e.db.UploadInstances(context.Background(), up.ID)
	if len(stored) != 1 {
		t.Errorf("instances recorded = %v, want the one paid for", stored)
	}
	// Bob's guesses of upload ids on the JSON endpoints are 404.
	for _, p := range []string{"/uploads/" + up.ID, "/uploads/" + newUploadID()} {
		if res := b.get(p); res.status != http.StatusNotFound {
			t.Errorf("Bob GET %s = %d, want 404", p, res.status)
		}
	}
	if res := b.sendJSON(http.MethodPost, "/uploads/"+up.ID+"/complete", map[string]any{}, nil); res.status != http.StatusNotFound {
		t.Errorf("Bob completing Alice's upload = %d, want 404", res.status)
	}
}
