package portal

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/pacslite/pacslite/portal/store"
	"github.com/pacslite/pacslite/portal/throttle"
)

// SharingOptions configure sharing, downloads of originals, family
// members, study matching and retention.
type SharingOptions struct {
	// SiteURL is the portal's absolute root for links in messages and
	// shares, e.g. "https://pacs.example.org"; empty takes it from each
	// request.
	SiteURL string
	// DownloadsOff turns downloads of originals off everywhere;
	// organisations can also turn them off one by one.
	DownloadsOff bool
	// UploadRetentionDays is how long patients' uploads are kept unless
	// their organisation says otherwise (0: 7 days; negative: for ever).
	UploadRetentionDays int
	// MaxShareDays is the longest a share may last (default and at most
	// 30 days).
	MaxShareDays int
	// Invitations lets a hospital study that matches nobody invite its
	// patient by SMS to activate an account.
	Invitations bool
}

// sharingState is the sharing features' part of the handler.
type sharingState struct {
	opts SharingOptions
	// Unknown share keys and codes per address: past the limit every key
	// is "not found" without a look-up.
	guess *throttle.Limiter
	// Wrong share passwords per address, on top of the count per share.
	passwords *throttle.Limiter
	// Security codes sent per account (each costs an SMS).
	codes *throttle.Limiter
	// Failed manual matches per account.
	match *throttle.Limiter
}

func newSharingState(o SharingOptions) *sharingState {
	if o.UploadRetentionDays == 0 {
		o.UploadRetentionDays = 7
	}
	if o.MaxShareDays <= 0 || o.MaxShareDays > 30 {
		o.MaxShareDays = 30
	}
	o.SiteURL = strings.TrimRight(o.SiteURL, "/")
	return &sharingState{
		opts:      o,
		guess:     throttle.New(20, 15*time.Minute),
		passwords: throttle.New(30, 15*time.Minute),
		codes:     throttle.New(5, time.Hour),
		match:     throttle.New(10, time.Hour),
	}
}

// siteURL is the portal's absolute root as the visitor reaches it.
func (h *Handler) siteURL(r *http.Request) string {
	if h.sharing.opts.SiteURL != "" {
		return h.sharing.opts.SiteURL
	}
	scheme := "http"
	if h.secure(r) {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// notify puts a message in the portal's outbox (the notifications
// table), from which the notification sender delivers it by email or SMS.
func (h *Handler) notify(ctx context.Context, n store.Notification) error {
	if _, err := h.db.AddNotification(context.WithoutCancel(ctx), n); err != nil {
		return err
	}
	// Codes are waited for: deliver now rather than at the next run.
	if err := h.DeliverNotifications(context.WithoutCancel(ctx)); err != nil {
		h.logger(ctx).Warn().Err(err).Msg("deliver notifications")
	}
	return nil
}
