package portal

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/pacslite/pacslite/portal/account"
	"github.com/pacslite/pacslite/portal/archive"
	"github.com/pacslite/pacslite/portal/store"
	"github.com/pacslite/pacslite/portal/throttle"
)

// Options configure the portal.
type Options struct {
	// Store keeps accounts, sessions and the audit trail (required).
	Store *store.DB
	// DICOMweb is the archive's handler (required), mounted at
	// DICOMwebPrefix (default "/dicomweb"). The portal reads the archive
	// through it and guards it (Handler.DICOMweb).
	DICOMweb       http.Handler
	DICOMwebPrefix string
	// Log is the logger of events without a request (start-up); requests
	// log through the logger in their context when there is one.
	Log zerolog.Logger
	// Hasher hashes passwords; nil uses account.DefaultParams.
	Hasher *account.Hasher
	// SiteName is shown in page titles and the header (default "pacslite").
	SiteName string
	// SupportPhone, when set, is shown in the support bubble.
	SupportPhone string
	// OHIFURL is the root of an OHIF viewer served from the same site, e.g.
	// "https://pacs.example.org/ohif"; empty hides "Open in OHIF".
	OHIFURL string
	// AnonymousDICOMweb lets requests without credentials use DICOMweb with
	// full rights. A development convenience: never on a network.
	AnonymousDICOMweb bool
	// DisableSignup hides patient self sign-up.
	DisableSignup bool
	// SecureCookies marks cookies Secure even on plain HTTP requests (set
	// it behind a TLS-terminating proxy); requests over TLS always are.
	SecureCookies bool
	// TrustedProxies are the peers whose X-Forwarded-For is believed for
	// the client address in the audit trail and the login throttle.
	TrustedProxies []netip.Prefix
	// AllowedOrigins are the CORS origins of the archive, echoed on the
	// guard's own 401 and 403 answers ("*" for any).
	AllowedOrigins []string
	// SessionIdle and SessionMax bound a session's life (defaults 12 h and
	// 7 days).
	SessionIdle, SessionMax time.Duration
	// Reports configure radiology reporting: release delay, notifications.
	Reports ReportOptions
	// Sharing configures shares, downloads, family members, matching and
	// retention.
	Sharing SharingOptions
	// Payments configure the fees of patient uploads and Razorpay.
	Payments PaymentOptions
}

// Handler serves the portal pages. Create it with NewHandler.
type Handler struct {
	opts     Options
	db       *store.DB
	hasher   *account.Hasher
	archive  *archive.Client
	pages    *pages
	static   *staticFiles
	routes   http.Handler
	guarded  http.Handler
	limits   limits
	now      func() time.Time
	xorigins *http.CrossOriginProtection
	reports  *reporting // report.go
	sharing  *sharingState
}

// limits are the throttles of the portal's unauthenticated forms.
type limits struct {
	loginAccount *throttle.Limiter // wrong passwords per login id
	loginAddress *throttle.Limiter // wrong passwords per client address
	signup       *throttle.Limiter // accounts created per address
	support      *throttle.Limiter // call-back requests per address
	basic        *throttle.Limiter // wrong DICOMweb credentials per address
}

// NewHandler checks the options, parses the templates and builds the
// handler.
func NewHandler(opts Options) (*Handler, error) {
	if opts.Store == nil || opts.DICOMweb == nil {
		return nil, errors.New("portal: Store and DICOMweb are required")
	}
	if opts.DICOMwebPrefix == "" {
		opts.DICOMwebPrefix = "/dicomweb"
	}
	opts.DICOMwebPrefix = "/" + strings.Trim(opts.DICOMwebPrefix, "/")
	if opts.SiteName == "" {
		opts.SiteName = "pacslite"
	}
	opts.OHIFURL = strings.TrimRight(opts.OHIFURL, "/")
	if opts.SessionIdle <= 0 {
		opts.SessionIdle = 12 * time.Hour
	}
	if opts.SessionMax <= 0 {
		opts.SessionMax = 7 * 24 * time.Hour
	}
	if opts.Hasher == nil {
		opts.Hasher = account.NewHasher(account.DefaultParams, 4)
	}
	h := &Handler{
		opts:    opts,
		db:      opts.Store,
		hasher:  opts.Hasher,
		archive: archive.New(opts.DICOMweb, opts.DICOMwebPrefix),
		now:     time.Now,
		limits: limits{
			loginAccount: throttle.New(5, 15*time.Minute),
			loginAddress: throttle.New(30, 15*time.Minute),
			signup:       throttle.New(10, time.Hour),
			support:      throttle.New(10, time.Hour),
			basic:        throttle.New(30, 15*time.Minute),
		},
		xorigins: http.NewCrossOriginProtection(),
		reports:  newReporting(opts.Reports, &opts.Log),
		sharing:  newSharingState(opts.Sharing),
	}
	var err error
	if h.static, err = newStaticFiles(); err != nil {
		return nil, fmt.Errorf("portal: %w", err)
	}
	if h.pages, err = parsePages(h.static); err != nil {
		return nil, fmt.Errorf("portal: %w", err)
	}
	h.routes = h.newRouter()
	h.guarded = h.guard(opts.DICOMweb)
	return h, nil
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.routes.ServeHTTP(w, r)
}

// DICOMweb returns the archive's handler behind the portal's access rules:
// mount it at DICOMwebPrefix in place of the bare handler.
func (h *Handler) DICOMweb() http.Handler { return h.guarded }

// SweepSessions removes expired sessions; run it now and then.
func (h *Handler) SweepSessions(ctx context.Context) (int64, error) {
	return h.db.DeleteSessionsIdleSince(ctx, h.now().Add(-h.opts.SessionIdle))
}

// logger is the request's logger (with its request id) when the server
// set one, else the portal's own.
func (h *Handler) logger(ctx context.Context) *zerolog.Logger {
	if l := zerolog.Ctx(ctx); l.GetLevel() != zerolog.Disabled {
		return l
	}
	return &h.opts.Log
}
