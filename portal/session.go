package portal

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/pacslite/pacslite/portal/account"
	"github.com/pacslite/pacslite/portal/store"
)

// sessionCookie holds the session id; only its hash is stored.
const sessionCookie = "pacslite_session"

// visitor is who sent a request to the portal: a logged-in account, or
// nobody (zero value).
type visitor struct {
	user    *store.User
	session *store.Session
}

type visitorKey struct{}

func visitorOf(r *http.Request) visitor {
	v, _ := r.Context().Value(visitorKey{}).(visitor)
	return v
}

func withVisitor(ctx context.Context, v visitor) context.Context {
	return context.WithValue(ctx, visitorKey{}, v)
}

// sessionFrom finds the live session a request's cookie names. Expired,
// idle and disabled accounts' sessions are deleted and count as none.
func (h *Handler) sessionFrom(r *http.Request) (visitor, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return visitor{}, nil
	}
	hash := account.HashSecret(c.Value)
	s, u, err := h.db.SessionByHash(r.Context(), hash)
	if errors.Is(err, store.ErrNotFound) {
		return visitor{}, nil
	}
	if err != nil {
		return visitor{}, err
	}
	now := h.now()
	if now.After(s.ExpiresAt) || now.Sub(s.LastSeenAt) > h.opts.SessionIdle || u.Disabled {
		return visitor{}, h.db.DeleteSession(r.Context(), hash)
	}
	if now.Sub(s.LastSeenAt) > time.Minute {
		if err := h.db.TouchSession(r.Context(), hash, now); err != nil {
			h.logger(r.Context()).Warn().Err(err).Msg("touch session")
		}
	}
	return visitor{user: &u, session: &s}, nil
}

// startSession logs a browser in as u: a new session id (never one the
// browser brought along, against session fixation) and a new CSRF token.
func (h *Handler) startSession(w http.ResponseWriter, r *http.Request, u store.User) (*store.Session, error) {
	id := account.NewSecret()
	now := h.now()
	s := store.Session{
		IDHash: account.HashSecret(id), UserID: u.ID, CSRF: account.NewSecret(),
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(h.opts.SessionMax),
	}
	if err := h.db.CreateSession(r.Context(), s); err != nil {
		return nil, fmt.Errorf("portal: start session: %w", err)
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: id, Path: "/", HttpOnly: true, Secure: h.secure(r),
		SameSite: http.SameSiteLaxMode, MaxAge: int(h.opts.SessionMax.Seconds()),
	})
	return &s, nil
}

// endSession logs the browser out.
func (h *Handler) endSession(w http.ResponseWriter, r *http.Request) error {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: h.secure(r),
		SameSite: http.SameSiteLaxMode, MaxAge: -1})
	if v := visitorOf(r); v.session != nil {
		return h.db.DeleteSession(r.Context(), v.session.IDHash)
	}
	return nil
}

// secure reports whether cookies should be Secure: over TLS, behind a
// trusted proxy that says https, or when configured.
func (h *Handler) secure(r *http.Request) bool {
	if h.opts.SecureCookies || r.TLS != nil {
		return true
	}
	return h.fromTrustedProxy(r) && r.Header.Get("X-Forwarded-Proto") == "https"
}
