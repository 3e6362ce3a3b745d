package portal

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"

	"github.com/pacslite/pacslite/portal/payment"
	"github.com/pacslite/pacslite/portal/store"
)

// maxWebhookBody bounds a webhook's body; Razorpay's are a few KB.
const maxWebhookBody = 256 << 10

// paymentWebhook receives Razorpay's events at POST
// /payments/razorpay/webhook. The signature is checked over the raw body
// before anything is read from it. Each event is handled once: by its
// X-Razorpay-Event-Id and, since that header is not signed, by a hash of
// the body; and the state changes themselves are idempotent, so a replay
// does nothing however it is dressed. Replays and events of orders that
// are not the portal's answer 2xx, so Razorpay does not retry them.
func (h *Handler) paymentWebhook(w http.ResponseWriter, r *http.Request) {
	secret := h.opts.Payments.WebhookSecret
	if secret == "" {
		uploadRefuse(w, http.StatusServiceUnavailable, "webhooks are not configured (no webhook secret)", nil)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBody))
	if err != nil {
		uploadRefuse(w, http.StatusRequestEntityTooLarge, "body too large", nil)
		return
	}
	if !payment.VerifyWebhook(secret, body, r.Header.Get("X-Razorpay-Signature")) {
		h.audit(r.Context(), store.Event{Actor: "razorpay", Role: "webhook", Action: "payment.webhook_refused",
			Detail: "bad signature", Status: http.StatusBadRequest, Remote: h.clientAddr(r)})
		uploadRefuse(w, http.StatusBadRequest, "invalid signature", nil)
		return
	}
	ev, err := payment.ParseEvent(body)
	if err != nil {
		uploadRefuse(w, http.StatusBadRequest, "not a Razorpay event", nil)
		return
	}
	sum := sha256.Sum256(body)
	rec := store.WebhookEvent{EventID: r.Header.Get("X-Razorpay-Event-Id"), BodySHA256: hex.EncodeToString(sum[:]), Event: ev.Type}
	if rec.EventID == "" {
		rec.EventID = "sha256:" + rec.BodySHA256
	}
	if ev.Payment != nil {
		rec.OrderID = ev.Payment.OrderID
	}
	seen, err := h.db.WebhookSeen(r.Context(), rec.EventID, rec.BodySHA256)
	if err != nil {
		h.uploadFail(w, r, http.StatusInternalServerError, err)
		return
	}
	if seen {
		uploadReply(w, http.StatusOK, map[string]string{"status": "duplicate"})
		return
	}
	rec.Outcome, err = h.applyEvent(r, ev)
	if err != nil {
		// Nothing recorded: Razorpay delivers it again later.
		h.uploadFail(w, r, http.StatusInternalServerError, err)
		return
	}
	if err := h.db.RecordWebhookEvent(r.Context(), rec); err != nil {
		h.logger(r.Context()).Error().Err(err).Msg("record webhook event")
	}
	h.logger(r.Context()).Info().Str("event", ev.Type).Str("outcome", rec.Outcome).Msg("razorpay webhook")
	uploadReply(w, http.StatusOK, map[string]string{"status": rec.Outcome})
}

// applyEvent does what an event says and names the outcome.
func (h *Handler) applyEvent(r *http.Request, ev payment.Event) (string, error) {
	ctx := r.Context()
	switch {
	case (ev.Type == "payment.captured" || ev.Type == "payment.authorized") && ev.Payment != nil:
		u, err := h.db.UploadByOrder(ctx, ev.Payment.OrderID)
		if errors.Is(err, store.ErrNotFound) {
			return "ignored: unknown order", nil
		}
		if err != nil {
			return "", err
		}
		outcome, err := h.db.MarkUploadPaid(ctx, u.ID, paymentRecord(*ev.Payment, u.ID, h.now()))
		switch {
		case errors.Is(err, store.ErrInvalid):
			h.logger(ctx).Error().Str("upload", u.ID).Str("payment", ev.Payment.ID).Msg("webhook payment does not match its order")
			return "refused: amount or currency mismatch", nil
		case errors.Is(err, store.ErrConflict):
			return "refused: payment paid another upload", nil
		case err != nil:
			return "", err
		}
		h.audit(ctx, store.Event{Actor: "razorpay", Role: "webhook", Action: "payment." + ev.Type[len("payment."):],
			Detail: u.ID + " " + ev.Payment.ID, Status: http.StatusOK, Remote: h.clientAddr(r)})
		switch outcome {
		case store.PaidNow:
			return "paid", nil
		case store.PaidCredited:
			return "credited: upload could not use the payment", nil
		}
		return "already paid", nil
	case ev.Type == "payment.failed" && ev.Payment != nil:
		u, err := h.db.UploadByOrder(ctx, ev.Payment.OrderID)
		if errors.Is(err, store.ErrNotFound) {
			return "ignored: unknown order", nil
		}
		if err != nil {
			return "", err
		}
		return "recorded failed payment", h.db.RecordPayment(ctx, paymentRecord(*ev.Payment, u.ID, h.now()))
	case (ev.Type == "refund.processed" || ev.Type == "refund.failed") && ev.Refund != nil:
		status := "processed"
		if ev.Type == "refund.failed" {
			status = "failed"
		}
		changed, err := h.db.SetRefundStatusByRazorpay(ctx, ev.Refund.ID, status)
		switch {
		case errors.Is(err, store.ErrNotFound):
			return "ignored: unknown refund", nil
		case err != nil:
			return "", err
		case !changed:
			return "refund already " + status, nil
		}
		return "refund " + status, nil
	}
	return "ignored", nil
}
