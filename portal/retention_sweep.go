package portal

import (
	"context"
	"errors"
	"time"

	"github.com/pacslite/pacslite/portal/archive"
	"github.com/pacslite/pacslite/portal/store"
)

// Retention: a patient's upload is kept for its organisation's upload
// retention (default SharingOptions.UploadRetentionDays, 7 days) from the
// upload; a hospital's study for its organisation's hospital retention,
// for ever by default. An admin can exempt a study. SweepRetention, run
// now and then, deletes what is due through the archive's DELETE (index
// rows, then blobs) and writes it in the audit trail.

// retentionDeadline is when a study is to be deleted; zero for never.
func (h *Handler) retentionDeadline(ctx context.Context, row store.RetentionRow) (time.Time, error) {
	if row.Kept {
		return time.Time{}, nil
	}
	days := h.sharing.opts.UploadRetentionDays
	if row.Hospital {
		days = 0
	}
	if row.Institution != "" {
		o, err := h.db.OrganisationByName(ctx, row.Institution)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return time.Time{}, err
		case row.Hospital:
			days = o.HospitalRetentionDays
		case o.UploadRetentionDays > 0:
			days = o.UploadRetentionDays
		}
	}
	if days <= 0 {
		return time.Time{}, nil
	}
	return row.UploadedAt.AddDate(0, 0, days), nil
}

// studyDeadline is when one study is to be deleted; zero for never or
// when the portal does not know the study.
func (h *Handler) studyDeadline(ctx context.Context, uid string) (time.Time, error) {
	row, err := h.db.RetentionRowOf(ctx, uid)
	if errors.Is(err, store.ErrNotFound) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, err
	}
	return h.retentionDeadline(ctx, row)
}

// SweepRetention deletes the studies whose retention is over and returns
// how many went.
func (h *Handler) SweepRetention(ctx context.Context) (int, error) {
	rows, err := h.db.RetentionRows(ctx)
	if err != nil {
		return 0, err
	}
	now, n := h.now(), 0
	for _, row := range rows {
		if ctx.Err() != nil {
			return n, ctx.Err()
		}
		due, err := h.retentionDeadline(ctx, row)
		if err != nil {
			return n, err
		}
		if due.IsZero() || now.Before(due) {
			continue
		}
		if err := h.deleteStudy(ctx, row.StudyUID, store.Event{Actor: "system", Role: "system", Action: "study.retention_delete",
			Detail: "uploaded " + row.UploadedAt.UTC().Format(time.RFC3339)}); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// deleteStudy removes a study from the archive (index and blobs) and the
// portal's records of it, then audits e.
func (h *Handler) deleteStudy(ctx context.Context, uid string, e store.Event) error {
	err := h.archive.Delete(fullAccess(ctx), uid)
	if err != nil && !errors.Is(err, archive.ErrNotFound) {
		return err
	}
	if err := h.forgetStudy(ctx, uid); err != nil {
		return err
	}
	e.StudyUID = uid
	h.audit(ctx, e)
	return nil
}

// forgetStudy removes what the portal kept of a deleted study: nobody
// keeps access to a study stored again later under the same UID.
func (h *Handler) forgetStudy(ctx context.Context, uid string) error {
	ctx = context.WithoutCancel(ctx)
	if err := h.db.ForgetStudy(ctx, uid); err != nil {
		return err
	}
	return h.db.ForgetSharing(ctx, uid)
}
