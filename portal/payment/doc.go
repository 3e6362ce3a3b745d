// Package payment takes payments through Razorpay for the portal: orders,
// payments, refunds and the signatures of Checkout and webhooks.
//
// It is the only importer of github.com/razorpay/razorpay-go, kept behind
// the few methods the portal needs (Razorpay). The SDK has traps this
// package absorbs: a client writes a package-wide variable (NewClient is
// serialised here), an error answer carrying
// internal_error_code=BAD_REQUEST_ERROR comes back as an empty map and no
// error (an answer without an id is an error here), and its signature
// helpers compare with != and pull test libraries into the binary (the
// signatures are checked here with HMAC-SHA256 and hmac.Equal).
//
// Amounts are integers in the currency's smallest unit (paise for INR).
package payment
