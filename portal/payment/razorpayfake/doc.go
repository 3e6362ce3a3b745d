// Package razorpayfake is a local stand-in for Razorpay: the HTTP API the
// portal's client calls (orders, payments, refunds), a Checkout script
// that behaves like Razorpay's (pay, fail, dismiss) without taking money,
// and webhook delivery signed like Razorpay's.
//
// Tests run it on a loopback port; the portal's demo mode (no Razorpay
// keys) serves it in process, so the whole flow works offline. Its pages
// say TEST MODE: nothing it does moves money.
package razorpayfake
