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
