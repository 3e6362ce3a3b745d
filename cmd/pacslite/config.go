package main

import (
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Config is everything `pacslite serve` can be told, from flags and
// PACSLITE_* environment variables (flags win).
type Config struct {
	Addr            string
	DataDir         string
	PublicURL       string
	TrustedProxies  []netip.Prefix
	AllowedOrigins  []string
	MaxQueryLimit   int
	MaxInstanceSize int64
	LogLevel        string
	LogFormat       string
	ShutdownTimeout time.Duration
	Blob            BlobConfig
	// SweepInterval is how often the server looks for orphan blobs and
	// removes them (0: never); SweepGrace is how old an unreferenced blob
	// must be to count as an orphan.
	SweepInterval time.Duration
	SweepGrace    time.Duration
	Portal        PortalConfig
}

// parseServeConfig reads the environment, then the flags.
func parseServeConfig(args []string, getenv func(string) string) (Config, error) {
	env := func(key, def string) string {
		if v := getenv(key); v != "" {
			return v
		}
		return def
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fs.String("addr", env("PACSLITE_ADDR", "127.0.0.1:8042"), "listen address (PACSLITE_ADDR)")
	data := fs.String("data", env("PACSLITE_DATA", "./pacslite-data"), "data folder: index and instance files (PACSLITE_DATA)")
	public := fs.String("public-url", env("PACSLITE_PUBLIC_URL", ""), "absolute URL of the DICOMweb root as clients reach it, e.g. https://pacs.example.org/dicomweb (PACSLITE_PUBLIC_URL)")
	proxies := fs.String("trusted-proxies", env("PACSLITE_TRUSTED_PROXIES", ""), "comma-separated addresses/CIDRs whose X-Forwarded-*/Forwarded headers are trusted (PACSLITE_TRUSTED_PROXIES)")
	origins := fs.String("cors-origins", env("PACSLITE_CORS_ORIGINS", "*"), "comma-separated origins allowed to call DICOMweb from a browser, * for any (PACSLITE_CORS_ORIGINS)")
	maxLimit := fs.String("qido-max-limit", env("PACSLITE_QIDO_MAX_LIMIT", "1000"), "most QIDO-RS results per request (PACSLITE_QIDO_MAX_LIMIT)")
	maxMB := fs.String("max-instance-mb", env("PACSLITE_MAX_INSTANCE_MB", "4096"), "largest instance STOW-RS accepts, in MiB (PACSLITE_MAX_INSTANCE_MB)")
	level := fs.String("log-level", env("PACSLITE_LOG_LEVEL", "info"), "debug, info, warn or error (PACSLITE_LOG_LEVEL)")
	format := fs.String("log-format", env("PACSLITE_LOG_FORMAT", "json"), "json or console (PACSLITE_LOG_FORMAT)")
	shutdown := fs.String("shutdown-timeout", env("PACSLITE_SHUTDOWN_TIMEOUT", "30s"), "how long in-flight requests may finish on SIGTERM (PACSLITE_SHUTDOWN_TIMEOUT)")
	sweepEvery := fs.String("sweep-interval", env("PACSLITE_SWEEP_INTERVAL", "1h"), "how often to remove orphan blobs (left by crashes); 0 never (PACSLITE_SWEEP_INTERVAL)")
	sweepGrace := fs.String("sweep-grace", env("PACSLITE_SWEEP_GRACE", "1h"), "age below which an unreferenced blob is never removed, at least 1m (PACSLITE_SWEEP_GRACE)")
	blobs := blobFlags(fs, getenv)
	portalCfg := portalFlags(fs, getenv)
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("serve: unexpected arguments %q", fs.Args())
	}

	c := Config{Addr: *addr, DataDir: *data, PublicURL: strings.TrimRight(*public, "/"), LogLevel: *level, LogFormat: *format}
	var errs []error
	for _, p := range splitList(*proxies) {
		pfx, err := netip.ParsePrefix(p)
		if err != nil {
			a, err2 := netip.ParseAddr(p)
			if err2 != nil {
				errs = append(errs, fmt.Errorf("trusted proxy %q is not an address or CIDR", p))
				continue
			}
			pfx = netip.PrefixFrom(a, a.BitLen())
		}
		c.TrustedProxies = append(c.TrustedProxies, pfx)
	}
	c.AllowedOrigins = splitList(*origins)
	var err error
	if c.MaxQueryLimit, err = strconv.Atoi(*maxLimit); err != nil {
		errs = append(errs, fmt.Errorf("qido-max-limit %q is not a number", *maxLimit))
	}
	mb, err := strconv.ParseInt(*maxMB, 10, 64)
	if err != nil {
		errs = append(errs, fmt.Errorf("max-instance-mb %q is not a number", *maxMB))
	}
	c.MaxInstanceSize = mb << 20
	if c.ShutdownTimeout, err = time.ParseDuration(*shutdown); err != nil {
		errs = append(errs, fmt.Errorf("shutdown-timeout %q is not a duration", *shutdown))
	}
	if c.SweepInterval, err = time.ParseDuration(*sweepEvery); err != nil {
		errs = append(errs, fmt.Errorf("sweep-interval %q is not a duration", *sweepEvery))
	}
	if c.SweepGrace, err = time.ParseDuration(*sweepGrace); err != nil {
		errs = append(errs, fmt.Errorf("sweep-grace %q is not a duration", *sweepGrace))
	}
	var blobErrs []error
	c.Blob, blobErrs = blobs()
	errs = append(errs, blobErrs...)
	var portalErrs []error
	c.Portal, portalErrs = portalCfg()
	errs = append(errs, portalErrs...)
	if err := errors.Join(errs...); err != nil {
		return c, err
	}
	return c, c.Validate()
}

// Validate reports every problem at once.
func (c Config) Validate() error {
	var errs []error
	if c.Addr == "" {
		errs = append(errs, errors.New("addr is empty"))
	}
	if c.DataDir == "" {
		errs = append(errs, errors.New("data folder is empty"))
	}
	if c.PublicURL != "" && !strings.HasPrefix(c.PublicURL, "http://") && !strings.HasPrefix(c.PublicURL, "https://") {
		errs = append(errs, fmt.Errorf("public URL %q must start with http:// or https://", c.PublicURL))
	}
	if c.MaxQueryLimit < 1000 {
		errs = append(errs, fmt.Errorf("qido-max-limit %d is below the minimum of 1000", c.MaxQueryLimit))
	}
	if c.MaxInstanceSize <= 0 {
		errs = append(errs, errors.New("max-instance-mb must be positive"))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("log level %q is not debug, info, warn or error", c.LogLevel))
	}
	switch c.LogFormat {
	case "json", "console":
	default:
		errs = append(errs, fmt.Errorf("log format %q is not json or console", c.LogFormat))
	}
	if c.SweepInterval < 0 {
		errs = append(errs, errors.New("sweep-interval must not be negative"))
	}
	if c.SweepInterval > 0 && c.SweepGrace < time.Minute {
		// A STOW writes its blob, then its index row: a sweep must not take
		// the blob for an orphan in between.
		errs = append(errs, fmt.Errorf("sweep-grace %v is below the minimum of 1m", c.SweepGrace))
	}
	errs = append(errs, c.Blob.Validate()...)
	return errors.Join(errs...)
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
