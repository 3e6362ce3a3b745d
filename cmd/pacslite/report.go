package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/mail"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/pacslite/pacslite/portal"
	"github.com/pacslite/pacslite/portal/notify"
)

// ReportConfig configures radiology reporting: when patients may read
// reports, and how notifications go out. Without SMTP or an SMS hook,
// messages stay in the portal's outbox (Worklist > Reporting settings)
// with a line in the log.
type ReportConfig struct {
	ReleaseDelay   time.Duration
	CriticalNotify []string
	SMTPAddr       string
	SMTPUsername   string
	SMTPPassword   string
	SMTPFrom       string
	SMSHookURL     string
	SMSHookToken   string
}

// maxReleaseDelay bounds the release delay (as the settings page does).
const maxReleaseDelay = 90 * 24 * time.Hour

// reportFlags registers the reporting flags on fs, with defaults from the
// environment. Secrets have no flags (they would show in ps): environment
// variables or *_FILE.
func reportFlags(fs *flag.FlagSet, getenv func(string) string) func() (ReportConfig, []error) {
	env := func(key, def string) string {
		if v := getenv(key); v != "" {
			return v
		}
		return def
	}
	delay := fs.String("report-release-delay", env("PACSLITE_REPORT_RELEASE_DELAY", "0s"), "how long after the scan patients wait for a signed report, e.g. 72h; doctors read it at once; admins may change it in the portal (PACSLITE_REPORT_RELEASE_DELAY)")
	critical := fs.String("report-critical-notify", env("PACSLITE_REPORT_CRITICAL_NOTIFY", ""), "comma-separated emails and phone numbers told of critical findings, besides every admin (PACSLITE_REPORT_CRITICAL_NOTIFY)")
	smtpAddr := fs.String("smtp-addr", env("PACSLITE_SMTP_ADDR", ""), "mail server host:port for notifications (STARTTLS when offered, TLS on 465); empty keeps email in the outbox (PACSLITE_SMTP_ADDR)")
	smtpUser := fs.String("smtp-username", env("PACSLITE_SMTP_USERNAME", ""), "SMTP login (PACSLITE_SMTP_USERNAME; password in PACSLITE_SMTP_PASSWORD or PACSLITE_SMTP_PASSWORD_FILE)")
	smtpPassword := getenv("PACSLITE_SMTP_PASSWORD")
	smtpPasswordFile := fs.String("smtp-password-file", env("PACSLITE_SMTP_PASSWORD_FILE", ""), "file holding the SMTP password (PACSLITE_SMTP_PASSWORD_FILE)")
	smtpFrom := fs.String("smtp-from", env("PACSLITE_SMTP_FROM", ""), "sender of notification emails, e.g. \"City Hospital <reports@example.org>\" (PACSLITE_SMTP_FROM)")
	smsURL := fs.String("sms-hook-url", env("PACSLITE_SMS_HOOK_URL", ""), "SMS gateway endpoint: pacslite POSTs {\"to\", \"body\"} as JSON; empty keeps SMS in the outbox (PACSLITE_SMS_HOOK_URL; token in PACSLITE_SMS_HOOK_TOKEN or _FILE)")
	smsToken := getenv("PACSLITE_SMS_HOOK_TOKEN")
	smsTokenFile := fs.String("sms-hook-token-file", env("PACSLITE_SMS_HOOK_TOKEN_FILE", ""), "file holding the SMS gateway's bearer token (PACSLITE_SMS_HOOK_TOKEN_FILE)")
	return func() (ReportConfig, []error) {
		c := ReportConfig{SMTPAddr: *smtpAddr, SMTPUsername: *smtpUser, SMTPFrom: *smtpFrom, SMSHookURL: *smsURL}
		var errs []error
		d, err := time.ParseDuration(*delay)
		if err != nil || d < 0 || d > maxReleaseDelay {
			errs = append(errs, fmt.Errorf("report release delay %q is not a duration from 0s to 2160h", *delay))
		}
		c.ReleaseDelay = d
		for _, a := range strings.Split(*critical, ",") {
			if a = strings.TrimSpace(a); a != "" {
				c.CriticalNotify = append(c.CriticalNotify, a)
			}
		}
		if c.SMTPPassword, err = valueOrFile("SMTP password", smtpPassword, *smtpPasswordFile); err != nil {
			errs = append(errs, err)
		}
		if c.SMSHookToken, err = valueOrFile("SMS hook token", smsToken, *smsTokenFile); err != nil {
			errs = append(errs, err)
		}
		if c.SMTPAddr != "" {
			if _, _, err := net.SplitHostPort(c.SMTPAddr); err != nil {
				errs = append(errs, fmt.Errorf("SMTP address %q is not host:port", c.SMTPAddr))
			}
			if _, err := mail.ParseAddress(c.SMTPFrom); err != nil {
				errs = append(errs, fmt.Errorf("SMTP sender %q is not an email address (set --smtp-from)", c.SMTPFrom))
			}
		}
		if c.SMSHookURL != "" && !strings.HasPrefix(c.SMSHookURL, "http://") && !strings.HasPrefix(c.SMSHookURL, "https://") {
			errs = append(errs, fmt.Errorf("SMS hook URL %q must be an http(s) URL", c.SMSHookURL))
		}
		return c, errs
	}
}

// buildReports turns the configuration into the portal's options.
func buildReports(c ReportConfig, publicURL string) portal.ReportOptions {
	o := portal.ReportOptions{ReleaseDelay: c.ReleaseDelay, CriticalNotify: c.CriticalNotify, PublicURL: publicURL}
	if c.SMTPAddr != "" {
		o.Email = &notify.SMTP{Addr: c.SMTPAddr, Username: c.SMTPUsername, Password: c.SMTPPassword, From: c.SMTPFrom}
	}
	if c.SMSHookURL != "" {
		o.SMS = &notify.SMSHook{URL: c.SMSHookURL, Token: c.SMSHookToken}
	}
	return o
}

// runReportJobs publishes released reports and delivers notifications
// every minute until ctx ends.
func runReportJobs(ctx context.Context, h *portal.Handler, log zerolog.Logger) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		if n, err := h.ReleaseReports(ctx); err != nil && !errors.Is(err, context.Canceled) {
			log.Warn().Err(err).Msg("release reports")
		} else if n > 0 {
			log.Info().Int("reports", n).Msg("released reports to patients and the archive")
		}
		if err := h.DeliverNotifications(ctx); err != nil && !errors.Is(err, context.Canceled) {
			log.Warn().Err(err).Msg("deliver notifications")
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
