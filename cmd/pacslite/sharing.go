package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/pacslite/pacslite/portal"
)

// SharingConfig configures shares, downloads of originals, matching of
// hospital studies and retention. Messages (download codes, invitations)
// go through the portal's outbox, delivered as ReportConfig says.
type SharingConfig struct {
	// SiteURL is the portal's absolute root for links in messages; empty
	// derives it from the public URL (without /dicomweb), else the address.
	SiteURL string
	// Downloads allows downloads of originals (organisations can still
	// turn them off one by one in the admin pages).
	Downloads bool
	// UploadRetentionDays is how long patients' uploads are kept; 0 keeps
	// them for ever.
	UploadRetentionDays int
	// MaxShareDays is the longest validity of a share (1 to 30).
	MaxShareDays int
	// Invitations lets a hospital study that matches no account invite its
	// patient by SMS.
	Invitations bool
	// RetentionInterval is how often expired studies are looked for (0:
	// never).
	RetentionInterval time.Duration
}

// sharingFlags registers the sharing flags on fs, with defaults from the
// environment.
func sharingFlags(fs *flag.FlagSet, getenv func(string) string) func() (SharingConfig, []error) {
	env := func(key, def string) string {
		if v := getenv(key); v != "" {
			return v
		}
		return def
	}
	site := fs.String("site-url", env("PACSLITE_SITE_URL", ""), "the portal's absolute URL for links in shares, invitations and messages, e.g. https://pacs.example.org; default: the public URL without /dicomweb (PACSLITE_SITE_URL)")
	downloads := fs.String("downloads", env("PACSLITE_DOWNLOADS", "true"), "let patients and shares download original DICOM files as a ZIP with a DICOMDIR; organisations can turn it off one by one (PACSLITE_DOWNLOADS)")
	retention := fs.String("upload-retention-days", env("PACSLITE_UPLOAD_RETENTION_DAYS", "7"), "days patients' uploads are kept before deletion, unless their organisation says otherwise; 0 keeps them (PACSLITE_UPLOAD_RETENTION_DAYS)")
	maxShare := fs.String("share-max-days", env("PACSLITE_SHARE_MAX_DAYS", "30"), "longest validity of a share link, 1 to 30 days (PACSLITE_SHARE_MAX_DAYS)")
	invite := fs.String("invitations", env("PACSLITE_INVITATIONS", "true"), "invite the patient of a hospital study that matches no account, by SMS through the outbox (PACSLITE_INVITATIONS)")
	every := fs.String("retention-interval", env("PACSLITE_RETENTION_INTERVAL", "1h"), "how often studies past their retention are deleted; 0 never (PACSLITE_RETENTION_INTERVAL)")
	return func() (SharingConfig, []error) {
		c := SharingConfig{SiteURL: strings.TrimRight(*site, "/")}
		var errs []error
		var err error
		if c.Downloads, err = strconv.ParseBool(*downloads); err != nil {
			errs = append(errs, fmt.Errorf("downloads %q is not true or false", *downloads))
		}
		if c.Invitations, err = strconv.ParseBool(*invite); err != nil {
			errs = append(errs, fmt.Errorf("invitations %q is not true or false", *invite))
		}
		if c.UploadRetentionDays, err = strconv.Atoi(*retention); err != nil || c.UploadRetentionDays < 0 {
			errs = append(errs, fmt.Errorf("upload retention %q is not a number of days", *retention))
		}
		if c.MaxShareDays, err = strconv.Atoi(*maxShare); err != nil || c.MaxShareDays < 1 || c.MaxShareDays > 30 {
			errs = append(errs, fmt.Errorf("share max days %q is not 1 to 30", *maxShare))
		}
		if c.RetentionInterval, err = time.ParseDuration(*every); err != nil || c.RetentionInterval < 0 {
			errs = append(errs, fmt.Errorf("retention interval %q is not a duration", *every))
		}
		if c.SiteURL != "" && !strings.HasPrefix(c.SiteURL, "http://") && !strings.HasPrefix(c.SiteURL, "https://") {
			errs = append(errs, fmt.Errorf("site URL %q must start with http:// or https://", c.SiteURL))
		}
		return c, errs
	}
}

// buildSharing turns the configuration into the portal's options.
func buildSharing(c SharingConfig, cfg Config) portal.SharingOptions {
	site := c.SiteURL
	if site == "" && cfg.PublicURL != "" {
		site = strings.TrimSuffix(cfg.PublicURL, "/dicomweb")
	}
	if site == "" {
		site = "http://" + cfg.Addr
	}
	days := c.UploadRetentionDays
	if days == 0 {
		days = -1 // kept for ever
	}
	return portal.SharingOptions{SiteURL: site, DownloadsOff: !c.Downloads, UploadRetentionDays: days,
		MaxShareDays: c.MaxShareDays, Invitations: c.Invitations}
}

// runSharingJobs matches studies the portal has not read yet (every
// minute) and deletes studies past their retention (every interval),
// until ctx ends.
func runSharingJobs(ctx context.Context, h *portal.Handler, every time.Duration, log zerolog.Logger) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	var last time.Time
	for {
		if _, err := h.MatchStudies(ctx); err != nil && !errors.Is(err, context.Canceled) {
			log.Warn().Err(err).Msg("match studies")
		}
		if every > 0 && time.Since(last) >= every {
			last = time.Now()
			if n, err := h.SweepRetention(ctx); err != nil && !errors.Is(err, context.Canceled) {
				log.Warn().Err(err).Msg("retention")
			} else if n > 0 {
				log.Info().Int("studies", n).Msg("deleted studies past their retention")
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
