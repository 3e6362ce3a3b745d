package payment

import (
	"encoding/json"
	"fmt"
)

// Event is a webhook event, as Razorpay posts it.
type Event struct {
	// Type is e.g. "payment.captured", "payment.failed", "refund.processed".
	Type string
	// Payment and Refund are the entities the event carries, when it does.
	Payment *Payment
	Refund  *Refund
	// CreatedAt is when Razorpay made the event (Unix seconds).
	CreatedAt int64
}

type eventJSON struct {
	Entity  string `json:"entity"`
	Event   string `json:"event"`
	Payload struct {
		Payment *struct {
			Entity Payment `json:"entity"`
		} `json:"payment"`
		Refund *struct {
			Entity Refund `json:"entity"`
		} `json:"refund"`
	} `json:"payload"`
	CreatedAt int64 `json:"created_at"`
}

// ParseEvent decodes a webhook body. Check its signature first
// (VerifyWebhook): the body is untrusted until then.
func ParseEvent(body []byte) (Event, error) {
	var j eventJSON
	if err := json.Unmarshal(body, &j); err != nil {
		return Event{}, fmt.Errorf("payment: webhook: %w", err)
	}
	if j.Entity != "event" || j.Event == "" {
		return Event{}, fmt.Errorf("payment: webhook: not an event")
	}
	e := Event{Type: j.Event, CreatedAt: j.CreatedAt}
	if p := j.Payload.Payment; p != nil && p.Entity.ID != "" {
		e.Payment = &p.Entity
	}
	if r := j.Payload.Refund; r != nil && r.Entity.ID != "" {
		e.Refund = &r.Entity
	}
	return e, nil
}
