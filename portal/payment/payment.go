package payment

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
)

// Errors callers may check with errors.Is.
var (
	// ErrRejected: Razorpay refused the request (bad input, unknown id,
	// bad credentials). Retrying the same request will not help.
	ErrRejected = errors.New("payment: rejected by Razorpay")
	// ErrUnavailable: Razorpay could not be reached or failed; the request
	// may be retried.
	ErrUnavailable = errors.New("payment: Razorpay unavailable")
)

// OrderRequest is an order to create.
type OrderRequest struct {
	Amount   int64             // in paise
	Currency string            // "INR"
	Receipt  string            // our reference, at most 40 characters
	Notes    map[string]string // shown in the Razorpay dashboard; at most 15
}

// Order is a Razorpay order.
type Order struct {
	ID       string `json:"id"`
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
	Receipt  string `json:"receipt"`
	Status   string `json:"status"` // created, attempted, paid
}

// Payment is a Razorpay payment.
type Payment struct {
	ID               string `json:"id"`
	OrderID          string `json:"order_id"`
	Amount           int64  `json:"amount"`
	Currency         string `json:"currency"`
	Status           string `json:"status"` // created, authorized, captured, refunded, failed
	Method           string `json:"method"`
	Captured         bool   `json:"captured"`
	AmountRefunded   int64  `json:"amount_refunded"`
	ErrorCode        string `json:"error_code"`
	ErrorDescription string `json:"error_description"`
	Notes            Notes  `json:"notes"`
	CreatedAt        int64  `json:"created_at"` // Unix seconds
}

// Paid reports whether the money is taken or held for the merchant:
// captured, or authorised (captured automatically by the account's
// settings).
func (p Payment) Paid() bool { return p.Status == "captured" || p.Status == "authorized" }

// Notes are an entity's key-value notes. Razorpay sends an empty array
// when there are none.
type Notes map[string]string

// UnmarshalJSON accepts an object of strings or numbers, an empty array,
// or null.
func (n *Notes) UnmarshalJSON(b []byte) error {
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		var a []any
		if json.Unmarshal(b, &a) == nil && len(a) == 0 {
			*n = nil
			return nil
		}
		return err
	}
	if m == nil {
		*n = nil
		return nil
	}
	*n = make(Notes, len(m))
	for k, v := range m {
		(*n)[k] = fmt.Sprint(v)
	}
	return nil
}

// Refund is a Razorpay refund.
type Refund struct {
	ID        string `json:"id"`
	PaymentID string `json:"payment_id"`
	Amount    int64  `json:"amount"`
	Currency  string `json:"currency"`
	Status    string `json:"status"` // pending, processed, failed
}

// Sign returns the hex HMAC-SHA256 of msg under secret, as Razorpay signs.
func Sign(secret string, msg []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(msg)
	return hex.EncodeToString(m.Sum(nil))
}

// VerifyCheckout checks the signature Checkout hands the page after a
// successful payment: HMAC-SHA256 of "order_id|payment_id" under the key
// secret. The comparison takes constant time.
func VerifyCheckout(keySecret, orderID, paymentID, signature string) bool {
	return verify(keySecret, []byte(orderID+"|"+paymentID), signature)
}

// VerifyWebhook checks X-Razorpay-Signature: HMAC-SHA256 of the raw body
// under the webhook secret. The comparison takes constant time.
func VerifyWebhook(webhookSecret string, body []byte, signature string) bool {
	return verify(webhookSecret, body, signature)
}

func verify(secret string, msg []byte, signature string) bool {
	if secret == "" || signature == "" {
		return false
	}
	got, err := hex.DecodeString(signature)
	if err != nil {
		return false
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(msg)
	return hmac.Equal(got, m.Sum(nil))
}
