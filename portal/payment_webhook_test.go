package portal

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/pacslite/pacslite/portal/payment"
	"github.com/pacslite/pacslite/portal/store"
)

// TestPaymentForgery: the page's payment confirmation is believed only
// when Razorpay signed it for this upload's order.
func TestPaymentForgery(t *testing.T) {
	e := newPayEnv(t)
	e.user(store.RolePatient, "alice@example.org", "alice-password")
	e.user(store.RolePatient, "bob@example.org", "bob-password")
	a := e.login("alice@example.org", "alice-password")
	target := a.createUpload("priority", doeUpload)
	cheap := a.createUpload("standard", mullerUpload)
	paidCheap, _, err := e.fake.Pay(checkoutOrder(cheap), "success", "card")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		body map[string]string
		want int
	}{
		{"made-up signature", map[string]string{"razorpay_order_id": checkoutOrder(target), "razorpay_payment_id": "pay_made_up",
			"razorpay_signature": strings.Repeat("ab", 32)}, http.StatusBadRequest},
		{"no signature", map[string]string{"razorpay_order_id": checkoutOrder(target), "razorpay_payment_id": paidCheap.PaymentID}, http.StatusBadRequest},
		{"another upload's payment, as it came", map[string]string{"razorpay_order_id": paidCheap.OrderID, "razorpay_payment_id": paidCheap.PaymentID,
			"razorpay_signature": paidCheap.Signature}, http.StatusBadRequest},
		{"another upload's payment, order id swapped", map[string]string{"razorpay_order_id": checkoutOrder(target), "razorpay_payment_id": paidCheap.PaymentID,
			"razorpay_signature": paidCheap.Signature}, http.StatusBadRequest},
		{"signed with a guessed secret", map[string]string{"razorpay_order_id": checkoutOrder(target), "razorpay_payment_id": paidCheap.PaymentID,
			"razorpay_signature": signWith("guess", checkoutOrder(target)+"|"+paidCheap.PaymentID)}, http.StatusBadRequest},
	}
	for _, tt := range tests {
		if res := a.sendJSON(http.MethodPost, "/uploads/"+target.ID+"/pay", tt.body, nil); res.status != tt.want {
			t.Errorf("%s: POST pay = %d, want %d\n%s", tt.name, res.status, tt.want, res.body)
		}
	}
	if got := e.upload(target.ID).State; got != store.UploadCreated {
		t.Errorf("after forged confirmations the upload is %s, want created", got)
	}
	// The genuine confirmation of the cheap upload works, and repeating it
	// changes nothing.
	for range 2 {
		if res := a.sendJSON(http.MethodPost, "/uploads/"+cheap.ID+"/pay", paidCheap, nil); res.status != http.StatusOK {
			t.Errorf("genuine confirmation = %d\n%s", res.status, res.body)
		}
	}
	// Bob cannot confirm (or learn of) Alice's upload.
	if res := e.login("bob@example.org", "bob-password").sendJSON(http.MethodPost, "/uploads/"+cheap.ID+"/pay", paidCheap, nil); res.status != http.StatusNotFound {
		t.Errorf("Bob confirming Alice's payment = %d, want 404", res.status)
	}
}

// TestWebhook: signatures over the raw body, idempotence by event id and
// by body, unknown orders, failed payments, and a payment that arrives
// after the page gave up on it.
func TestWebhook(t *testing.T) {
	e := newPayEnv(t)
	alice := e.user(store.RolePatient, "alice@example.org", "alice-password")
	a := e.login("alice@example.org", "alice-password")

	// The patient pays and closes the browser: the webhook alone marks the
	// upload paid, and the upload can be resumed.
	up := a.createUpload("priority", doeUpload)
	if _, _, err := e.fake.Pay(checkoutOrder(up), "failure", "upi"); err == nil {
		t.Fatal("a failed payment succeeded")
	}
	if _, _, err := e.fake.Pay(checkoutOrder(up), "success", "upi"); err != nil {
		t.Fatal(err)
	}
	e.fake.Flush()
	if u := e.upload(up.ID); u.State != store.UploadPaid || u.PaymentID == "" {
		t.Fatalf("after the webhook: %s %q, want paid", u.State, u.PaymentID)
	}
	pays, _ := e.db.Payments(context.Background(), up.ID)
	if len(pays) != 2 || pays[0].Status == pays[1].Status {
		t.Errorf("payments recorded = %+v, want a failed and a captured one", pays)
	}
	var captured, failed int
	for _, d := range e.fake.Deliveries() {
		if d.Status != http.StatusOK {
			t.Errorf("delivery of %s answered %d", d.Event, d.Status)
		}
		switch d.Event {
		case "payment.captured":
			captured++
			// Razorpay's retry, an attacker's replay, the same body under a
			// new event id: nothing happens twice.
			for _, replay := range []func() (int, error){
				func() (int, error) { return e.fake.Redeliver(d) },
				func() (int, error) { return e.fake.Send("evt_new_id_same_body", d.Body) },
			} {
				status, err := replay()
				if err != nil || status != http.StatusOK {
					t.Errorf("replay = %d, %v; want 200", status, err)
				}
			}
		case "payment.failed":
			failed++
		}
	}
	if captured != 1 || failed != 1 {
		t.Errorf("deliveries: %d captured, %d failed; want 1 and 1", captured, failed)
	}
	if got := e.balance(alice.ID); got != 0 {
		t.Errorf("balance after replays = %d, want 0", got)
	}

	// Forged and malformed webhooks are refused.
	body := []byte(`{"entity":"event","event":"payment.captured","payload":{"payment":{"entity":{"id":"pay_x","order_id":"` +
		checkoutOrder(up) + `","amount":400000,"currency":"INR","status":"captured"}}},"created_at":1}`)
	for name, res := range map[string]response{
		"no signature":     e.sendWebhook("evt_1", body, ""),
		"wrong secret":     e.sendWebhook("evt_2", body, "guessed-secret"),
		"key secret":       e.sendWebhook("evt_3", body, testKeySecret),
		"signed, not JSON": e.sendWebhook("evt_4", []byte("hello"), testHookKey),
	} {
		if res.status != http.StatusBadRequest {
			t.Errorf("%s: webhook = %d, want 400", name, res.status)
		}
	}
	// A signed event of an order that is not the portal's is answered (so
	// Razorpay stops retrying), recorded, and changes nothing.
	unknown := []byte(`{"entity":"event","event":"payment.captured","payload":{"payment":{"entity":{"id":"pay_other","order_id":"order_notours",` +
		`"amount":100,"currency":"INR","status":"captured"}}},"created_at":2}`)
	if res := e.sendWebhook("evt_unknown", unknown, testHookKey); res.status != http.StatusOK || !strings.Contains(res.body, "unknown order") {
		t.Errorf("unknown order: webhook = %d %s, want 200 ignored", res.status, res.body)
	}
	events, _ := e.db.WebhookEvents(context.Background(), 50)
	found := false
	for _, ev := range events {
		found = found || (ev.EventID == "evt_unknown" && strings.Contains(ev.Outcome, "unknown order"))
	}
	if !found {
		t.Errorf("the unknown order's event was not recorded: %+v", events)
	}

	// A payment that arrives for an upload abandoned in the meantime goes
	// to the credit balance: no money is lost.
	late := a.createUpload("standard", mullerUpload)
	if res := a.sendJSON(http.MethodPost, "/uploads/"+late.ID+"/cancel", nil, nil); res.status != http.StatusOK {
		t.Fatalf("cancel = %d\n%s", res.status, res.body)
	}
	if _, _, err := e.fake.Pay(checkoutOrder(late), "success", "card"); err != nil {
		t.Fatal(err)
	}
	e.fake.Flush()
	if got, u := e.balance(alice.ID), e.upload(late.ID); got != 250000 || u.State != store.UploadCredited {
		t.Errorf("late payment: balance %d, upload %s; want 250000 credited", got, u.State)
	}
	if left, _ := e.db.UploadRefundable(context.Background(), late.ID); left.Total != 0 {
		t.Errorf("a credited late payment can still be refunded: %+v", left)
	}
}

// TestWebhookNotConfigured: without a webhook secret nothing is believed.
func TestWebhookNotConfigured(t *testing.T) {
	e := newPayEnv(t, func(o *Options) { o.Payments.WebhookSecret = "" })
	if res := e.sendWebhook("evt_1", []byte(`{"entity":"event","event":"x"}`), ""); res.status != http.StatusServiceUnavailable {
		t.Errorf("webhook without a secret configured = %d, want 503", res.status)
	}
}

func signWith(secret, msg string) string { return payment.Sign(secret, []byte(msg)) }
