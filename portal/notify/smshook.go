package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// SMSHook sends text messages through an SMS gateway's HTTP endpoint: a
// POST of {"to": "+91...", "body": "..."} as JSON, with the token as a
// bearer credential when set. Any 2xx answer counts as accepted.
type SMSHook struct {
	URL    string
	Token  string
	Client *http.Client // nil: a client with a 20 s timeout
}

var _ Sender = (*SMSHook)(nil)

// Send implements Sender.
func (s *SMSHook) Send(ctx context.Context, m Message) error {
	if m.Channel != SMS {
		return fmt.Errorf("notify: sms hook cannot send %s", m.Channel)
	}
	body, _ := json.Marshal(map[string]string{"to": m.To, "body": m.Body})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("notify: sms hook: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if s.Token != "" {
		req.Header.Set("Authorization", "Bearer "+s.Token)
	}
	hc := s.Client
	if hc == nil {
		hc = &http.Client{Timeout: 20 * time.Second}
	}
	res, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("notify: sms hook: %w", err)
	}
	defer res.Body.Close()
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("notify: sms hook answered %d", res.StatusCode)
	}
	return nil
}
