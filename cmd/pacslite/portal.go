package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/pacslite/pacslite/portal"
	"github.com/pacslite/pacslite/portal/account"
	"github.com/pacslite/pacslite/portal/store"
)

// PortalConfig configures the patient portal and the access rules of
// DICOMweb.
type PortalConfig struct {
	// Pages serves the portal's pages at /; false leaves only the guarded
	// DICOMweb endpoints (API tokens keep working).
	Pages bool
	// AdminEmail and AdminPassword make the first admin at first start;
	// without a password a one-time password is printed once.
	AdminEmail    string
	AdminPassword string
	OHIFURL       string
	// Anonymous lets DICOMweb requests without credentials through with
	// full rights: for development only.
	Anonymous     bool
	Signup        bool
	SiteName      string
	SupportPhone  string
	SecureCookies bool
	Payments      PaymentConfig // payment.go
	Reports       ReportConfig  // report.go
	Sharing       SharingConfig // sharing.go
}

// portalFlags registers the portal flags on fs, with defaults from the
// environment. The function it returns, called after fs.Parse, builds the
// PortalConfig and reports the values it could not read.
func portalFlags(fs *flag.FlagSet, getenv func(string) string) func() (PortalConfig, []error) {
	env := func(key, def string) string {
		if v := getenv(key); v != "" {
			return v
		}
		return def
	}
	pages := fs.String("portal", env("PACSLITE_PORTAL", "true"), "serve the patient portal's pages at / (PACSLITE_PORTAL)")
	adminEmail := fs.String("admin-email", env("PACSLITE_ADMIN_EMAIL", ""), "login of the first admin, created at first start (PACSLITE_ADMIN_EMAIL; default "+portal.DefaultAdminEmail+")")
	adminPassword := getenv("PACSLITE_ADMIN_PASSWORD") // no flag: it would show in ps
	adminPasswordFile := fs.String("admin-password-file", env("PACSLITE_ADMIN_PASSWORD_FILE", ""), "file holding the first admin's password; without one (or PACSLITE_ADMIN_PASSWORD) a one-time password is printed (PACSLITE_ADMIN_PASSWORD_FILE)")
	ohif := fs.String("ohif-url", env("PACSLITE_OHIF_URL", ""), "root of an OHIF viewer on the same site, e.g. https://pacs.example.org/ohif; shows \"Open in OHIF\" (PACSLITE_OHIF_URL)")
	anonymous := fs.String("dicomweb-anonymous", env("PACSLITE_DICOMWEB_ANONYMOUS", "false"), "let DICOMweb requests without credentials read, store and delete everything: development only (PACSLITE_DICOMWEB_ANONYMOUS)")
	signup := fs.String("signup", env("PACSLITE_SIGNUP", "true"), "let patients create their own accounts (PACSLITE_SIGNUP)")
	site := fs.String("site-name", env("PACSLITE_SITE_NAME", "pacslite"), "name shown in the portal's header and titles (PACSLITE_SITE_NAME)")
	phone := fs.String("support-phone", env("PACSLITE_SUPPORT_PHONE", ""), "phone number shown in the support bubble (PACSLITE_SUPPORT_PHONE)")
	secure := fs.String("secure-cookies", env("PACSLITE_SECURE_COOKIES", "false"), "mark cookies Secure on plain HTTP too, behind a TLS proxy; automatic over TLS and with an https public URL (PACSLITE_SECURE_COOKIES)")
	payments := paymentFlags(fs, getenv)
	reports := reportFlags(fs, getenv)
	sharing := sharingFlags(fs, getenv)
	return func() (PortalConfig, []error) {
		c := PortalConfig{AdminEmail: *adminEmail, OHIFURL: strings.TrimRight(*ohif, "/"), SiteName: *site, SupportPhone: *phone}
		var errs []error
		for _, b := range []struct {
			name, value string
			dst         *bool
		}{{"portal", *pages, &c.Pages}, {"dicomweb-anonymous", *anonymous, &c.Anonymous}, {"signup", *signup, &c.Signup}, {"secure-cookies", *secure, &c.SecureCookies}} {
			v, err := strconv.ParseBool(b.value)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s %q is not true or false", b.name, b.value))
			}
			*b.dst = v
		}
		var payErrs []error
		c.Payments, payErrs = payments()
		errs = append(errs, payErrs...)
		var repErrs []error
		c.Reports, repErrs = reports()
		errs = append(errs, repErrs...)
		var shareErrs []error
		c.Sharing, shareErrs = sharing()
		errs = append(errs, shareErrs...)
		var err error
		if c.AdminPassword, err = valueOrFile("admin password", adminPassword, *adminPasswordFile); err != nil {
			errs = append(errs, err)
		}
		if c.AdminEmail != "" {
			if _, err := account.NormalizeEmail(c.AdminEmail); err != nil {
				errs = append(errs, fmt.Errorf("admin email %q is not an email address", c.AdminEmail))
			}
		}
		if c.AdminPassword != "" {
			if err := account.CheckPolicy(c.AdminPassword); err != nil {
				errs = append(errs, fmt.Errorf("admin password: %w", err))
			}
		}
		if c.OHIFURL != "" && !strings.HasPrefix(c.OHIFURL, "http://") && !strings.HasPrefix(c.OHIFURL, "https://") && !strings.HasPrefix(c.OHIFURL, "/") {
			errs = append(errs, fmt.Errorf("OHIF URL %q must be an http(s) URL or a path on this site", c.OHIFURL))
		}
		return c, errs
	}
}

// mountPortal opens the portal's database (portal.db in the data folder),
// creates the first admin when there is none, mounts the portal's pages at
// / on mux, and returns the DICOMweb handler dw behind the portal's access
// rules: serve it at /dicomweb/ in place of dw. Closing the closer stops
// the portal's background work and closes its database: do it after the
// server has shut down.
func mountPortal(ctx context.Context, mux *http.ServeMux, dw http.Handler, cfg Config, pc PortalConfig, log zerolog.Logger) (http.Handler, io.Closer, error) {
	db, err := store.Open(ctx, filepath.Join(cfg.DataDir, "portal.db"))
	if err != nil {
		return nil, nil, fmt.Errorf("portal: %w", err)
	}
	hasher := account.NewHasher(account.DefaultParams, 4)
	payments, paymentsTo, err := buildPayments(pc.Payments, log)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	h, err := portal.NewHandler(portal.Options{
		Store: db, DICOMweb: dw, DICOMwebPrefix: "/dicomweb", Log: log, Hasher: hasher,
		SiteName: pc.SiteName, SupportPhone: pc.SupportPhone, OHIFURL: pc.OHIFURL,
		AnonymousDICOMweb: pc.Anonymous, DisableSignup: !pc.Signup,
		SecureCookies:  pc.SecureCookies || strings.HasPrefix(cfg.PublicURL, "https://"),
		TrustedProxies: cfg.TrustedProxies, AllowedOrigins: cfg.AllowedOrigins,
		Payments: payments,
		Reports:  buildReports(pc.Reports, cfg.PublicURL),
		Sharing:  buildSharing(pc.Sharing, cfg),
	})
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	paymentsTo(h) // the demo mode's webhooks
	created, oneTime, err := portal.EnsureAdmin(ctx, db, hasher, pc.AdminEmail, pc.AdminPassword)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	if created {
		login := pc.AdminEmail
		if login == "" {
			login = portal.DefaultAdminEmail
		}
		log.Info().Msg("created the first admin account")
		if oneTime != "" {
			// Printed once, outside the structured log, and useless after
			// the first login, which must replace it.
			fmt.Fprintf(os.Stderr, "\npacslite: first admin account\n  login:    %s\n  password: %s   (one-time: you must choose a new one at first login)\n\n", login, oneTime)
		}
	}
	if pc.Anonymous {
		log.Warn().Msg("DICOMweb accepts anonymous requests with full rights (PACSLITE_DICOMWEB_ANONYMOUS=true): never do this on a network")
	}
	if pc.Pages {
		mux.Handle("/", h)
	}

	sweepCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Go(func() { runReportJobs(sweepCtx, h, log) })                                // report.go
	wg.Go(func() { runSharingJobs(sweepCtx, h, pc.Sharing.RetentionInterval, log) }) // sharing.go
	wg.Go(func() {
		t := time.NewTicker(time.Hour)
		defer t.Stop()
		for {
			if n, err := h.SweepSessions(sweepCtx); err != nil && !errors.Is(err, context.Canceled) {
				log.Warn().Err(err).Msg("sweep portal sessions")
			} else if n > 0 {
				log.Debug().Int64("sessions", n).Msg("swept expired portal sessions")
			}
			if n, err := h.SweepUploads(sweepCtx); err != nil && !errors.Is(err, context.Canceled) {
				log.Warn().Err(err).Msg("sweep uploads")
			} else if n > 0 {
				log.Info().Int("uploads", n).Msg("closed abandoned uploads")
			}
			select {
			case <-sweepCtx.Done():
				return
			case <-t.C:
			}
		}
	})
	return h.DICOMweb(), closerFunc(func() error {
		stop()
		wg.Wait()
		return db.Close()
	}), nil
}

type closerFunc func() error

func (f closerFunc) Close() error { return f() }
