package razorpayfake_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/pacslite/pacslite/portal/payment"
	"github.com/pacslite/pacslite/portal/payment/razorpayfake"
)

// TestCheckoutAndWebhooks drives the fake as a browser and a merchant
// would: create an order, pay it through the Checkout endpoint (a
// cross-origin call), receive the signed webhooks.
func TestCheckoutAndWebhooks(t *testing.T) {
	var mu sync.Mutex
	var got []string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if !payment.VerifyWebhook("whsec", body, r.Header.Get("X-Razorpay-Signature")) || r.Header.Get("X-Razorpay-Event-Id") == "" {
			t.Errorf("webhook without a valid signature or event id")
		}
		ev, err := payment.ParseEvent(body)
		if err != nil {
			t.Error(err)
		}
		mu.Lock()
		got = append(got, ev.Type)
		mu.Unlock()
	}))
	defer hook.Close()
	fake := razorpayfake.New(razorpayfake.Options{KeyID: "rzp_test_1", KeySecret: "secret", WebhookSecret: "whsec", WebhookURL: hook.URL})
	srv := httptest.NewServer(fake)
	defer srv.Close()
	c, err := payment.New(payment.Config{KeyID: "rzp_test_1", KeySecret: "secret", BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	o, err := c.CreateOrder(t.Context(), payment.OrderRequest{Amount: 250000, Currency: "INR", Receipt: "r1"})
	if err != nil {
		t.Fatal(err)
	}
	pre, _ := http.NewRequest(http.MethodOptions, srv.URL+"/checkout/pay", nil)
	pre.Header.Set("Origin", "http://portal.example")
	pre.Header.Set("Access-Control-Request-Method", "POST")
	res, err := http.DefaultClient.Do(pre)
	if err != nil || res.StatusCode != http.StatusNoContent || res.Header.Get("Access-Control-Allow-Origin") == "" {
		t.Fatalf("preflight = %v, %v", res, err)
	}
	post := func(outcome string) (int, map[string]any) {
		res, err := http.Post(srv.URL+"/checkout/pay", "application/json",
			strings.NewReader(`{"key":"rzp_test_1","order_id":"`+o.ID+`","outcome":"`+outcome+`","method":"upi"}`))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var m map[string]any
		json.NewDecoder(res.Body).Decode(&m)
		return res.StatusCode, m
	}
	if status, m := post("failure"); status != http.StatusBadRequest || m["error"] == nil {
		t.Errorf("failed payment = %d %v", status, m)
	}
	status, m := post("success")
	if status != http.StatusOK || !payment.VerifyCheckout("secret", o.ID, m["razorpay_payment_id"].(string), m["razorpay_signature"].(string)) {
		t.Fatalf("payment = %d %v, want a signed result", status, m)
	}
	if status, _ := post("success"); status != http.StatusBadRequest {
		t.Errorf("paying a paid order = %d, want 400", status)
	}
	if _, err := c.Refund(t.Context(), m["razorpay_payment_id"].(string), 250000, nil); err != nil {
		t.Fatal(err)
	}
	fake.Flush()
	mu.Lock()
	defer mu.Unlock()
	want := map[string]bool{"payment.failed": true, "payment.captured": true, "order.paid": true, "refund.processed": true}
	for _, ev := range got {
		delete(want, ev)
	}
	if len(want) > 0 || len(fake.Deliveries()) != 4 {
		t.Errorf("webhooks = %v, missing %v", got, want)
	}
	for _, asset := range []string{"/checkout.js", "/checkout.css"} {
		res, err := http.Get(srv.URL + asset)
		if err != nil || res.StatusCode != http.StatusOK {
			t.Errorf("GET %s = %v, %v", asset, res, err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if asset == "/checkout.js" && !strings.Contains(string(body), "TEST MODE") {
			t.Errorf("the fake Checkout does not say TEST MODE")
		}
	}
}

// TestHandlerTransport: the demo mode's in-process client.
func TestHandlerTransport(t *testing.T) {
	fake := razorpayfake.New(razorpayfake.Options{KeyID: "rzp_demo_1", KeySecret: "s"})
	c, err := payment.New(payment.Config{KeyID: "rzp_demo_1", KeySecret: "s", BaseURL: "http://razorpay.invalid",
		HTTPClient: &http.Client{Transport: razorpayfake.HandlerTransport(fake)}})
	if err != nil {
		t.Fatal(err)
	}
	if o, err := c.CreateOrder(t.Context(), payment.OrderRequest{Amount: 100, Currency: "INR"}); err != nil || o.ID == "" {
		t.Errorf("CreateOrder in process = %+v, %v", o, err)
	}
}
