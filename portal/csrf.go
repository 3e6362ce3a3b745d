package portal

import (
	"crypto/subtle"
	"net/http"

	"github.com/pacslite/pacslite/portal/account"
)

// Every form carries a CSRF token in the field "csrf"; scripts send it in
// the header X-CSRF-Token (read from <meta name="csrf-token">). Logged in,
// the token is the session's own, kept server-side. Before login (the login,
// sign-up and support forms) it is a random value also set in a cookie
// (double submit), so that nobody can log a victim into an account of
// theirs. Go's CrossOriginProtection also refuses cross-site form posts
// by their Sec-Fetch-Site and Origin headers.
const (
	csrfField      = "csrf"
	csrfHeader     = "X-CSRF-Token"
	preLoginCookie = "pacslite_csrf"
)

// csrfToken returns the token the page being rendered must embed, setting
// the pre-login cookie when the visitor has neither session nor cookie.
func (h *Handler) csrfToken(w http.ResponseWriter, r *http.Request) string {
	if v := visitorOf(r); v.session != nil {
		return v.session.CSRF
	}
	if c, err := r.Cookie(preLoginCookie); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	tok := account.NewSecret()
	http.SetCookie(w, &http.Cookie{Name: preLoginCookie, Value: tok, Path: "/", HttpOnly: true,
		Secure: h.secure(r), SameSite: http.SameSiteLaxMode})
	// Later renders in this request (an error page) must agree.
	r.AddCookie(&http.Cookie{Name: preLoginCookie, Value: tok})
	return tok
}

// validCSRF checks the token an unsafe request carries.
func (h *Handler) validCSRF(r *http.Request) bool {
	got := r.Header.Get(csrfHeader)
	if got == "" {
		got = r.PostFormValue(csrfField)
	}
	want := ""
	if v := visitorOf(r); v.session != nil {
		want = v.session.CSRF
	} else if c, err := r.Cookie(preLoginCookie); err == nil {
		want = c.Value
	}
	return len(want) >= 32 && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}
