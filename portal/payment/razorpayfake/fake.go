package razorpayfake

import (
	"crypto/rand"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Options configure a fake.
type Options struct {
	// KeyID and KeySecret are the API credentials it accepts; the secret
	// also signs Checkout's answers.
	KeyID, KeySecret string
	// WebhookURL receives the events, signed with WebhookSecret; empty
	// sends none. WebhookClient posts them (nil: a client with a timeout).
	WebhookURL    string
	WebhookSecret string
	WebhookClient *http.Client
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Server is the fake. Create it with New; it is an http.Handler.
type Server struct {
	opts Options
	mux  *http.ServeMux

	mu       sync.Mutex
	orders   map[string]*Order
	payments map[string]*Payment
	refunds  map[string]*Refund
	faults   []fault
	sent     []Delivery
	pending  sync.WaitGroup
}

// Order, Payment and Refund are the fake's records, shaped like
// Razorpay's entities.
type Order struct {
	ID         string            `json:"id"`
	Entity     string            `json:"entity"`
	Amount     int64             `json:"amount"`
	AmountPaid int64             `json:"amount_paid"`
	AmountDue  int64             `json:"amount_due"`
	Currency   string            `json:"currency"`
	Receipt    string            `json:"receipt"`
	Status     string            `json:"status"`
	Attempts   int               `json:"attempts"`
	Notes      map[string]string `json:"notes"`
	CreatedAt  int64             `json:"created_at"`
}

// Payment is a payment of an order.
type Payment struct {
	ID               string            `json:"id"`
	Entity           string            `json:"entity"`
	Amount           int64             `json:"amount"`
	Currency         string            `json:"currency"`
	Status           string            `json:"status"`
	OrderID          string            `json:"order_id"`
	Method           string            `json:"method"`
	AmountRefunded   int64             `json:"amount_refunded"`
	RefundStatus     *string           `json:"refund_status"`
	Captured         bool              `json:"captured"`
	Email            string            `json:"email"`
	Contact          string            `json:"contact"`
	Notes            map[string]string `json:"notes"`
	ErrorCode        *string           `json:"error_code"`
	ErrorDescription *string           `json:"error_description"`
	CreatedAt        int64             `json:"created_at"`
}

// Refund is a refund of a payment.
type Refund struct {
	ID        string            `json:"id"`
	Entity    string            `json:"entity"`
	Amount    int64             `json:"amount"`
	Currency  string            `json:"currency"`
	PaymentID string            `json:"payment_id"`
	Notes     map[string]string `json:"notes"`
	Status    string            `json:"status"`
	Speed     string            `json:"speed_processed"`
	CreatedAt int64             `json:"created_at"`
}

// fault is an error to answer once, instead of the real answer, to the
// next request whose path starts with prefix.
type fault struct {
	prefix   string
	status   int
	internal bool
}

// New returns a fake.
func New(opts Options) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.WebhookClient == nil {
		opts.WebhookClient = &http.Client{Timeout: 10 * time.Second}
	}
	s := &Server{opts: opts, orders: map[string]*Order{}, payments: map[string]*Payment{}, refunds: map[string]*Refund{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/orders", s.api(s.createOrder))
	mux.HandleFunc("GET /v1/orders/{id}", s.api(s.fetchOrder))
	mux.HandleFunc("GET /v1/orders/{id}/payments", s.api(s.orderPayments))
	mux.HandleFunc("GET /v1/payments/{id}", s.api(s.fetchPayment))
	mux.HandleFunc("POST /v1/payments/{id}/refund", s.api(s.createRefund))
	mux.HandleFunc("GET /v1/refunds/{id}", s.api(s.fetchRefund))
	mux.HandleFunc("GET /checkout.js", s.asset("checkout.js", "text/javascript; charset=utf-8"))
	mux.HandleFunc("GET /checkout.css", s.asset("checkout.css", "text/css; charset=utf-8"))
	mux.HandleFunc("/checkout/pay", s.checkoutPay)
	s.mux = mux
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// FailNext makes the next API request whose path starts with prefix
// answer status with a Razorpay error body. With internal, the body also
// carries internal_error_code=BAD_REQUEST_ERROR, which razorpay-go turns
// into an empty answer and no error.
func (s *Server) FailNext(prefix string, status int, internal bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, fault{prefix: prefix, status: status, internal: internal})
}

// api checks the credentials and injected faults of an API request.
func (s *Server) api(next func(w http.ResponseWriter, r *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key, secret, ok := r.BasicAuth()
		if !ok || key != s.opts.KeyID || secret != s.opts.KeySecret {
			apiError(w, http.StatusUnauthorized, "The api key provided is invalid", "", false)
			return
		}
		s.mu.Lock()
		for i, f := range s.faults {
			if strings.HasPrefix(r.URL.Path, f.prefix) {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
				s.mu.Unlock()
				apiError(w, f.status, "injected fault", "", f.internal)
				return
			}
		}
		s.mu.Unlock()
		next(w, r)
	}
}

// apiError answers like Razorpay: {"error": {"code": ..., "description": ...}}.
func apiError(w http.ResponseWriter, status int, desc, field string, internal bool) {
	code := "BAD_REQUEST_ERROR"
	if status >= 500 {
		code = "SERVER_ERROR"
	}
	e := map[string]any{"code": code, "description": desc, "source": "business", "step": "payment_initiation",
		"reason": "input_validation_failed", "metadata": map[string]any{}}
	if field != "" {
		e["field"] = field
	}
	if internal {
		e["internal_error_code"] = code
	}
	writeJSON(w, status, map[string]any{"error": e})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// newID returns a Razorpay-like id: prefix_ and 14 letters and digits.
func newID(prefix string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 14)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return prefix + "_" + string(b)
}

func (s *Server) now() int64 { return s.opts.Now().Unix() }
