package portal

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/pacslite/pacslite/portal/account"
	"github.com/pacslite/pacslite/portal/store"
)

// loginFailed is the one message for every failed login: it does not say
// whether the account exists, is disabled, or the password was wrong.
const loginFailed = "That email or phone number and password do not match an active account."

// loginCreate checks a login form and starts a session. Failures count per
// login id and per address; past the limits the form is refused for a
// while with the same message whatever the account.
func (h *Handler) loginCreate(w http.ResponseWriter, r *http.Request) {
	login, password := strings.TrimSpace(r.PostFormValue("login")), r.PostFormValue("password")
	d := loginData{Login: login, Next: r.PostFormValue("next"), Signup: !h.opts.DisableSignup}
	remote := h.clientAddr(r)
	id, _ := account.NormalizeLogin(login)
	accountKey, addressKey := "login:"+strings.ToLower(id), "addr:"+remote
	okAccount, waitAccount := h.limits.loginAccount.Allow(accountKey)
	okAddress, waitAddress := h.limits.loginAddress.Allow(addressKey)
	if !okAccount || !okAddress {
		d.Error = fmt.Sprintf("Too many attempts. Wait %s and try again, or contact support.", minutes(max(waitAccount, waitAddress)))
		h.render(w, r, http.StatusTooManyRequests, "login", "Log in", d)
		return
	}
	u, err := h.db.UserByLogin(r.Context(), id)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		h.serverError(w, r, err)
		return
	}
	ok, err := h.hasher.Verify(r.Context(), u.PasswordHash, password)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if !ok || u.Disabled {
		h.limits.loginAccount.Add(accountKey)
		h.limits.loginAddress.Add(addressKey)
		actor := "anonymous"
		if u.ID != 0 {
			actor = fmt.Sprintf("user:%d", u.ID)
		}
		h.audit(r.Context(), store.Event{Actor: actor, Role: string(u.Role), Action: "login.failed", Status: http.StatusUnauthorized, Remote: remote})
		d.Error = loginFailed
		h.render(w, r, http.StatusUnauthorized, "login", "Log in", d)
		return
	}
	h.limits.loginAccount.Reset(accountKey)
	if _, err := h.startSession(w, r, u); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.audit(r.Context(), store.Event{Actor: fmt.Sprintf("user:%d", u.ID), Role: string(u.Role), Action: "login", Status: http.StatusSeeOther, Remote: remote})
	next := safeNext(d.Next)
	if u.MustChangePassword {
		next = "/settings?must=1"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// minutes says a wait in whole minutes, at least one.
func minutes(d time.Duration) string {
	m := int((d + time.Minute - 1) / time.Minute)
	if m <= 1 {
		return "a minute"
	}
	return fmt.Sprintf("%d minutes", m)
}
