package portal

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/pacslite/pacslite/portal/archive"
	"github.com/pacslite/pacslite/portal/notify"
	"github.com/pacslite/pacslite/portal/store"
)

// queue puts a message in the outbox; DeliverNotifications sends it.
func (h *Handler) queue(ctx context.Context, n store.Notification) {
	if _, err := h.db.AddNotification(context.WithoutCancel(ctx), n); err != nil {
		h.logger(ctx).Error().Err(err).Str("kind", n.Kind).Str("study_uid", n.StudyUID).Msg("queue notification")
	}
}

// DeliverNotifications sends the pending messages of the outbox through
// the configured channels (or the log), marking each sent or, after
// repeated failures, failed. The server runs it every minute; reporting
// actions run it too.
func (h *Handler) DeliverNotifications(ctx context.Context) error {
	if !h.reports.deliverMu.TryLock() {
		return nil // another run is at it
	}
	defer h.reports.deliverMu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	pending, err := h.db.Notifications(ctx, true, 100)
	if err != nil {
		return err
	}
	for _, n := range pending {
		if ctx.Err() != nil {
			return nil // the rest on the next run
		}
		sender, delivered := h.reports.email, "sent"
		if n.Channel == notify.SMS {
			sender = h.reports.sms
		}
		if _, ok := sender.(notify.Log); ok {
			delivered = "logged"
		}
		err := sender.Send(ctx, notify.Message{Channel: n.Channel, To: n.Recipient, Subject: n.Subject, Body: n.Body,
			ID: n.ID, Kind: n.Kind, StudyUID: n.StudyUID})
		if err != nil {
			// The error may quote the recipient: it goes to the outbox
			// (Reporting settings), not to the log.
			h.logger(ctx).Warn().Int64("notification_id", n.ID).Str("channel", n.Channel).Msg("notification not delivered; the outbox has the error")
		}
		if err := h.db.MarkNotification(context.WithoutCancel(ctx), n.ID, delivered, err); err != nil {
			return err
		}
	}
	return nil
}

// tellCritical queues a message about a critical finding to every admin
// and to the configured list (emails and phone numbers): at signing, not
// at release, since doctors must act on it.
func (h *Handler) tellCritical(ctx context.Context, study archive.Study, signer string, version int) error {
	admins, err := h.db.Users(ctx, store.UserFilter{Role: store.RoleAdmin, Limit: 1000})
	if err != nil {
		return err
	}
	recipients, err := h.criticalList(ctx)
	if err != nil {
		return err
	}
	for _, a := range admins {
		if !a.Disabled {
			recipients = append(recipients, a.Email)
		}
	}
	what := strings.Join(study.Modalities, "/")
	if study.Accession != "" {
		what += " accession " + study.Accession
	}
	link := h.link("/studies/" + url.PathEscape(study.UID) + "/report")
	subject := "Critical finding: " + what
	body := fmt.Sprintf("%s flagged a critical finding in the report (version %d) of the %s study of %s.\n\nRead it now: %s\n\n%s",
		signer, version, what, formatDate(study.Date), link, h.opts.SiteName)
	seen := map[string]bool{}
	for _, to := range recipients {
		key := strings.ToLower(to)
		if seen[key] {
			continue
		}
		seen[key] = true
		if strings.Contains(to, "@") {
			h.queue(ctx, store.Notification{Channel: "email", Recipient: to, Subject: subject, Body: body, Kind: "report.critical", StudyUID: study.UID})
		} else {
			h.queue(ctx, store.Notification{Channel: "sms", Recipient: to, Body: "CRITICAL: " + subject + " " + link,
				Kind: "report.critical", StudyUID: study.UID})
		}
	}
	return nil
}

// Settings an admin may change; absent ones fall back to ReportOptions.
const (
	settingReleaseDelay   = "release_delay"
	settingCriticalNotify = "critical_notify"
)

// releaseDelayFor is the release delay of one study: its organisation's
// (by Institution Name), else the server's.
func (h *Handler) releaseDelayFor(ctx context.Context, studyUID string) (time.Duration, error) {
	id, err := h.db.StudyIdentityOf(ctx, studyUID)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return 0, err
	case id.Institution != "":
		o, err := h.db.OrganisationByName(ctx, id.Institution)
		switch {
		case err == nil && o.ReportReleaseHours >= 0:
			return time.Duration(o.ReportReleaseHours) * time.Hour, nil
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return 0, err
		}
	}
	return h.releaseDelay(ctx)
}

// releaseDelay is how long after the scan patients wait for a report.
func (h *Handler) releaseDelay(ctx context.Context) (time.Duration, error) {
	v, ok, err := h.db.ReportSetting(ctx, settingReleaseDelay)
	if err != nil || !ok {
		return h.reports.opts.ReleaseDelay, err
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return h.reports.opts.ReleaseDelay, nil
	}
	return d, nil
}

// criticalList is who hears of critical findings besides the admins.
func (h *Handler) criticalList(ctx context.Context) ([]string, error) {
	v, ok, err := h.db.ReportSetting(ctx, settingCriticalNotify)
	if err != nil || !ok {
		return append([]string(nil), h.reports.opts.CriticalNotify...), err
	}
	if v == noRecipients {
		return nil, nil
	}
	return splitList(v), nil
}

// noRecipients is the stored value of an emptied list.
const noRecipients = "none"

// splitList splits a list of addresses on commas, semicolons and lines.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '\n' || r == '\r' }) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// releaseTime is when patients may read a report signed at signed: the
// delay after the scan (the study's date and time, else its upload), but
// never before the signature.
func releaseTime(study archive.Study, rec store.StudyRecord, signed time.Time, delay time.Duration) time.Time {
	scan := rec.UploadedAt
	if d := study.Date; !d.IsZero() {
		// DICOM dates carry no zone: read them as the clinic's local time.
		scan = time.Date(d.Year(), d.Month(), d.Day(), d.Hour(), d.Minute(), d.Second(), 0, time.Local)
	}
	if scan.IsZero() {
		scan = signed
	}
	return latest(signed, scan.Add(delay))
}

func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
