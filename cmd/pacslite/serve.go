package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/rs/zerolog"

	"github.com/pacslite/pacslite/dicomweb"
	"github.com/pacslite/pacslite/store/blob"
	"github.com/pacslite/pacslite/store/index"
)

// runServe runs the archive until ctx is cancelled (SIGINT/SIGTERM), then
// shuts down gracefully: the listener closes, in-flight requests get
// ShutdownTimeout to finish, and only then is the index closed.
func runServe(ctx context.Context, args []string, stderr io.Writer) int {
	cfg, err := parseServeConfig(args, os.Getenv)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "pacslite serve: %v\n", err)
		return 2
	}
	log := newLogger(cfg, stderr)
	if err := serve(ctx, cfg, log); err != nil {
		log.Error().Err(err).Msg("pacslite stopped")
		return 1
	}
	return 0
}

func newLogger(cfg Config, w io.Writer) zerolog.Logger {
	if cfg.LogFormat == "console" {
		w = zerolog.ConsoleWriter{Out: w, TimeFormat: time.RFC3339}
	}
	level, _ := zerolog.ParseLevel(cfg.LogLevel)
	return zerolog.New(w).Level(level).With().Timestamp().Logger()
}

func serve(ctx context.Context, cfg Config, log zerolog.Logger) error {
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return fmt.Errorf("data folder: %w", err)
	}
	idx, err := index.Open(ctx, filepath.Join(cfg.DataDir, "index.db"), index.Options{})
	if err != nil {
		return fmt.Errorf("open index: %w", err)
	}
	defer idx.Close()
	blobs, err := openBlobStore(ctx, cfg.Blob, cfg.DataDir)
	if err != nil {
		return err
	}
	// Temp files or multipart uploads of writes a crash interrupted; never
	// visible as blobs.
	if _, err := cleanUploads(ctx, blobs, time.Hour); err != nil {
		log.Warn().Err(err).Msg("clean interrupted blob writes")
	}
	spool := filepath.Join(cfg.DataDir, "spool")
	os.RemoveAll(spool) // parts of requests a crash interrupted

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	dw, err := dicomweb.NewHandler(dicomweb.Options{
		Index:           idx,
		Blobs:           blobs,
		SpoolDir:        spool,
		Prefix:          "/dicomweb",
		PublicURL:       cfg.PublicURL,
		TrustedProxies:  cfg.TrustedProxies,
		AllowedOrigins:  cfg.AllowedOrigins,
		MaxQueryLimit:   cfg.MaxQueryLimit,
		MaxInstanceSize: cfg.MaxInstanceSize,
		Metrics:         reg,
	})
	if err != nil {
		return err
	}

	mux := http.NewServeMux()
	guarded, portalCloser, err := mountPortal(ctx, mux, dw, cfg, cfg.Portal, log)
	if err != nil {
		return err
	}
	defer portalCloser.Close()
	mux.Handle("/dicomweb/", dw)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", readyz(idx, blobs))
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))

	srv := &http.Server{
		Handler:           withRequestLog(log, withPrefix("/dicomweb/", guarded, mux)),
		ReadHeaderTimeout: 10 * time.Second,
		// No whole-request read or write timeouts: studies are gigabytes.
		IdleTimeout: 2 * time.Minute,
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	describeBlobs(log.Info(), cfg.Blob, cfg.DataDir).Str("addr", ln.Addr().String()).Str("data", cfg.DataDir).Msg("listening")

	// The sweep stops with ctx and is waited for before the index closes.
	sweepCtx, stopSweep := context.WithCancel(ctx)
	var sweeping sync.WaitGroup
	defer func() {
		stopSweep()
		sweeping.Wait()
	}()
	if cfg.SweepInterval > 0 {
		sweeping.Go(func() { runSweeps(sweepCtx, log, idx, blobs, cfg.SweepInterval, cfg.SweepGrace) })
	}

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info().Dur("timeout", cfg.ShutdownTimeout).Msg("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		// Requests still running are cut; their spooled parts are removed
		// and nothing they half-wrote is visible (atomic puts, committed rows).
		log.Warn().Err(err).Msg("shutdown timed out; closing connections")
		srv.Close()
	}
	log.Info().Msg("stopped")
	return nil
}

// readyz answers 200 when the index and the blob store are reachable.
func readyz(idx *index.DB, blobs blob.Store) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := idx.Ping(ctx); err != nil {
			zerolog.Ctx(r.Context()).Error().Err(err).Msg("readyz: index")
			http.Error(w, "index unavailable", http.StatusServiceUnavailable)
			return
		}
		if p, ok := blobs.(blob.Pinger); ok {
			if err := p.Ping(ctx); err != nil {
				zerolog.Ctx(r.Context()).Error().Err(err).Msg("readyz: blob store")
				http.Error(w, "blob store unavailable", http.StatusServiceUnavailable)
				return
			}
		}
		fmt.Fprintln(w, "ready")
	}
}
