package payment_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/pacslite/pacslite/portal/payment"
	"github.com/pacslite/pacslite/portal/payment/razorpayfake"
)

// newFake runs the fake Razorpay on a loopback port and returns a client
// of it, with razorpay-go talking real HTTP.
func newFake(t *testing.T) (*razorpayfake.Server, *payment.Razorpay) {
	t.Helper()
	fake := razorpayfake.New(razorpayfake.Options{KeyID: "rzp_test_key", KeySecret: "key-secret", WebhookSecret: "hook-secret"})
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	c, err := payment.New(payment.Config{KeyID: "rzp_test_key", KeySecret: "key-secret", BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	return fake, c
}

func TestRazorpayOrderPayRefund(t *testing.T) {
	fake, c := newFake(t)
	ctx := context.Background()
	o, err := c.CreateOrder(ctx, payment.OrderRequest{Amount: 400000, Currency: "INR", Receipt: "up_1", Notes: map[string]string{"upload_id": "up_1"}})
	if err != nil {
		t.Fatal(err)
	}
	if o.ID == "" || o.Amount != 400000 || o.Status != "created" || o.Receipt != "up_1" {
		t.Errorf("CreateOrder = %+v", o)
	}
	res, _, err := fake.Pay(o.ID, "success", "upi")
	if err != nil {
		t.Fatal(err)
	}
	if !payment.VerifyCheckout("key-secret", o.ID, res.PaymentID, res.Signature) {
		t.Error("the fake's Checkout signature does not verify")
	}
	p, err := c.Payment(ctx, res.PaymentID)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Paid() || p.OrderID != o.ID || p.Amount != 400000 || p.Method != "upi" || p.Notes["upload_id"] != "up_1" {
		t.Errorf("Payment = %+v", p)
	}
	ps, err := c.OrderPayments(ctx, o.ID)
	if err != nil || len(ps) != 1 || ps[0].ID != p.ID || !ps[0].Paid() {
		t.Errorf("OrderPayments = %+v, %v; want the one payment", ps, err)
	}
	if _, err := c.OrderPayments(ctx, "order_unknown"); !errors.Is(err, payment.ErrRejected) {
		t.Errorf("payments of an unknown order: err = %v, want ErrRejected", err)
	}
	rf, err := c.Refund(ctx, p.ID, 150000, map[string]string{"reason": "late report"})
	if err != nil {
		t.Fatal(err)
	}
	if rf.ID == "" || rf.Amount != 150000 || rf.PaymentID != p.ID {
		t.Errorf("Refund = %+v", rf)
	}
	if _, err := c.Refund(ctx, p.ID, 300000, nil); !errors.Is(err, payment.ErrRejected) {
		t.Errorf("refunding more than is left: err = %v, want ErrRejected", err)
	}
	fake.Flush()
}

// TestRazorpayErrors covers the SDK's ways of failing: left alone,
// razorpay-go turns a refusal with internal_error_code=BAD_REQUEST_ERROR
// into an empty map and no error, and a 5xx without a code into a bad
// request. Both must come out as errors of the right kind.
func TestRazorpayErrors(t *testing.T) {
	fake, c := newFake(t)
	ctx := context.Background()
	order := payment.OrderRequest{Amount: 250000, Currency: "INR", Receipt: "r"}
	tests := []struct {
		name     string
		status   int
		internal bool
		want     error
	}{
		{"bad request", http.StatusBadRequest, false, payment.ErrRejected},
		{"bad request with internal_error_code (empty map, no SDK error)", http.StatusBadRequest, true, payment.ErrRejected},
		{"server error", http.StatusInternalServerError, false, payment.ErrUnavailable},
		{"bad gateway with internal code", http.StatusBadGateway, true, payment.ErrUnavailable},
		{"unauthorised", http.StatusUnauthorized, false, payment.ErrRejected},
	}
	for _, tt := range tests {
		fake.FailNext("/v1/orders", tt.status, tt.internal)
		if _, err := c.CreateOrder(ctx, order); !errors.Is(err, tt.want) {
			t.Errorf("%s: CreateOrder err = %v, want %v", tt.name, err, tt.want)
		}
	}
	if _, err := c.CreateOrder(ctx, payment.OrderRequest{Amount: 50, Currency: "INR"}); !errors.Is(err, payment.ErrRejected) {
		t.Errorf("order below the minimum: err = %v, want ErrRejected", err)
	}
	if _, err := c.Payment(ctx, "pay_doesnotexist"); !errors.Is(err, payment.ErrRejected) {
		t.Errorf("unknown payment: err = %v, want ErrRejected", err)
	}
	wrong, err := payment.New(payment.Config{KeyID: "rzp_test_key", KeySecret: "guessed", BaseURL: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wrong.CreateOrder(ctx, order); !errors.Is(err, payment.ErrUnavailable) {
		t.Errorf("unreachable API: err = %v, want ErrUnavailable", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := c.CreateOrder(cancelled, order); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: err = %v, want context.Canceled", err)
	}
}

// TestRazorpayClientsConcurrently: razorpay-go's NewClient writes a
// package-wide variable; creating clients and using them at once must
// pass the race detector, each client keeping its own base URL.
func TestRazorpayClientsConcurrently(t *testing.T) {
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			_, c := newFake(t)
			if _, err := c.CreateOrder(context.Background(), payment.OrderRequest{Amount: 100, Currency: "INR"}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if _, err := payment.New(payment.Config{KeyID: "only-id"}); err == nil {
		t.Error("New without a secret = nil error, want one")
	}
}

// TestRazorpayEmptyAnswer: a 2xx without an entity is not a success.
func TestRazorpayEmptyAnswer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{}`)) }))
	defer srv.Close()
	c, err := payment.New(payment.Config{KeyID: "k", KeySecret: "s", BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateOrder(context.Background(), payment.OrderRequest{Amount: 100, Currency: "INR"}); !errors.Is(err, payment.ErrRejected) {
		t.Errorf("empty answer: err = %v, want ErrRejected", err)
	}
	if _, err := c.Refund(context.Background(), "pay_1", 100, nil); !errors.Is(err, payment.ErrRejected) {
		t.Errorf("empty answer: err = %v, want ErrRejected", err)
	}
}
