package portal

import (
	"errors"
	"net/http"
	"time"

	"github.com/pacslite/pacslite/portal/payment"
	"github.com/pacslite/pacslite/portal/store"
)

// uploadPay is where the page sends what Checkout handed it after a
// payment. Nothing is believed until checked: the signature must be
// Razorpay's over this upload's own order and the payment, and Razorpay
// must confirm the payment is paid, for this order, of the amount due.
// Only then may files be stored.
func (h *Handler) uploadPay(w http.ResponseWriter, r *http.Request) {
	u, ok := h.ownUpload(w, r)
	if !ok {
		return
	}
	var in struct {
		PaymentID string `json:"razorpay_payment_id"`
		OrderID   string `json:"razorpay_order_id"`
		Signature string `json:"razorpay_signature"`
	}
	if err := readUploadJSON(r, &in); err != nil || in.PaymentID == "" || in.Signature == "" {
		uploadRefuse(w, http.StatusBadRequest, "The payment confirmation could not be read.", nil)
		return
	}
	if u.OrderID == "" || in.OrderID != u.OrderID {
		h.auditUpload(r, "payment.refused", "", u.ID+" order mismatch")
		uploadRefuse(w, http.StatusBadRequest, "This payment is not for this upload.", nil)
		return
	}
	if !payment.VerifyCheckout(h.opts.Payments.KeySecret, u.OrderID, in.PaymentID, in.Signature) {
		h.auditUpload(r, "payment.refused", "", u.ID+" bad signature")
		uploadRefuse(w, http.StatusBadRequest, "The payment confirmation is not genuine.", nil)
		return
	}
	if u.PaymentID == in.PaymentID {
		uploadReply(w, http.StatusOK, uploadViewOf(u)) // a repeated confirmation (the webhook may have come first)
		return
	}
	p, err := h.opts.Payments.Gateway.Payment(r.Context(), in.PaymentID)
	switch {
	case errors.Is(err, payment.ErrRejected):
		uploadRefuse(w, http.StatusBadRequest, "Razorpay does not know this payment.", nil)
		return
	case err != nil:
		h.uploadFail(w, r, http.StatusBadGateway, err)
		return
	case !p.Paid() || p.OrderID != u.OrderID || p.Amount != u.AmountDue || p.Currency != u.Currency:
		h.auditUpload(r, "payment.refused", "", u.ID+" payment "+p.ID+" status "+p.Status)
		uploadRefuse(w, http.StatusBadRequest, "The payment does not match this upload's order and amount.", nil)
		return
	}
	outcome, err := h.db.MarkUploadPaid(r.Context(), u.ID, paymentRecord(p, u.ID, h.now()))
	switch {
	case errors.Is(err, store.ErrConflict):
		uploadRefuse(w, http.StatusConflict, "This payment was already used for another upload.", nil)
		return
	case errors.Is(err, store.ErrInvalid):
		uploadRefuse(w, http.StatusBadRequest, "The payment does not match this upload's order and amount.", nil)
		return
	case err != nil:
		h.uploadFail(w, r, http.StatusInternalServerError, err)
		return
	}
	if u, err = h.db.Upload(r.Context(), u.ID); err != nil {
		h.uploadFail(w, r, http.StatusInternalServerError, err)
		return
	}
	if outcome == store.PaidCredited {
		uploadRefuse(w, http.StatusConflict, "This upload was cancelled before the payment arrived: the amount was added to your credit balance.", nil)
		return
	}
	if outcome == store.PaidNow {
		h.auditUpload(r, "upload.paid", "", u.ID+" payment "+p.ID)
	}
	uploadReply(w, http.StatusOK, uploadViewOf(u))
}

// paymentRecord is how the portal keeps a Razorpay payment.
func paymentRecord(p payment.Payment, uploadID string, now time.Time) store.PaymentRecord {
	created := now
	if p.CreatedAt > 0 {
		created = time.Unix(p.CreatedAt, 0)
	}
	errText := p.ErrorDescription
	if p.ErrorCode != "" && errText == "" {
		errText = p.ErrorCode
	}
	return store.PaymentRecord{ID: p.ID, UploadID: uploadID, OrderID: p.OrderID, Amount: p.Amount, Currency: p.Currency,
		Status: p.Status, Method: p.Method, Error: errText, CreatedAt: created, UpdatedAt: now}
}
