package portal

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pacslite/pacslite/portal/store"
)

// TestCreditFlow: an upload whose files the archive refuses (not DICOM)
// fails after payment and its price goes to the credit balance; the next
// uploads spend the credit first, with no Checkout when it covers the
// price, and an abandoned upload gives its credit back.
func TestCreditFlow(t *testing.T) {
	e := newPayEnv(t)
	alice := e.user(store.RolePatient, "alice@example.org", "alice-password")
	a := e.login("alice@example.org", "alice-password")

	up := e.payUpload(a, a.createUpload("priority", doeUpload))
	res := a.stowBytes(up.ID, []byte("%PDF-1.4 this is a report, not an image"), []byte("MZ\x90\x00 viewer.exe"))
	if res.status != http.StatusConflict && res.status != http.StatusBadRequest {
		t.Errorf("STOW of files that are not DICOM = %d, want a 4xx refusal\n%s", res.status, res.body)
	}
	// Completing without the study is refused; giving up fails and credits.
	if r, _ := a.complete(up.ID, map[string]any{"rejected": 2}); r.status != http.StatusConflict {
		t.Errorf("complete with nothing stored = %d, want 409", r.status)
	}
	r, out := a.complete(up.ID, map[string]any{"rejected": 2, "give_up": true, "reason": "not DICOM"})
	if r.status != http.StatusOK || out["state"] != "credited" || out["credited"] != float64(400000) {
		t.Fatalf("give up = %d %v", r.status, out)
	}
	if got := e.balance(alice.ID); got != 400000 {
		t.Fatalf("balance after the failed upload = %d, want 400000", got)
	}
	if r, _ := a.complete(up.ID, map[string]any{"give_up": true}); r.status != http.StatusConflict {
		t.Errorf("giving up twice = %d, want 409", r.status)
	}
	if got := e.balance(alice.ID); got != 400000 {
		t.Errorf("balance after giving up twice = %d, want 400000", got)
	}
	settings := a.get("/settings").body
	if !strings.Contains(settings, "Refund credit balance") || !strings.Contains(settings, "₹4,000") || !strings.Contains(settings, "upload failed: not DICOM") {
		t.Errorf("Settings lack the balance or the history")
	}

	// Standard (Rs 2,500) is covered: paid at once, no order, no Checkout.
	std := a.createUpload("standard", doeUpload)
	if std.State != "paid" || std.Checkout != nil || std.CreditUsed != 250000 || std.AmountDue != 0 || e.upload(std.ID).OrderID != "" {
		t.Fatalf("upload covered by credit = %+v", std)
	}
	if res := a.stowFor(std.ID, "crafted/doe.dcm"); res.status != http.StatusOK {
		t.Fatalf("STOW of the credit-paid upload = %d\n%s", res.status, res.body)
	}
	if r, out := a.complete(std.ID, map[string]any{}); r.status != http.StatusOK || out["state"] != "stored" {
		t.Fatalf("complete = %d %v", r.status, out)
	}
	if got := e.balance(alice.ID); got != 150000 {
		t.Errorf("balance = %d, want 150000", got)
	}
	// Priority (Rs 4,000) with Rs 1,500 of credit: Checkout for Rs 2,500.
	pri := a.createUpload("priority", mullerUpload)
	if pri.CreditUsed != 150000 || pri.AmountDue != 250000 || pri.Checkout["amount"] != float64(250000) {
		t.Errorf("partly covered upload = %+v", pri)
	}
	if got := e.balance(alice.ID); got != 0 {
		t.Errorf("balance while the credit is reserved = %d, want 0", got)
	}
	// The patient dismisses Checkout and picks Standard instead: the page
	// replaces the unpaid upload, whose credit comes back first.
	body := uploadBody("standard", mullerUpload)
	body["replaces"] = pri.ID
	var again uploadView
	if res := a.sendJSON(http.MethodPost, "/uploads", body, &again); res.status != http.StatusCreated {
		t.Fatalf("retry = %d\n%s", res.status, res.body)
	}
	if again.CreditUsed != 150000 || again.AmountDue != 100000 || e.upload(pri.ID).State != store.UploadCancelled {
		t.Errorf("retry: %+v; first upload %s", again, e.upload(pri.ID).State)
	}
	if res := a.sendJSON(http.MethodPost, "/uploads/"+again.ID+"/cancel", nil, nil); res.status != http.StatusOK {
		t.Fatalf("cancel = %d", res.status)
	}
	if got := e.balance(alice.ID); got != 150000 {
		t.Errorf("balance after cancelling = %d, want 150000", got)
	}
	if res := a.sendJSON(http.MethodPost, "/uploads/"+std.ID+"/cancel", nil, nil); res.status != http.StatusConflict {
		t.Errorf("cancelling a paid upload = %d, want 409", res.status)
	}
}

// TestCreditMinimumCharge: Razorpay takes at least Rs 1, so less credit is
// used rather than charge less.
func TestCreditMinimumCharge(t *testing.T) {
	e := newPayEnv(t)
	alice := e.user(store.RolePatient, "alice@example.org", "alice-password")
	ctx := context.Background()
	u, err := e.db.CreateUpload(ctx, store.NewUpload{ID: newUploadID(), UserID: alice.ID, ReportType: "standard", Price: 100, Currency: "INR",
		Turnaround: time.Hour, Files: 1, ConsentVersion: "v", MinCharge: 100, Studies: []store.UploadStudy{{StudyUID: "1.2", Files: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.FailUpload(ctx, u.ID, "test"); err == nil {
		t.Fatal("failing an unpaid upload worked")
	}
	e.db.CancelUpload(ctx, u.ID, "test")
	// Give Alice Rs 3,999.50 of credit through an admin refund of a paid upload.
	a := e.login("alice@example.org", "alice-password")
	paid := e.payUpload(a, a.createUpload("priority", doeUpload))
	if _, err := e.h.refundUpload(ctx, paid.ID, store.RefundToCredit, 399950, "test", "user:1"); err != nil {
		t.Fatal(err)
	}
	up := a.createUpload("priority", mullerUpload)
	if up.AmountDue != 100 || up.CreditUsed != 399900 {
		t.Errorf("with Rs 3,999.50 of credit: due %d, credit %d; want 100 and 399900", up.AmountDue, up.CreditUsed)
	}
}

// TestAdminRefund: refunds to the original method through Razorpay's API
// (processed by the refund.processed webhook) and to credit, never more
// than was paid.
func TestAdminRefund(t *testing.T) {
	e := newPayEnv(t)
	alice := e.user(store.RolePatient, "alice@example.org", "alice-password")
	e.user(store.RoleAdmin, "root@example.org", "root-password")
	a := e.login("alice@example.org", "alice-password")
	up := e.payUpload(a, a.createUpload("priority", doeUpload))
	admin := e.login("root@example.org", "root-password")
	if res := admin.get("/admin/payments"); res.status != http.StatusOK || !strings.Contains(res.body, up.ID) {
		t.Fatalf("GET /admin/payments = %d, want the upload listed", res.status)
	}
	if res := a.get("/admin/payments"); res.status != http.StatusForbidden {
		t.Errorf("patient GET /admin/payments = %d, want 403", res.status)
	}
	refund := func(kind, amount, reason string) string {
		res := admin.postForm("/admin/payments/"+up.ID+"/refund", map[string][]string{"kind": {kind}, "amount": {amount}, "reason": {reason}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("refund %s %s = %d", kind, amount, res.status)
		}
		return res.header.Get("Location")
	}
	if loc := refund("method", "1,500", "report was late"); !strings.Contains(loc, "notice=") {
		t.Fatalf("refund to method: %s", loc)
	}
	e.fake.Flush()
	refunds, _ := e.db.Refunds(context.Background(), up.ID)
	if len(refunds) != 1 || refunds[0].Status != "processed" || refunds[0].RazorpayID == "" || refunds[0].Amount != 150000 {
		t.Errorf("refunds after the webhook = %+v, want one processed of 150000", refunds)
	}
	if got := e.fake.Refunds(up.ID); len(got) != 0 {
		t.Errorf("fake refunds looked up by upload id: %v", got)
	}
	for _, tt := range []struct{ kind, amount, reason, want string }{
		{"method", "2500.01", "too much", "error="},
		{"credit", "0", "nothing", "error="},
		{"credit", "10", "", "error="},
		{"bank", "10", "where?", "error="},
		{"credit", "2500", "goodwill", "notice="},
		{"credit", "1", "nothing left", "error="},
	} {
		if loc := refund(tt.kind, tt.amount, tt.reason); !strings.Contains(loc, tt.want) {
			t.Errorf("refund %s %s %q: went to %s, want %s", tt.kind, tt.amount, tt.reason, loc, tt.want)
		}
	}
	if got := e.balance(alice.ID); got != 250000 {
		t.Errorf("balance = %d, want 250000", got)
	}
	// A failed upload credits only what was not already refunded.
	// (Rs 4,000: Rs 2,500 from credit, Rs 1,500 paid; Rs 500 of it refunded.)
	up2 := e.payUpload(a, a.createUpload("priority", mullerUpload))
	refundOK(t, e, up2.ID, store.RefundToMethod, 50000)
	if _, err := e.h.refundUpload(context.Background(), up2.ID, store.RefundToMethod, 100001, "more than was paid by card", "user:1"); err == nil {
		t.Error("refunding more than the card paid worked")
	}
	if r, out := a.complete(up2.ID, map[string]any{"give_up": true}); r.status != http.StatusOK || out["credited"] != float64(350000) {
		t.Errorf("give up after a partial refund: %d %v, want 350000 credited", r.status, out)
	}
}

func refundOK(t *testing.T, e *payEnv, id, kind string, amount int64) {
	t.Helper()
	if _, err := e.h.refundUpload(context.Background(), id, kind, amount, "test", "user:1"); err != nil {
		t.Fatal(err)
	}
}
