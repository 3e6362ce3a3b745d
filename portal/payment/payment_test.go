package payment

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The expected signatures were computed with openssl dgst -sha256 -hmac.
func TestVerifyCheckout(t *testing.T) {
	const secret = "EnLs21M47BllR3X8PSFtjtbd"
	const good = "b180375c17cd938052faff2ed143fcdc962dd44a78cef433ec2197fd5fb75be9"
	tests := []struct {
		name                    string
		secret, order, pay, sig string
		want                    bool
	}{
		{"genuine", secret, "order_IEIaMR65cu6nz3", "pay_IH4NoHRQFmRTF5", good, true},
		{"upper-case hex", secret, "order_IEIaMR65cu6nz3", "pay_IH4NoHRQFmRTF5", "B180375C17CD938052FAFF2ED143FCDC962DD44A78CEF433EC2197FD5FB75BE9", true},
		{"another order", secret, "order_IEIaMR65cu6nz4", "pay_IH4NoHRQFmRTF5", good, false},
		{"another payment", secret, "order_IEIaMR65cu6nz3", "pay_IH4NoHRQFmRTF6", good, false},
		{"wrong secret", "guess", "order_IEIaMR65cu6nz3", "pay_IH4NoHRQFmRTF5", good, false},
		{"no secret", "", "order_IEIaMR65cu6nz3", "pay_IH4NoHRQFmRTF5", good, false},
		{"empty signature", secret, "order_IEIaMR65cu6nz3", "pay_IH4NoHRQFmRTF5", "", false},
		{"truncated", secret, "order_IEIaMR65cu6nz3", "pay_IH4NoHRQFmRTF5", good[:62], false},
		{"not hex", secret, "order_IEIaMR65cu6nz3", "pay_IH4NoHRQFmRTF5", "zz" + good[2:], false},
		// The separator is part of what is signed: moving it changes the message.
		{"separator moved", secret, "order_IEIaMR65cu6nz3|pay", "_IH4NoHRQFmRTF5", good, false},
	}
	for _, tt := range tests {
		if got := VerifyCheckout(tt.secret, tt.order, tt.pay, tt.sig); got != tt.want {
			t.Errorf("%s: VerifyCheckout = %v, want %v", tt.name, got, tt.want)
		}
	}
	if got := Sign(secret, []byte("order_IEIaMR65cu6nz3|pay_IH4NoHRQFmRTF5")); got != good {
		t.Errorf("Sign = %s, want %s", got, good)
	}
}

func TestVerifyWebhook(t *testing.T) {
	body := []byte(`{"entity":"event","event":"payment.captured"}`)
	const good = "f67526d51b583329efb5415d3e39688506fea1bdbdc8df6b2c8132ce4ffe3cf2"
	if !VerifyWebhook("whsec", body, good) {
		t.Error("VerifyWebhook(genuine) = false, want true")
	}
	for name, tt := range map[string]struct {
		secret string
		body   []byte
		sig    string
	}{
		"body changed":    {"whsec", []byte(`{"entity":"event","event":"payment.captured" }`), good},
		"wrong secret":    {"other", body, good},
		"no secret":       {"", body, good},
		"no signature":    {"whsec", body, ""},
		"signature of ''": {"whsec", body, Sign("whsec", nil)},
	} {
		if VerifyWebhook(tt.secret, tt.body, tt.sig) {
			t.Errorf("%s: VerifyWebhook = true, want false", name)
		}
	}
}

func TestParseEvent(t *testing.T) {
	body := []byte(`{"entity":"event","account_id":"acc_1","event":"payment.captured","contains":["payment"],
		"payload":{"payment":{"entity":{"id":"pay_1","entity":"payment","amount":400000,"currency":"INR","status":"captured",
		"order_id":"order_1","method":"upi","captured":true,"notes":[],"error_code":null,"created_at":1700000000}}},"created_at":1700000001}`)
	e, err := ParseEvent(body)
	if err != nil {
		t.Fatal(err)
	}
	want := Event{Type: "payment.captured", CreatedAt: 1700000001, Payment: &Payment{ID: "pay_1", OrderID: "order_1", Amount: 400000,
		Currency: "INR", Status: "captured", Method: "upi", Captured: true, CreatedAt: 1700000000}}
	if diff := cmp.Diff(want, e); diff != "" {
		t.Errorf("ParseEvent mismatch (-want +got):\n%s", diff)
	}
	for _, bad := range []string{`[]`, `{"entity":"payment","event":"x"}`, `{"entity":"event"}`, `not json`} {
		if _, err := ParseEvent([]byte(bad)); err == nil {
			t.Errorf("ParseEvent(%s) = nil error, want one", bad)
		}
	}
}

func TestNotes(t *testing.T) {
	for in, want := range map[string]Notes{
		`{"upload_id":"up_1","user":12}`: {"upload_id": "up_1", "user": "12"},
		`[]`:                             nil,
		`null`:                           nil,
	} {
		var n Notes
		if err := json.Unmarshal([]byte(in), &n); err != nil {
			t.Errorf("Unmarshal(%s): %v", in, err)
		}
		if diff := cmp.Diff(want, n); diff != "" {
			t.Errorf("Unmarshal(%s) mismatch (-want +got):\n%s", in, diff)
		}
	}
	var n Notes
	if err := json.Unmarshal([]byte(`["x"]`), &n); err == nil {
		t.Error(`Unmarshal(["x"]) = nil error, want one`)
	}
}
