package main

import (
	"errors"
	"flag"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/pacslite/pacslite/portal"
	"github.com/pacslite/pacslite/portal/account"
	"github.com/pacslite/pacslite/portal/payment"
	"github.com/pacslite/pacslite/portal/payment/razorpayfake"
)

// PaymentConfig configures what patients pay for an upload's report and
// how: Razorpay with real keys, or, without keys, a demo mode whose
// payments are simulated by an in-process fake of Razorpay.
type PaymentConfig struct {
	KeyID, KeySecret, WebhookSecret string
	APIURL, CheckoutURL             string
	// Prices are in paise.
	StandardPrice, PriorityPrice           int64
	StandardTurnaround, PriorityTurnaround time.Duration
	ResumeWindow                           time.Duration
}

// paymentFlags registers the payment flags on fs, with defaults from the
// environment. Secrets have no flags (they would show in ps): environment
// variables or *_FILE.
func paymentFlags(fs *flag.FlagSet, getenv func(string) string) func() (PaymentConfig, []error) {
	env := func(key, def string) string {
		if v := getenv(key); v != "" {
			return v
		}
		return def
	}
	keyID := fs.String("razorpay-key-id", env("PACSLITE_RAZORPAY_KEY_ID", ""), "Razorpay key id (rzp_live_... or rzp_test_...); without keys payments run in a simulated demo mode (PACSLITE_RAZORPAY_KEY_ID)")
	keySecretFile := fs.String("razorpay-key-secret-file", env("PACSLITE_RAZORPAY_KEY_SECRET_FILE", ""), "file holding the Razorpay key secret, or set PACSLITE_RAZORPAY_KEY_SECRET (PACSLITE_RAZORPAY_KEY_SECRET_FILE)")
	hookSecretFile := fs.String("razorpay-webhook-secret-file", env("PACSLITE_RAZORPAY_WEBHOOK_SECRET_FILE", ""), "file holding the secret of the Razorpay webhook at /payments/razorpay/webhook, or set PACSLITE_RAZORPAY_WEBHOOK_SECRET (PACSLITE_RAZORPAY_WEBHOOK_SECRET_FILE)")
	apiURL := fs.String("razorpay-api-url", env("PACSLITE_RAZORPAY_API_URL", payment.DefaultBaseURL), "Razorpay API root, changed only for a fake in tests (PACSLITE_RAZORPAY_API_URL)")
	checkout := fs.String("razorpay-checkout-url", env("PACSLITE_RAZORPAY_CHECKOUT_URL", portal.DefaultCheckoutURL), "Razorpay Checkout script (PACSLITE_RAZORPAY_CHECKOUT_URL)")
	standard := fs.String("price-standard", env("PACSLITE_PRICE_STANDARD", "2500"), "price of a standard report in rupees (PACSLITE_PRICE_STANDARD)")
	priority := fs.String("price-priority", env("PACSLITE_PRICE_PRIORITY", "4000"), "price of a priority report in rupees (PACSLITE_PRICE_PRIORITY)")
	standardTAT := fs.String("turnaround-standard", env("PACSLITE_TURNAROUND_STANDARD", "24h"), "turnaround of a standard report (PACSLITE_TURNAROUND_STANDARD)")
	priorityTAT := fs.String("turnaround-priority", env("PACSLITE_TURNAROUND_PRIORITY", "2h"), "turnaround of a priority report (PACSLITE_TURNAROUND_PRIORITY)")
	resume := fs.String("upload-resume-window", env("PACSLITE_UPLOAD_RESUME_WINDOW", "24h"), "how long a paid upload may stay unfinished before its price goes to the patient's credit (PACSLITE_UPLOAD_RESUME_WINDOW)")
	return func() (PaymentConfig, []error) {
		c := PaymentConfig{KeyID: strings.TrimSpace(*keyID), APIURL: strings.TrimRight(*apiURL, "/"), CheckoutURL: *checkout}
		var errs []error
		var err error
		if c.KeySecret, err = valueOrFile("Razorpay key secret", getenv("PACSLITE_RAZORPAY_KEY_SECRET"), *keySecretFile); err != nil {
			errs = append(errs, err)
		}
		if c.WebhookSecret, err = valueOrFile("Razorpay webhook secret", getenv("PACSLITE_RAZORPAY_WEBHOOK_SECRET"), *hookSecretFile); err != nil {
			errs = append(errs, err)
		}
		for _, p := range []struct {
			name, value string
			dst         *int64
		}{{"price-standard", *standard, &c.StandardPrice}, {"price-priority", *priority, &c.PriorityPrice}} {
			if *p.dst, err = rupeesToPaise(p.value); err != nil {
				errs = append(errs, fmt.Errorf("%s %q: %w", p.name, p.value, err))
			}
		}
		for _, d := range []struct {
			name, value string
			dst         *time.Duration
		}{{"turnaround-standard", *standardTAT, &c.StandardTurnaround}, {"turnaround-priority", *priorityTAT, &c.PriorityTurnaround},
			{"upload-resume-window", *resume, &c.ResumeWindow}} {
			if *d.dst, err = time.ParseDuration(d.value); err != nil || *d.dst <= 0 {
				errs = append(errs, fmt.Errorf("%s %q is not a positive duration", d.name, d.value))
			}
		}
		return c, append(errs, c.validate()...)
	}
}

func (c PaymentConfig) validate() []error {
	var errs []error
	switch {
	case (c.KeyID == "") != (c.KeySecret == ""):
		errs = append(errs, errors.New("give both the Razorpay key id and its secret, or neither (demo payment mode)"))
	case c.KeyID != "" && !strings.HasPrefix(c.KeyID, "rzp_"):
		errs = append(errs, fmt.Errorf("Razorpay key id %q does not start with rzp_", c.KeyID))
	}
	for _, u := range []string{c.APIURL, c.CheckoutURL} {
		if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
			errs = append(errs, fmt.Errorf("Razorpay URL %q must be an http(s) URL", u))
		}
	}
	return errs
}

// rupeesToPaise reads "2500" or "2500.50" (at least Rs 1).
func rupeesToPaise(s string) (int64, error) {
	whole, frac, _ := strings.Cut(strings.TrimSpace(s), ".")
	var r, p int64
	if _, err := fmt.Sscan(whole, &r); err != nil || len(frac) > 2 {
		return 0, errors.New("not an amount in rupees")
	}
	if frac != "" {
		if _, err := fmt.Sscan(frac+strings.Repeat("0", 2-len(frac)), &p); err != nil {
			return 0, errors.New("not an amount in rupees")
		}
	}
	if v := r*100 + p; v >= 100 {
		return v, nil
	}
	return 0, errors.New("below Rs 1, Razorpay's minimum")
}

// buildPayments makes the portal's payment options. Without keys it sets
// up the demo mode: random keys, the fake Razorpay served in process
// (API for the client, Checkout at /payments/demo/), and its webhooks
// delivered in process to the handler given to the returned function.
func buildPayments(c PaymentConfig, log zerolog.Logger) (portal.PaymentOptions, func(http.Handler), error) {
	o := portal.PaymentOptions{KeyID: c.KeyID, KeySecret: c.KeySecret, WebhookSecret: c.WebhookSecret, CheckoutURL: c.CheckoutURL,
		StandardPrice: c.StandardPrice, PriorityPrice: c.PriorityPrice, StandardTurnaround: c.StandardTurnaround,
		PriorityTurnaround: c.PriorityTurnaround, ResumeWindow: c.ResumeWindow}
	if c.KeyID != "" {
		gw, err := payment.New(payment.Config{KeyID: c.KeyID, KeySecret: c.KeySecret, BaseURL: c.APIURL})
		if err != nil {
			return o, nil, err
		}
		o.Gateway = gw
		if c.WebhookSecret == "" {
			log.Warn().Msg("no Razorpay webhook secret: /payments/razorpay/webhook answers 503; payments completed after the browser closed are found by asking Razorpay (upload page, hourly sweep)")
		}
		return o, func(http.Handler) {}, nil
	}
	var portalHandler http.Handler
	toPortal := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { portalHandler.ServeHTTP(w, r) })
	o.KeyID, o.KeySecret, o.WebhookSecret = "rzp_demo_"+account.NewSecret()[:14], account.NewSecret(), account.NewSecret()
	fake := razorpayfake.New(razorpayfake.Options{KeyID: o.KeyID, KeySecret: o.KeySecret, WebhookSecret: o.WebhookSecret,
		WebhookURL:    "http://pacslite.invalid/payments/razorpay/webhook",
		WebhookClient: &http.Client{Transport: razorpayfake.HandlerTransport(toPortal), Timeout: 30 * time.Second}})
	gw, err := payment.New(payment.Config{KeyID: o.KeyID, KeySecret: o.KeySecret, BaseURL: "http://razorpay.invalid",
		HTTPClient: &http.Client{Transport: razorpayfake.HandlerTransport(fake), Timeout: 30 * time.Second}})
	if err != nil {
		return o, nil, err
	}
	o.Gateway, o.Demo, o.DemoHandler, o.CheckoutURL = gw, true, fake, "/payments/demo/checkout.js"
	log.Warn().Msg("no Razorpay keys: demo payment mode, payments are simulated by a test-mode checkout and no money moves")
	return o, func(h http.Handler) { portalHandler = h }, nil
}
