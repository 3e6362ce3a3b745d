package razorpayfake

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// Delivery is one webhook request the fake sent.
type Delivery struct {
	EventID   string
	Event     string
	Body      []byte
	Signature string
	Status    int   // the receiver's answer; 0 when it could not be reached
	Err       error // why it could not be reached
}

// SetWebhookURL sets where events go (a test learns its server's address
// after creating the fake).
func (s *Server) SetWebhookURL(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opts.WebhookURL = u
}

// Deliveries returns the webhook requests sent so far, oldest first.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivery(nil), s.sent...)
}

// Flush waits until the webhooks and refund processing under way are done.
func (s *Server) Flush() { s.pending.Wait() }

// deliver posts an event to the webhook URL, signed with the webhook
// secret, and records the delivery.
func (s *Server) deliver(event string, payload map[string]any) {
	contains := make([]string, 0, len(payload))
	for k := range payload {
		contains = append(contains, k)
	}
	body, err := json.Marshal(map[string]any{
		"entity": "event", "account_id": "acc_FakeAccount0001", "event": event, "contains": contains,
		"payload": payload, "created_at": s.now(),
	})
	if err != nil {
		panic(err) // only maps of plain values
	}
	d := Delivery{EventID: newID("evt"), Event: event, Body: body, Signature: s.sign(body)}
	s.mu.Lock()
	url := s.opts.WebhookURL
	s.mu.Unlock()
	if url == "" {
		return
	}
	d.Status, d.Err = s.post(url, d)
	s.mu.Lock()
	s.sent = append(s.sent, d)
	s.mu.Unlock()
}

// Redeliver sends a delivery again as it was, event id included, as
// Razorpay does when it did not get a 2xx, and as an attacker replaying a
// captured request would.
func (s *Server) Redeliver(d Delivery) (int, error) {
	s.mu.Lock()
	url := s.opts.WebhookURL
	s.mu.Unlock()
	return s.post(url, d)
}

// Send signs and posts any body as a webhook with the given event id: for
// tests of bodies Razorpay would not send.
func (s *Server) Send(eventID string, body []byte) (int, error) {
	s.mu.Lock()
	url := s.opts.WebhookURL
	s.mu.Unlock()
	return s.post(url, Delivery{EventID: eventID, Body: body, Signature: s.sign(body)})
}

func (s *Server) sign(body []byte) string {
	m := hmac.New(sha256.New, []byte(s.opts.WebhookSecret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

func (s *Server) post(url string, d Delivery) (int, error) {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(d.Body))
	if err != nil {
		return 0, fmt.Errorf("razorpayfake: webhook: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Razorpay-Webhook/v1")
	req.Header.Set("X-Razorpay-Signature", d.Signature)
	req.Header.Set("X-Razorpay-Event-Id", d.EventID)
	res, err := s.opts.WebhookClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("razorpayfake: webhook: %w", err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode, nil
}
