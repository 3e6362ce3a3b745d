package portal

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pacslite/pacslite/portal/payment"
	"github.com/pacslite/pacslite/portal/store"
)

// PaymentGateway is what the portal needs of its payment provider:
// Razorpay through package payment (or that client pointed at the fake in
// demo mode and in tests).
type PaymentGateway interface {
	// CreateOrder creates an order for Checkout to pay.
	CreateOrder(ctx context.Context, o payment.OrderRequest) (payment.Order, error)
	// Payment fetches a payment, to check what Checkout reported.
	Payment(ctx context.Context, id string) (payment.Payment, error)
	// OrderPayments lists an order's payments, to find one nobody
	// reported (the browser closed, no webhook came).
	OrderPayments(ctx context.Context, orderID string) ([]payment.Payment, error)
	// Refund gives back amount (paise) of a payment to its method.
	Refund(ctx context.Context, paymentID string, amount int64, notes map[string]string) (payment.Refund, error)
}

var _ PaymentGateway = (*payment.Razorpay)(nil)

// PaymentOptions configure the fees of uploads and how they are paid.
type PaymentOptions struct {
	// Gateway takes the payments; nil turns patient uploads off.
	Gateway PaymentGateway
	// KeyID is the public key Checkout is opened with; KeySecret checks
	// Checkout's signatures; WebhookSecret checks the webhooks'.
	KeyID, KeySecret, WebhookSecret string
	// CheckoutURL is Razorpay's Checkout script (default
	// DefaultCheckoutURL); tests point it at a fake.
	CheckoutURL string
	// Demo marks payments as simulated: the pages say so. DemoHandler,
	// when set, is the fake Razorpay served at /payments/demo/.
	Demo        bool
	DemoHandler http.Handler
	// Prices in paise and turnaround times of the report types (defaults
	// Rs 2,500 / 24 h and Rs 4,000 / 2 h).
	StandardPrice, PriorityPrice           int64
	StandardTurnaround, PriorityTurnaround time.Duration
	// ResumeWindow is how long a paid upload may stay unfinished before it
	// fails and its price goes to the credit balance (default 24 h).
	// OrderTTL is how long an unpaid upload waits (default 2 h).
	ResumeWindow, OrderTTL time.Duration
}

// DefaultCheckoutURL is Razorpay's Checkout script.
const DefaultCheckoutURL = "https://checkout.razorpay.com/v1/checkout.js"

// minCharge is Razorpay's smallest order: Rs 1.
const minCharge = 100

// reportType is a kind of report a patient pays for.
type reportType struct {
	Key        string // "standard" or store.PriorityUrgent
	Name       string
	Price      int64
	PriceText  string
	Turnaround time.Duration
	Hours      string // "24-hour"
}

// reportTypes returns the report types with their configured prices.
func (o PaymentOptions) reportTypes() []reportType {
	sp, pp := cmpOr(o.StandardPrice, 250000), cmpOr(o.PriorityPrice, 400000)
	st, pt := cmpOr(o.StandardTurnaround, 24*time.Hour), cmpOr(o.PriorityTurnaround, 2*time.Hour)
	return []reportType{
		{Key: "standard", Name: "Standard", Price: sp, PriceText: rupees(sp), Turnaround: st, Hours: hoursText(st)},
		{Key: store.PriorityUrgent, Name: "Priority", Price: pp, PriceText: rupees(pp), Turnaround: pt, Hours: hoursText(pt)},
	}
}

func (o PaymentOptions) reportType(key string) (reportType, bool) {
	for _, t := range o.reportTypes() {
		if t.Key == key {
			return t, true
		}
	}
	return reportType{}, false
}

func (o PaymentOptions) resumeWindow() time.Duration { return cmpOr(o.ResumeWindow, 24*time.Hour) }
func (o PaymentOptions) orderTTL() time.Duration     { return cmpOr(o.OrderTTL, 2*time.Hour) }

func (o PaymentOptions) checkoutURL() string {
	if o.CheckoutURL == "" {
		return DefaultCheckoutURL
	}
	return o.CheckoutURL
}

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// hoursText is "24-hour", "2-hour" or "90-minute".
func hoursText(d time.Duration) string {
	if d%time.Hour == 0 {
		return strconv.Itoa(int(d/time.Hour)) + "-hour"
	}
	return strconv.Itoa(int(d/time.Minute)) + "-minute"
}

// rupees formats paise the Indian way: ₹2,500, ₹1,00,000, ₹12.50.
func rupees(paise int64) string {
	sign := ""
	if paise < 0 {
		sign, paise = "-", -paise
	}
	whole := strconv.FormatInt(paise/100, 10)
	if len(whole) > 3 {
		head, tail := whole[:len(whole)-3], whole[len(whole)-3:]
		var groups []string
		for len(head) > 2 {
			groups = append([]string{head[len(head)-2:]}, groups...)
			head = head[:len(head)-2]
		}
		whole = strings.Join(append(append([]string{head}, groups...), tail), ",")
	}
	if p := paise % 100; p != 0 {
		return fmt.Sprintf("%s₹%s.%02d", sign, whole, p)
	}
	return sign + "₹" + whole
}

// consentTerms are what a patient accepts before paying for an upload.
// Their version, recorded with each acceptance, is a hash of the text.
var consentTerms = []string{
	"I am the patient, or I am allowed to act for the patient, and I have the right to share these images.",
	"The images will be stored by the hospital's archive and read by its radiologists to write a report. " +
		"Uploads and their reports are kept for a limited time (7 days unless the hospital says otherwise): download what you need.",
	"The report type I choose and its price are shown before I pay. If my upload fails after payment, " +
		"the amount goes to my refund credit balance and is used on my next upload; staff can refund it to my payment method on request.",
	"A report from uploaded images is not an emergency service. In an emergency, go to the nearest hospital.",
}

func consentVersion() string {
	sum := sha256.Sum256([]byte(strings.Join(consentTerms, "\n")))
	return hex.EncodeToString(sum[:6])
}
