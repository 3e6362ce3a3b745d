package portal

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/pacslite/pacslite/portal/store"
)

// uploadShowData is what the upload page shows.
type uploadShowData struct {
	Types          []reportType
	Balance        int64
	BalanceText    string
	Consent        []string
	ConsentVersion string
	Demo           bool
	CheckoutURL    string
	Root           string // the DICOMweb root, e.g. /dicomweb
	Unfinished     []store.Upload
}

// uploadShow is the upload page: pick a folder (or drop it), see what was
// found, accept the terms, choose the report type, pay, and watch the
// files go. The work happens in static/upload.js.
func (h *Handler) uploadShow(w http.ResponseWriter, r *http.Request) {
	v := visitorOf(r)
	balance, err := h.db.CreditBalance(r.Context(), v.user.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	// An upload paid while the browser was closing, with no webhook yet,
	// is found here, so the patient can resume it.
	waiting, err := h.db.Uploads(r.Context(), store.UploadFilter{UserID: v.user.ID, States: []store.UploadState{store.UploadCreated}, Limit: 3})
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	for _, u := range waiting {
		if _, err := h.reconcileOrder(r.Context(), u); err != nil {
			h.logger(r.Context()).Warn().Err(err).Str("upload", u.ID).Msg("check order payments")
		}
	}
	unfinished, err := h.db.Uploads(r.Context(), store.UploadFilter{UserID: v.user.ID,
		States: []store.UploadState{store.UploadPaid, store.UploadUploading}, Limit: 10})
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	for i := range unfinished {
		if unfinished[i], err = h.db.Upload(r.Context(), unfinished[i].ID); err != nil {
			h.serverError(w, r, err)
			return
		}
	}
	o := h.opts.Payments
	d := uploadShowData{Types: o.reportTypes(), Balance: balance, BalanceText: rupees(balance), Consent: consentTerms,
		ConsentVersion: consentVersion(), Demo: o.Demo, CheckoutURL: o.checkoutURL(), Root: h.opts.DICOMwebPrefix, Unfinished: unfinished}
	checkoutCSP(w, d.CheckoutURL)
	h.render(w, r, http.StatusOK, "upload", "Upload", d)
}

// checkoutCSP lets the upload page load Checkout from its origin: the
// script, its stylesheet, its calls and its frames. Razorpay's own
// Checkout also frames api.razorpay.com and sets inline styles.
func checkoutCSP(w http.ResponseWriter, checkout string) {
	u, err := url.Parse(checkout)
	if err != nil || u.Host == "" {
		return // same origin: the default policy allows it
	}
	origin := u.Scheme + "://" + u.Host
	frames, styles, connect := origin, "'self' "+origin, "'self' "+origin
	if strings.HasSuffix(u.Hostname(), "razorpay.com") {
		frames += " https://api.razorpay.com https://checkout.razorpay.com"
		styles += " 'unsafe-inline'"
		connect += " https://*.razorpay.com"
	}
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob: "+origin+"; style-src "+styles+
		"; script-src 'self' "+origin+"; connect-src "+connect+"; frame-src "+frames+
		"; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
}
