package portal

import (
	"context"
	"errors"

	"github.com/pacslite/pacslite/portal/store"
)

// SweepUploads closes the uploads left behind; run it now and then.
// Unpaid uploads older than OrderTTL are cancelled (their credit comes
// back). Paid uploads not finished within ResumeWindow are stored when
// every file arrived (the browser closed before saying so), else they
// fail and their price goes to the patient's credit balance.
func (h *Handler) SweepUploads(ctx context.Context) (closed int, err error) {
	now := h.now()
	o := h.opts.Payments
	stale, err := h.db.Uploads(ctx, store.UploadFilter{States: []store.UploadState{store.UploadCreated},
		Before: now.Add(-o.orderTTL()), Limit: 500})
	if err != nil {
		return 0, err
	}
	for _, u := range stale {
		if paid, err := h.reconcileOrder(ctx, u); err != nil || paid {
			if err != nil {
				h.logger(ctx).Warn().Err(err).Str("upload", u.ID).Msg("check order payments")
			}
			continue // paid after all, or not known yet: never cancel a paid order
		}
		if err := h.db.CancelUpload(ctx, u.ID, "system"); err != nil && !errors.Is(err, store.ErrConflict) {
			return closed, err
		}
		closed++
	}
	stale, err = h.db.Uploads(ctx, store.UploadFilter{States: []store.UploadState{store.UploadPaid, store.UploadUploading},
		Before: now.Add(-o.resumeWindow()), Limit: 500})
	if err != nil {
		return closed, err
	}
	for _, u := range stale {
		if u, err = h.db.Upload(ctx, u.ID); err != nil {
			return closed, err
		}
		if u.PaidAt.After(now.Add(-o.resumeWindow())) {
			continue // paid late: its window is still open
		}
		complete := true
		for _, s := range u.Studies {
			complete = complete && s.Stored >= s.Files
		}
		if complete {
			err = h.finishUpload(ctx, u)
		} else {
			var credited int64
			credited, err = h.db.FailUpload(ctx, u.ID, "not finished within "+o.resumeWindow().String())
			h.audit(ctx, store.Event{Actor: "system", Role: "system", Action: "upload.failed", Detail: u.ID + " credited " + rupees(credited)})
		}
		if err != nil && !errors.Is(err, store.ErrConflict) {
			return closed, err
		}
		closed++
	}
	return closed, nil
}

// reconcileOrder asks Razorpay whether an upload waiting for payment was
// paid without anyone saying so (the browser closed before confirming and
// no webhook came), and records what it finds: paid is true when the
// upload is paid now.
func (h *Handler) reconcileOrder(ctx context.Context, u store.Upload) (paid bool, err error) {
	if u.OrderID == "" || u.State != store.UploadCreated || h.opts.Payments.Gateway == nil {
		return false, nil
	}
	ps, err := h.opts.Payments.Gateway.OrderPayments(ctx, u.OrderID)
	if err != nil {
		return false, err
	}
	for _, p := range ps {
		rec := paymentRecord(p, u.ID, h.now())
		if !p.Paid() {
			if err := h.db.RecordPayment(ctx, rec); err != nil {
				return false, err
			}
			continue
		}
		outcome, err := h.db.MarkUploadPaid(ctx, u.ID, rec)
		if err != nil {
			return false, err
		}
		h.audit(ctx, store.Event{Actor: "system", Role: "system", Action: "upload.paid", Detail: u.ID + " payment " + p.ID + " found by reconciliation"})
		paid = paid || outcome != store.PaidCredited
	}
	return paid, nil
}
