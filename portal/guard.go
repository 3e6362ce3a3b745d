package portal

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/pacslite/pacslite/dicomweb"
	"github.com/pacslite/pacslite/portal/account"
	"github.com/pacslite/pacslite/portal/store"
)

// guard puts the portal's rules in front of the archive's DICOMweb
// handler. A request is authenticated, in this order, by
//   - "Authorization: Bearer TOKEN" with an API client's token;
//   - HTTP Basic with an API client's name and token (for PACS that can
//     only do Basic);
//   - the portal's session cookie (same-origin viewers); a cookie request
//     that changes something (STOW-RS from the upload page, DELETE) must
//     also carry the session's CSRF token in X-CSRF-Token;
//   - nothing, only when anonymous access is enabled.
//
// Then accessFor decides what it may see and do, and every request is
// written to the audit trail with the study it touched.
func (h *Handler) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			next.ServeHTTP(w, r) // CORS preflight: no credentials by design
			return
		}
		remote := h.clientAddr(r)
		p, err := h.authenticate(r, remote)
		var denied *refusal
		if errors.As(err, &denied) {
			if denied.audit {
				h.audit(r.Context(), store.Event{Actor: p.actor, Role: p.role, Action: "dicomweb.denied",
					StudyUID: studyInPath(r.URL.Path, h.opts.DICOMwebPrefix), Detail: r.Method + " " + r.URL.Path, Status: denied.status, Remote: remote})
			}
			h.refuse(w, r, denied)
			return
		}
		if err != nil {
			h.logger(r.Context()).Error().Err(err).Msg("dicomweb authentication")
			h.refuse(w, r, &refusal{status: http.StatusInternalServerError, msg: "internal error; request id " + w.Header().Get("X-Request-Id")})
			return
		}
		access, err := h.accessFor(r.Context(), p, remote)
		if err != nil {
			h.logger(r.Context()).Error().Err(err).Msg("dicomweb access")
			h.refuse(w, r, &refusal{status: http.StatusInternalServerError, msg: "internal error; request id " + w.Header().Get("X-Request-Id")})
			return
		}
		if !h.uploadRule(w, r, p, access) { // upload_guard.go: patients store through paid uploads
			return
		}
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r.WithContext(dicomweb.WithAccess(r.Context(), access)))
		study := studyInPath(r.URL.Path, h.opts.DICOMwebPrefix)
		if r.Method == http.MethodDelete && sw.status < 300 && isStudyPath(r.URL.Path, h.opts.DICOMwebPrefix) {
			// A study stored again later under this UID is a new one:
			// nobody keeps access to it through the old links.
			if err := h.forgetStudy(r.Context(), study); err != nil {
				h.logger(r.Context()).Error().Err(err).Str("study_uid", study).Msg("forget deleted study")
			}
		}
		h.audit(r.Context(), store.Event{Actor: p.actor, Role: p.role, Action: "dicomweb." + dicomwebAction(r),
			StudyUID: study, Detail: r.Method + " " + r.URL.Path, Status: sw.status, Remote: remote})
	})
}

// refusal is an authentication or authorisation failure.
type refusal struct {
	status    int
	msg       string
	challenge string // WWW-Authenticate
	audit     bool   // credentials were presented: worth a line in the audit trail
}

func (e *refusal) Error() string { return fmt.Sprintf("%d %s", e.status, e.msg) }

func (h *Handler) authenticate(r *http.Request, remote string) (principal, error) {
	authz := r.Header.Get("Authorization")
	scheme, cred, _ := strings.Cut(authz, " ")
	switch {
	case strings.EqualFold(scheme, "Bearer"):
		return h.clientByToken(r, strings.TrimSpace(cred), "", remote)
	case strings.EqualFold(scheme, "Basic"):
		name, secret, ok := r.BasicAuth()
		if !ok {
			return anonymous, &refusal{status: http.StatusUnauthorized, msg: "malformed Basic credentials", challenge: h.challenge(r, "")}
		}
		return h.clientByToken(r, secret, name, remote)
	case authz != "":
		return anonymous, &refusal{status: http.StatusUnauthorized, msg: "use a Bearer token or Basic credentials", challenge: h.challenge(r, "")}
	}
	v, err := h.sessionFrom(r)
	if err != nil {
		return anonymous, err
	}
	if v.user != nil {
		p := userPrincipal(v.user, v.session)
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			tok := r.Header.Get(csrfHeader)
			if subtle.ConstantTimeCompare([]byte(tok), []byte(v.session.CSRF)) != 1 || h.xorigins.Check(r) != nil {
				return p, &refusal{status: http.StatusForbidden, msg: "a request with the portal session that changes the archive needs the X-CSRF-Token header of the portal page", audit: true}
			}
		}
		return p, nil
	}
	if h.opts.AnonymousDICOMweb {
		return anonymous, nil
	}
	return anonymous, &refusal{status: http.StatusUnauthorized, msg: "authentication required: a Bearer token, Basic credentials or a portal session", challenge: h.challenge(r, "")}
}

// clientByToken authenticates an API client by its token (and, for Basic,
// its name), then checks the request's method against the client's scopes.
func (h *Handler) clientByToken(r *http.Request, token, name, remote string) (principal, error) {
	if ok, _ := h.limits.basic.Allow(remote); !ok {
		return anonymous, &refusal{status: http.StatusTooManyRequests, msg: "too many failed attempts; try again later"}
	}
	c, err := h.db.ClientBySecretHash(r.Context(), account.HashSecret(token))
	if err == nil && name != "" && !strings.EqualFold(name, c.Name) {
		err = store.ErrNotFound
	}
	if errors.Is(err, store.ErrNotFound) || token == "" {
		h.limits.basic.Add(remote)
		return anonymous, &refusal{status: http.StatusUnauthorized, msg: "invalid or revoked credentials",
			challenge: h.challenge(r, `error="invalid_token"`), audit: true}
	}
	if err != nil {
		return anonymous, err
	}
	p := clientPrincipal(&c)
	need := ScopeRead
	switch r.Method {
	case http.MethodPost, http.MethodPut:
		need = ScopeWrite
	case http.MethodDelete:
		need = ScopeDelete
	}
	if !c.HasScope(need) {
		return p, &refusal{status: http.StatusForbidden, msg: "this token lacks the scope " + need,
			challenge: `Bearer realm="pacslite", error="insufficient_scope", scope="` + need + `"`, audit: true}
	}
	if err := h.db.TouchClient(r.Context(), c.ID); err != nil {
		h.logger(r.Context()).Warn().Err(err).Msg("touch api client")
	}
	return p, nil
}

// challenge is the WWW-Authenticate of a 401. Browsers get no Basic
// challenge, which would pop up a password dialog over the portal.
func (h *Handler) challenge(r *http.Request, params string) string {
	c := `Bearer realm="pacslite"`
	if params != "" {
		c += ", " + params
	}
	if r.Header.Get("Sec-Fetch-Mode") == "" {
		c += `, Basic realm="pacslite", charset="UTF-8"`
	}
	return c
}

// refuse answers like the archive does (PS3.18 8.1.2: status, Warning
// header, plain-text reason), with the CORS headers a cross-origin viewer
// needs to see why.
func (h *Handler) refuse(w http.ResponseWriter, r *http.Request, e *refusal) {
	hd := w.Header()
	if origin := r.Header.Get("Origin"); origin != "" {
		switch {
		case slices.Contains(h.opts.AllowedOrigins, "*"):
			hd.Set("Access-Control-Allow-Origin", "*")
		case slices.Contains(h.opts.AllowedOrigins, origin):
			hd.Set("Access-Control-Allow-Origin", origin)
			hd.Set("Access-Control-Allow-Credentials", "true")
			hd.Add("Vary", "Origin")
		}
		hd.Set("Access-Control-Expose-Headers", "Warning, WWW-Authenticate, X-Request-Id")
	}
	if e.challenge != "" {
		hd.Set("WWW-Authenticate", e.challenge)
	}
	hd.Set("Content-Type", "text/plain; charset=utf-8")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Warning", "299 pacslite: "+e.msg)
	w.WriteHeader(e.status)
	fmt.Fprintln(w, e.msg)
}

// statusWriter remembers the status of a response for the audit trail,
// passing flushes through (WADO-RS streams).
type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (s *statusWriter) WriteHeader(code int) {
	if !s.wrote {
		s.status, s.wrote = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(p []byte) (int, error) {
	s.wrote = true
	return s.ResponseWriter.Write(p)
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// ReadFrom keeps the server's sendfile path open: io.Copy from a file to
// the response reaches net/http's own ReadFrom through this wrapper.
func (s *statusWriter) ReadFrom(r io.Reader) (int64, error) {
	s.wrote = true
	n, err := io.Copy(s.ResponseWriter, r)
	return n, err
}

func (s *statusWriter) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
