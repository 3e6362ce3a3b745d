package razorpayfake

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"time"
)

func (s *Server) createOrder(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Amount   json.Number    `json:"amount"`
		Currency string         `json:"currency"`
		Receipt  string         `json:"receipt"`
		Notes    map[string]any `json:"notes"`
	}
	dec := json.NewDecoder(r.Body)
	dec.UseNumber()
	if err := dec.Decode(&in); err != nil {
		apiError(w, http.StatusBadRequest, "The request body is not valid JSON", "", false)
		return
	}
	amount, err := in.Amount.Int64()
	switch {
	case err != nil:
		apiError(w, http.StatusBadRequest, "The amount must be an integer.", "amount", false)
		return
	case amount < 100:
		apiError(w, http.StatusBadRequest, "Order amount less than minimum amount allowed", "amount", false)
		return
	case in.Currency != "INR":
		apiError(w, http.StatusBadRequest, "Currency is not supported", "currency", false)
		return
	case len(in.Receipt) > 40:
		apiError(w, http.StatusBadRequest, "The receipt may not be greater than 40 characters.", "receipt", false)
		return
	case len(in.Notes) > 15:
		apiError(w, http.StatusBadRequest, "Number of fields in notes should be less than or equal to 15", "notes", false)
		return
	}
	notes := map[string]string{}
	for k, v := range in.Notes {
		notes[k] = fmt.Sprint(v)
	}
	o := &Order{ID: newID("order"), Entity: "order", Amount: amount, AmountDue: amount, Currency: in.Currency,
		Receipt: in.Receipt, Status: "created", Notes: notes, CreatedAt: s.now()}
	s.mu.Lock()
	s.orders[o.ID] = o
	out := *o
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) fetchOrder(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	o, ok := s.orders[r.PathValue("id")]
	var out Order
	if ok {
		out = *o
	}
	s.mu.Unlock()
	if !ok {
		apiError(w, http.StatusBadRequest, "The id provided does not exist", "", false)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) orderPayments(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.mu.Lock()
	_, ok := s.orders[id]
	items := []Payment{}
	for _, p := range s.payments {
		if p.OrderID == id {
			items = append(items, *p)
		}
	}
	s.mu.Unlock()
	if !ok {
		apiError(w, http.StatusBadRequest, "The id provided does not exist", "", false)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"entity": "collection", "count": len(items), "items": items})
}

func (s *Server) fetchPayment(w http.ResponseWriter, r *http.Request) {
	p, ok := s.Payment(r.PathValue("id"))
	if !ok {
		apiError(w, http.StatusBadRequest, "The id provided does not exist", "", false)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (s *Server) fetchRefund(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	f, ok := s.refunds[r.PathValue("id")]
	var out Refund
	if ok {
		out = *f
	}
	s.mu.Unlock()
	if !ok {
		apiError(w, http.StatusBadRequest, "The id provided does not exist", "", false)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// createRefund refunds part or all of a captured payment. The refund is
// "pending" at first; a moment later it is "processed" and the
// refund.processed webhook goes out, as with Razorpay's normal speed.
func (s *Server) createRefund(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Amount *int64         `json:"amount"`
		Notes  map[string]any `json:"notes"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		apiError(w, http.StatusBadRequest, "The request body is not valid JSON", "", false)
		return
	}
	s.mu.Lock()
	p, ok := s.payments[r.PathValue("id")]
	if !ok {
		s.mu.Unlock()
		apiError(w, http.StatusBadRequest, "The id provided does not exist", "", false)
		return
	}
	amount := p.Amount - p.AmountRefunded
	if in.Amount != nil {
		amount = *in.Amount
	}
	switch {
	case p.Status != "captured" && p.Status != "refunded":
		s.mu.Unlock()
		apiError(w, http.StatusBadRequest, "The payment has not been captured", "", false)
		return
	case amount < 100 || amount > p.Amount-p.AmountRefunded:
		s.mu.Unlock()
		apiError(w, http.StatusBadRequest, "The refund amount provided is greater than amount captured or below the minimum", "amount", false)
		return
	}
	notes := map[string]string{}
	for k, v := range in.Notes {
		notes[k] = fmt.Sprint(v)
	}
	f := &Refund{ID: newID("rfnd"), Entity: "refund", Amount: amount, Currency: p.Currency, PaymentID: p.ID,
		Notes: notes, Status: "pending", Speed: "normal", CreatedAt: s.now()}
	s.refunds[f.ID] = f
	p.AmountRefunded += amount
	status := "partial"
	if p.AmountRefunded == p.Amount {
		status, p.Status = "full", "refunded"
	}
	p.RefundStatus = &status
	out := *f
	s.pending.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.pending.Done()
		time.Sleep(20 * time.Millisecond)
		s.mu.Lock()
		f.Status = "processed"
		rf, pay := *f, *p
		s.mu.Unlock()
		s.deliver("refund.processed", map[string]any{"refund": entity(rf), "payment": entity(pay)})
	}()
	writeJSON(w, http.StatusOK, out)
}

// Payment returns a copy of a payment.
func (s *Server) Payment(id string) (Payment, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.payments[id]
	if !ok {
		return Payment{}, false
	}
	out := *p
	out.Notes = maps.Clone(p.Notes)
	return out, true
}

// Refunds returns copies of the refunds of a payment.
func (s *Server) Refunds(paymentID string) []Refund {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Refund
	for _, f := range s.refunds {
		if f.PaymentID == paymentID {
			out = append(out, *f)
		}
	}
	return out
}

func entity(v any) map[string]any { return map[string]any{"entity": v} }
