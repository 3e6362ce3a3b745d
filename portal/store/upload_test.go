package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func newTestUpload(t *testing.T, db *DB, userID int64, price int64, studies ...string) Upload {
	t.Helper()
	n := NewUpload{ID: "up_" + time.Now().Format("150405.000000000"), UserID: userID, ReportType: "priority", Price: price, Currency: "INR",
		Turnaround: 2 * time.Hour, Files: int64(len(studies)), ConsentVersion: "v1", MinCharge: 100, Actor: "user:1"}
	for _, s := range studies {
		n.Studies = append(n.Studies, UploadStudy{StudyUID: s, Files: 1})
	}
	u, err := db.CreateUpload(context.Background(), n)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestUploadStateMachine: created -> paid -> uploading -> stored, and
// paid -> failed -> credited, with the payment checks on the way.
func TestUploadStateMachine(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	user, err := db.CreateUser(ctx, NewUser{Email: "p@example.org", Name: "P", Role: RolePatient, PasswordHash: "h"})
	if err != nil {
		t.Fatal(err)
	}
	u := newTestUpload(t, db, user.ID, 400000, "1.2.3")
	if u.State != UploadCreated || u.AmountDue != 400000 || u.CreditUsed != 0 {
		t.Fatalf("new upload = %+v", u)
	}
	if err := db.SetUploadOrder(ctx, u.ID, "order_1"); err != nil {
		t.Fatal(err)
	}
	if err := db.SetUploadOrder(ctx, u.ID, "order_2"); !errors.Is(err, ErrConflict) {
		t.Errorf("a second order = %v, want ErrConflict", err)
	}
	pay := PaymentRecord{ID: "pay_1", OrderID: "order_1", Amount: 400000, Currency: "INR", Status: "captured", CreatedAt: time.Now(), UpdatedAt: time.Now()}
	for _, bad := range []PaymentRecord{
		{ID: "pay_0", OrderID: "order_1", Amount: 100, Currency: "INR", Status: "captured"},
		{ID: "pay_0", OrderID: "order_9", Amount: 400000, Currency: "INR", Status: "captured"},
		{ID: "pay_0", OrderID: "order_1", Amount: 400000, Currency: "USD", Status: "captured"},
	} {
		if _, err := db.MarkUploadPaid(ctx, u.ID, bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("MarkUploadPaid(%+v) = %v, want ErrInvalid", bad, err)
		}
	}
	for i, want := range []PaidOutcome{PaidNow, PaidAlready} {
		if got, err := db.MarkUploadPaid(ctx, u.ID, pay); err != nil || got != want {
			t.Errorf("MarkUploadPaid #%d = %v, %v; want %v", i, got, err, want)
		}
	}
	other := newTestUpload(t, db, user.ID, 250000, "1.2.4")
	db.SetUploadOrder(ctx, other.ID, "order_2")
	if _, err := db.MarkUploadPaid(ctx, other.ID, PaymentRecord{ID: "pay_1", OrderID: "order_2", Amount: 250000, Currency: "INR"}); !errors.Is(err, ErrConflict) {
		t.Errorf("a payment reused for another upload = %v, want ErrConflict", err)
	}
	if err := db.StartUploading(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Upload(ctx, u.ID); got.State != UploadUploading || got.PaidAt.IsZero() || got.Due().Sub(got.PaidAt) != 2*time.Hour {
		t.Errorf("after StartUploading: %+v", got)
	}
	for range 2 {
		if err := db.RecordUploadInstance(ctx, u.ID, "1.2.3", "1.2.3.1.1"); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := db.Upload(ctx, u.ID); got.Studies[0].Stored != 1 {
		t.Errorf("stored = %d, want 1 (an instance sent twice counts once)", got.Studies[0].Stored)
	}
	if err := db.FinishUpload(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.FailUpload(ctx, u.ID, "late"); !errors.Is(err, ErrConflict) {
		t.Errorf("failing a stored upload = %v, want ErrConflict", err)
	}

	// paid -> failed -> credited: everything that came in goes to credit.
	f := newTestUpload(t, db, user.ID, 250000, "1.2.5")
	db.SetUploadOrder(ctx, f.ID, "order_3")
	db.MarkUploadPaid(ctx, f.ID, PaymentRecord{ID: "pay_3", OrderID: "order_3", Amount: 250000, Currency: "INR", Status: "captured"})
	if n, err := db.FailUpload(ctx, f.ID, "archive refused"); err != nil || n != 250000 {
		t.Fatalf("FailUpload = %d, %v", n, err)
	}
	got, _ := db.Upload(ctx, f.ID)
	if got.State != UploadCredited || got.Failure != "archive refused" {
		t.Errorf("failed upload = %s %q", got.State, got.Failure)
	}
	if b, _ := db.CreditBalance(ctx, user.ID); b != 250000 {
		t.Errorf("balance = %d, want 250000", b)
	}
	if left, _ := db.UploadRefundable(ctx, f.ID); left.Total != 0 {
		t.Errorf("refundable after the credit = %+v, want none", left)
	}

	// Credit first: covered in full, then in part; cancelling releases it.
	c := newTestUpload(t, db, user.ID, 100000, "1.2.6")
	if c.State != UploadPaid || c.CreditUsed != 100000 || c.AmountDue != 0 {
		t.Errorf("covered upload = %+v", c)
	}
	p := newTestUpload(t, db, user.ID, 400000, "1.2.7")
	if p.CreditUsed != 150000 || p.AmountDue != 250000 || p.State != UploadCreated {
		t.Errorf("partly covered upload = %+v", p)
	}
	if err := db.CancelUpload(ctx, p.ID, "user:1"); err != nil {
		t.Fatal(err)
	}
	if err := db.CancelUpload(ctx, p.ID, "user:1"); !errors.Is(err, ErrConflict) {
		t.Errorf("cancelling twice = %v, want ErrConflict", err)
	}
	if b, _ := db.CreditBalance(ctx, user.ID); b != 150000 {
		t.Errorf("balance after cancelling = %d, want 150000", b)
	}
	lines, _ := db.CreditLines(ctx, user.ID, 10)
	if len(lines) != 4 || lines[0].Kind != "released" || lines[3].Kind != "failed_upload" {
		t.Errorf("ledger = %+v", lines)
	}
	if _, err := db.CreateRefund(ctx, NewRefund{UploadID: c.ID, Kind: RefundToMethod, Amount: 100, Reason: "x", Actor: "a"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("refunding a credit-paid upload to a card = %v, want ErrInvalid", err)
	}
	if _, err := db.CreateRefund(ctx, NewRefund{UploadID: c.ID, Kind: RefundToCredit, Amount: 100001, Reason: "x", Actor: "a"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("refunding more than the price = %v, want ErrInvalid", err)
	}
}

func TestWebhookEvents(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	e := WebhookEvent{EventID: "evt_1", BodySHA256: "abc", Event: "payment.captured", Outcome: "paid"}
	for _, probe := range [][2]string{{"evt_1", "zzz"}, {"evt_2", "abc"}} {
		if seen, _ := db.WebhookSeen(ctx, probe[0], probe[1]); seen {
			t.Errorf("WebhookSeen(%v) before recording = true", probe)
		}
	}
	for range 2 {
		if err := db.RecordWebhookEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	for _, probe := range [][2]string{{"evt_1", "zzz"}, {"evt_2", "abc"}} {
		if seen, _ := db.WebhookSeen(ctx, probe[0], probe[1]); !seen {
			t.Errorf("WebhookSeen(%v) = false, want true (same id or same body)", probe)
		}
	}
	if evs, _ := db.WebhookEvents(ctx, 10); len(evs) != 1 {
		t.Errorf("events = %+v, want one", evs)
	}
}
