package main

import (
	"flag"
	"io"
	"testing"
	"time"

	"github.com/pacslite/pacslite/portal/notify"
)

func TestReportFlags(t *testing.T) {
	parse := func(args []string, env map[string]string) (ReportConfig, []error) {
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		build := reportFlags(fs, func(k string) string { return env[k] })
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		return build()
	}
	c, errs := parse(nil, nil)
	if len(errs) > 0 || c.ReleaseDelay != 0 || c.SMTPAddr != "" {
		t.Errorf("defaults = %+v, %v", c, errs)
	}
	if o := buildReports(c, ""); o.Email != nil || o.SMS != nil {
		t.Error("without settings, notifications must stay in the outbox")
	}
	c, errs = parse([]string{"--report-release-delay", "72h", "--smtp-addr", "mail.example.org:587"}, map[string]string{
		"PACSLITE_SMTP_FROM": "City Hospital <reports@example.org>", "PACSLITE_SMTP_PASSWORD": "s3cret",
		"PACSLITE_REPORT_CRITICAL_NOTIFY": "ref@example.org, +91 98765 43210", "PACSLITE_SMS_HOOK_URL": "http://127.0.0.1:9/sms",
	})
	if len(errs) > 0 || c.ReleaseDelay != 72*time.Hour || c.SMTPPassword != "s3cret" || len(c.CriticalNotify) != 2 {
		t.Errorf("from flags and env = %+v, %v", c, errs)
	}
	o := buildReports(c, "https://pacs.example.org")
	if s, ok := o.Email.(*notify.SMTP); !ok || s.Addr != "mail.example.org:587" {
		t.Errorf("email sender = %#v", o.Email)
	}
	if _, ok := o.SMS.(*notify.SMSHook); !ok || o.PublicURL != "https://pacs.example.org" {
		t.Errorf("SMS sender = %#v, public URL %q", o.SMS, o.PublicURL)
	}
	_, errs = parse([]string{"--report-release-delay", "-1h", "--smtp-addr", "nohost", "--sms-hook-url", "ftp://x"}, nil)
	if len(errs) != 4 {
		t.Errorf("bad values gave %d errors, want 4 (delay, SMTP address, SMTP sender, hook URL): %v", len(errs), errs)
	}
}
