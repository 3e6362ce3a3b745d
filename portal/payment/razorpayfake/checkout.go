package razorpayfake

import (
	"crypto/hmac"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
)

//go:embed static
var static embed.FS

// CheckoutResult is what Checkout hands the page's handler after a
// successful payment.
type CheckoutResult struct {
	PaymentID string `json:"razorpay_payment_id"`
	OrderID   string `json:"razorpay_order_id"`
	Signature string `json:"razorpay_signature"`
}

// ErrDeclined is returned by Pay for a payment made to fail.
var ErrDeclined = errors.New("razorpayfake: payment failed")

// Pay pays an order as Checkout would: "success" captures a payment of
// the order's amount and signs the result; "failure" records a failed
// payment. Either way the webhooks follow (payment.captured and
// order.paid, or payment.failed), asynchronously like Razorpay's.
func (s *Server) Pay(orderID, outcome, method string) (CheckoutResult, string, error) {
	return s.pay(orderID, outcome, method, 0)
}

// PayAmount pays an order with another amount than the order's, as a
// tampered or partial payment would: for tests of the checks on amounts.
func (s *Server) PayAmount(orderID string, amount int64) (CheckoutResult, string, error) {
	return s.pay(orderID, "success", "card", amount)
}

func (s *Server) pay(orderID, outcome, method string, amount int64) (CheckoutResult, string, error) {
	if method == "" {
		method = "card"
	}
	s.mu.Lock()
	o, ok := s.orders[orderID]
	switch {
	case !ok:
		s.mu.Unlock()
		return CheckoutResult{}, "", errors.New("razorpayfake: no such order")
	case o.Status == "paid":
		s.mu.Unlock()
		return CheckoutResult{}, "", errors.New("razorpayfake: order already paid")
	}
	o.Attempts++
	o.Status = "attempted"
	if amount == 0 {
		amount = o.Amount
	}
	p := &Payment{ID: newID("pay"), Entity: "payment", Amount: amount, Currency: o.Currency, OrderID: o.ID,
		Method: method, Email: "patient@example.org", Contact: "+919000000000", Notes: o.Notes, CreatedAt: s.now()}
	s.payments[p.ID] = p
	var events []string
	if outcome == "success" {
		p.Status, p.Captured = "captured", true
		o.Status, o.AmountPaid, o.AmountDue = "paid", o.Amount, 0
		events = []string{"payment.captured", "order.paid"}
	} else {
		code, desc := "BAD_REQUEST_ERROR", "Payment failed (simulated by the test-mode checkout)"
		p.Status, p.ErrorCode, p.ErrorDescription = "failed", &code, &desc
		events = []string{"payment.failed"}
	}
	pay, ord := *p, *o
	s.pending.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.pending.Done()
		for _, ev := range events {
			payload := map[string]any{"payment": entity(pay)}
			if ev == "order.paid" {
				payload["order"] = entity(ord)
			}
			s.deliver(ev, payload)
		}
	}()
	if outcome != "success" {
		return CheckoutResult{}, pay.ID, ErrDeclined
	}
	m := hmac.New(sha256.New, []byte(s.opts.KeySecret))
	m.Write([]byte(o.ID + "|" + pay.ID))
	return CheckoutResult{PaymentID: pay.ID, OrderID: o.ID, Signature: hex.EncodeToString(m.Sum(nil))}, pay.ID, nil
}

// checkoutPay is what the fake Checkout script calls when the patient
// clicks a button of its dialog. Cross-origin: the script runs on the
// portal's page.
func (s *Server) checkoutPay(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Allow-Methods", "POST")
	h.Set("Access-Control-Allow-Headers", "Content-Type")
	switch r.Method {
	case http.MethodOptions:
		w.WriteHeader(http.StatusNoContent)
		return
	case http.MethodPost:
	default:
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	var in struct {
		Key     string `json:"key"`
		OrderID string `json:"order_id"`
		Outcome string `json:"outcome"`
		Method  string `json:"method"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&in); err != nil || in.Key != s.opts.KeyID {
		checkoutError(w, http.StatusBadRequest, "Invalid key or request", "", "")
		return
	}
	res, payID, err := s.Pay(in.OrderID, in.Outcome, in.Method)
	switch {
	case errors.Is(err, ErrDeclined):
		checkoutError(w, http.StatusBadRequest, "Payment failed (simulated by the test-mode checkout)", in.OrderID, payID)
	case err != nil:
		checkoutError(w, http.StatusBadRequest, err.Error(), in.OrderID, "")
	default:
		writeJSON(w, http.StatusOK, res)
	}
}

// checkoutError is the shape of Checkout's payment.failed response.
func checkoutError(w http.ResponseWriter, status int, desc, orderID, paymentID string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{
		"code": "BAD_REQUEST_ERROR", "description": desc, "source": "customer", "step": "payment_authentication",
		"reason": "payment_failed", "metadata": map[string]string{"order_id": orderID, "payment_id": paymentID},
	}})
}

// asset serves a file of the fake Checkout.
func (s *Server) asset(name, contentType string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b, err := static.ReadFile("static/" + name)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Cache-Control", "no-cache")
		w.Write(b)
	}
}
