package dicomweb

import (
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"os"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/pacslite/pacslite/store/blob"
	"github.com/pacslite/pacslite/store/index"
)

// Options configure the DICOMweb handler.
type Options struct {
	// Index is the catalogue; Blobs keeps instance files. Both required.
	Index *index.DB
	Blobs blob.Store
	// SpoolDir holds STOW-RS parts while they are checked (required; on the
	// same file system as a filesystem blob store, so storing is a rename).
	SpoolDir string
	// Prefix is the path the service root is mounted at, e.g. "/dicomweb".
	Prefix string
	// PublicURL is the absolute URL of the service root as clients reach it
	// (e.g. "https://pacs.example.org/dicomweb"); empty derives it from each
	// request.
	PublicURL string
	// TrustedProxies are the peers whose Forwarded / X-Forwarded-* headers
	// are believed.
	TrustedProxies []netip.Prefix
	// AllowedOrigins for CORS; "*" allows any origin.
	AllowedOrigins []string
	// MaxQueryLimit caps QIDO-RS results per request (default 1000); a larger
	// or absent limit is truncated to it with a Warning header.
	MaxQueryLimit int
	// MaxInstanceSize is the largest instance STOW-RS accepts (default 4 GiB).
	MaxInstanceSize int64
	// Metrics receives the Prometheus collectors; nil disables them.
	Metrics prometheus.Registerer
}

// Handler serves the DICOMweb services. Create it with NewHandler.
type Handler struct {
	opts    Options
	metrics *metrics
	routes  http.Handler
	// metadataBodies keeps gzipped metadata bodies, because viewers reopen
	// the series they show and compressing them is most of the cost.
	metadataBodies *bodyCache
}

// NewHandler checks the options and builds the handler.
func NewHandler(opts Options) (*Handler, error) {
	if opts.Index == nil || opts.Blobs == nil {
		return nil, errors.New("dicomweb: Index and Blobs are required")
	}
	if opts.SpoolDir == "" {
		return nil, errors.New("dicomweb: SpoolDir is required")
	}
	if err := os.MkdirAll(opts.SpoolDir, 0o700); err != nil {
		return nil, fmt.Errorf("dicomweb: spool dir: %w", err)
	}
	opts.Prefix = "/" + strings.Trim(opts.Prefix, "/")
	if opts.Prefix == "/" {
		opts.Prefix = ""
	}
	opts.PublicURL = strings.TrimRight(opts.PublicURL, "/")
	if opts.MaxQueryLimit <= 0 {
		opts.MaxQueryLimit = 1000
	}
	if opts.MaxInstanceSize <= 0 {
		opts.MaxInstanceSize = 4 << 30
	}
	m, err := newMetrics(opts.Metrics)
	if err != nil {
		return nil, fmt.Errorf("dicomweb: metrics: %w", err)
	}
	h := &Handler{opts: opts, metrics: m, metadataBodies: newBodyCache(metadataBodyCacheSize)}
	h.routes = h.cors(h.newRouter())
	return h, nil
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.routes.ServeHTTP(w, r)
}
