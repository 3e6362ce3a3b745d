package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

func TestPaymentFlags(t *testing.T) {
	parse := func(args []string, env map[string]string) (PaymentConfig, []error) {
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		build := paymentFlags(fs, func(k string) string { return env[k] })
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		return build()
	}
	c, errs := parse(nil, nil)
	if len(errs) > 0 || c.KeyID != "" || c.StandardPrice != 250000 || c.PriorityPrice != 400000 ||
		c.StandardTurnaround != 24*time.Hour || c.PriorityTurnaround != 2*time.Hour || c.APIURL != "https://api.razorpay.com" {
		t.Errorf("defaults = %+v, %v", c, errs)
	}
	secret := filepath.Join(t.TempDir(), "hook")
	os.WriteFile(secret, []byte("hook-secret\n"), 0o600)
	c, errs = parse([]string{"--price-priority", "4500.50", "--turnaround-priority", "90m"}, map[string]string{
		"PACSLITE_RAZORPAY_KEY_ID": "rzp_test_abc", "PACSLITE_RAZORPAY_KEY_SECRET": "key-secret",
		"PACSLITE_RAZORPAY_WEBHOOK_SECRET_FILE": secret, "PACSLITE_RAZORPAY_API_URL": "http://127.0.0.1:9/",
	})
	if len(errs) > 0 || c.KeyID != "rzp_test_abc" || c.KeySecret != "key-secret" || c.WebhookSecret != "hook-secret" ||
		c.PriorityPrice != 450050 || c.PriorityTurnaround != 90*time.Minute || c.APIURL != "http://127.0.0.1:9" {
		t.Errorf("from env and flags = %+v, %v", c, errs)
	}
	_, errs = parse([]string{"--price-standard", "0.5", "--turnaround-standard", "soon", "--razorpay-checkout-url", "ftp://x"},
		map[string]string{"PACSLITE_RAZORPAY_KEY_ID": "key_without_prefix", "PACSLITE_RAZORPAY_KEY_SECRET": "s",
			"PACSLITE_RAZORPAY_WEBHOOK_SECRET": "a", "PACSLITE_RAZORPAY_WEBHOOK_SECRET_FILE": secret})
	if len(errs) != 5 {
		t.Errorf("bad values gave %d errors, want 5 (price, turnaround, checkout URL, key prefix, secret twice): %v", len(errs), errs)
	}
	if _, errs := parse(nil, map[string]string{"PACSLITE_RAZORPAY_KEY_ID": "rzp_test_abc"}); len(errs) != 1 {
		t.Errorf("a key id without its secret gave %v, want one error", errs)
	}
}

// TestDemoPayments: without keys, payments run against the fake in
// process, and its Checkout is served at /payments/demo/.
func TestDemoPayments(t *testing.T) {
	o, setTarget, err := buildPayments(PaymentConfig{StandardPrice: 250000, PriorityPrice: 400000}, zerolog.New(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	setTarget(nil)
	if !o.Demo || o.Gateway == nil || o.DemoHandler == nil || o.CheckoutURL != "/payments/demo/checkout.js" || o.KeySecret == "" || o.WebhookSecret == "" {
		t.Errorf("demo options = %+v", o)
	}
}

// TestDemoPaymentFlow runs the README's demo: no keys, the fake Razorpay
// in process behind /payments/demo/, its webhooks delivered in process.
func TestDemoPaymentFlow(t *testing.T) {
	base := startPortalServer(t, PortalConfig{Pages: true, Signup: true, AdminEmail: "root@example.org", AdminPassword: "root-password",
		Payments: PaymentConfig{StandardPrice: 250000, PriorityPrice: 400000, StandardTurnaround: 24 * time.Hour,
			PriorityTurnaround: 2 * time.Hour, ResumeWindow: 24 * time.Hour}})
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	csrf := func(path string) string {
		res, err := c.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		m := regexp.MustCompile(`name="csrf-token" content="([^"]+)"`).FindSubmatch(b)
		if m == nil {
			t.Fatalf("no CSRF token on %s", path)
		}
		return string(m[1])
	}
	form := url.Values{"name": {"Peter Doe"}, "email": {"peter@example.org"}, "password": {"peter-password"}, "confirm": {"peter-password"}}
	form.Set("csrf", csrf("/signup"))
	if res, err := c.PostForm(base+"/signup", form); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("sign-up: %v %v", res, err)
	}
	page, tok := "", csrf("/upload")
	if res, _ := c.Get(base + "/upload"); res != nil {
		b, _ := io.ReadAll(res.Body)
		page = string(b)
	}
	if !strings.Contains(page, "Demo payment mode") || !strings.Contains(page, `data-checkout="/payments/demo/checkout.js"`) {
		t.Errorf("the upload page does not announce the demo mode")
	}
	post := func(path string, in, out any) int {
		b, _ := json.Marshal(in)
		req, _ := http.NewRequest(http.MethodPost, base+path, bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-CSRF-Token", tok)
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		json.NewDecoder(res.Body).Decode(out)
		return res.StatusCode
	}
	var up struct {
		ID       string         `json:"id"`
		State    string         `json:"state"`
		Checkout map[string]any `json:"checkout"`
	}
	consent := regexp.MustCompile(`data-consent-version="([^"]+)"`).FindStringSubmatch(page)
	if consent == nil {
		t.Fatal("no consent version on the page")
	}
	if s := post("/uploads", map[string]any{"report_type": "priority", "consent": true, "consent_version": consent[1],
		"studies": []map[string]any{{"uid": "1.2.3.4", "action": "new", "files": 1, "bytes": 10}}}, &up); s != http.StatusCreated {
		t.Fatalf("create upload = %d", s)
	}
	// What the demo Checkout's Pay button sends, from the browser.
	var paid map[string]string
	if s := post("/payments/demo/checkout/pay", map[string]any{"key": up.Checkout["key"], "order_id": up.Checkout["order_id"],
		"outcome": "success"}, &paid); s != http.StatusOK || paid["razorpay_signature"] == "" {
		t.Fatalf("demo checkout = %d %v", s, paid)
	}
	if s := post("/uploads/"+up.ID+"/pay", paid, &up); s != http.StatusOK || up.State != "paid" {
		t.Errorf("confirm = %d, state %s; want paid", s, up.State)
	}
}
