package payment

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	razorpay "github.com/razorpay/razorpay-go"
	rzperrors "github.com/razorpay/razorpay-go/errors"
)

// DefaultBaseURL is Razorpay's API.
const DefaultBaseURL = "https://api.razorpay.com"

// Config configures a Razorpay client.
type Config struct {
	KeyID, KeySecret string
	// BaseURL is the API root (default DefaultBaseURL); tests and the demo
	// mode point it at a fake.
	BaseURL string
	// HTTPClient sends the requests; nil uses a client with a 20 s timeout.
	HTTPClient *http.Client
}

// Razorpay is a client of Razorpay's API. Safe for concurrent use.
type Razorpay struct {
	c *razorpay.Client
}

// newClientMu serialises razorpay.NewClient, which assigns the SDK's
// package-wide Request variable.
var newClientMu sync.Mutex

// New returns a client. The SDK's request object is its own: the base URL
// and HTTP client set here apply to every resource of this client.
func New(cfg Config) (*Razorpay, error) {
	if cfg.KeyID == "" || cfg.KeySecret == "" {
		return nil, errors.New("payment: a key id and a key secret are required")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	hc := &http.Client{Timeout: 20 * time.Second}
	if cfg.HTTPClient != nil {
		hc = new(http.Client)
		*hc = *cfg.HTTPClient
	}
	hc.Transport = errorTransport{next: hc.Transport}
	newClientMu.Lock()
	c := razorpay.NewClient(cfg.KeyID, cfg.KeySecret)
	newClientMu.Unlock()
	// Every resource shares this one request object.
	c.Order.Request.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	c.Order.Request.HTTPClient = hc
	c.Order.Request.Headers = map[string]string{} // AddHeaders panics on the SDK's nil map
	return &Razorpay{c: c}, nil
}

// CreateOrder creates an order. The SDK takes no context: ctx is checked
// before the request, whose length the HTTP client's timeout bounds.
func (r *Razorpay) CreateOrder(ctx context.Context, o OrderRequest) (Order, error) {
	if err := ctx.Err(); err != nil {
		return Order{}, err
	}
	notes := map[string]any{}
	for k, v := range o.Notes {
		notes[k] = v
	}
	m, err := r.c.Order.Create(map[string]any{
		"amount": o.Amount, "currency": o.Currency, "receipt": o.Receipt, "notes": notes,
	}, nil)
	var out Order
	if err := decode("create order", m, err, &out); err != nil {
		return Order{}, err
	}
	if out.Amount != o.Amount || out.Currency != o.Currency {
		return Order{}, fmt.Errorf("payment: create order: answered %d %s for %d %s: %w", out.Amount, out.Currency, o.Amount, o.Currency, ErrRejected)
	}
	return out, nil
}

// Payment fetches a payment.
func (r *Razorpay) Payment(ctx context.Context, id string) (Payment, error) {
	if err := ctx.Err(); err != nil {
		return Payment{}, err
	}
	m, err := r.c.Payment.Fetch(id, nil, nil)
	var out Payment
	if err := decode("fetch payment", m, err, &out); err != nil {
		return Payment{}, err
	}
	if out.ID != id {
		return Payment{}, fmt.Errorf("payment: fetch payment: answered another payment: %w", ErrRejected)
	}
	return out, nil
}

// OrderPayments lists the payments (attempts) of an order.
func (r *Razorpay) OrderPayments(ctx context.Context, orderID string) ([]Payment, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m, err := r.c.Order.Payments(orderID, nil, nil)
	if err != nil {
		return nil, decode("order payments", nil, err, nil)
	}
	if e, _ := m["entity"].(string); e != "collection" {
		return nil, fmt.Errorf("payment: order payments: not a collection: %w", ErrRejected)
	}
	b, err := json.Marshal(m["items"])
	if err != nil {
		return nil, fmt.Errorf("payment: order payments: %w", err)
	}
	var out []Payment
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("payment: order payments: %w", err)
	}
	for _, p := range out {
		if p.OrderID != orderID {
			return nil, fmt.Errorf("payment: order payments: a payment of another order: %w", ErrRejected)
		}
	}
	return out, nil
}

// Refund refunds amount (paise) of a captured payment to its original
// method. Razorpay answers "pending" or "processed"; the refund.processed
// webhook follows.
func (r *Razorpay) Refund(ctx context.Context, paymentID string, amount int64, notes map[string]string) (Refund, error) {
	if err := ctx.Err(); err != nil {
		return Refund{}, err
	}
	data := map[string]any{}
	if len(notes) > 0 {
		n := map[string]any{}
		for k, v := range notes {
			n[k] = v
		}
		data["notes"] = n
	}
	m, err := r.c.Payment.Refund(paymentID, int(amount), data, nil)
	var out Refund
	if err := decode("refund", m, err, &out); err != nil {
		return Refund{}, err
	}
	return out, nil
}

// decode turns the SDK's answer into v. An answer without an id is an
// error, whatever the SDK said: it returns an empty map and no error for
// some refusals.
func decode(op string, m map[string]any, err error, v any) error {
	if err != nil {
		var bad *rzperrors.BadRequestError
		if errors.As(err, &bad) {
			return fmt.Errorf("payment: %s: %s: %w", op, bad.Message, ErrRejected)
		}
		return fmt.Errorf("payment: %s: %v: %w", op, err, ErrUnavailable)
	}
	if id, _ := m["id"].(string); id == "" {
		return fmt.Errorf("payment: %s: an answer without an id: %w", op, ErrRejected)
	}
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("payment: %s: %w", op, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("payment: %s: %w", op, err)
	}
	return nil
}
