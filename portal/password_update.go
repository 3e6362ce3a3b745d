package portal

import (
	"fmt"
	"net/http"

	"github.com/pacslite/pacslite/portal/account"
	"github.com/pacslite/pacslite/portal/store"
)

// passwordUpdate changes the visitor's own password. Every session of the
// account ends, this one included; the browser gets a fresh session, so
// only whoever knew the old password is logged out.
func (h *Handler) passwordUpdate(w http.ResponseWriter, r *http.Request) {
	v := visitorOf(r)
	current, password := r.PostFormValue("current"), r.PostFormValue("password")
	d := settingsData{Must: v.user.MustChangePassword}
	key := fmt.Sprintf("change:%d", v.user.ID)
	if ok, wait := h.limits.loginAccount.Allow(key); !ok {
		d.Errors = []string{fmt.Sprintf("Too many attempts. Wait %s and try again.", minutes(wait))}
		h.render(w, r, http.StatusTooManyRequests, "settings", "Settings", d)
		return
	}
	ok, err := h.hasher.Verify(r.Context(), v.user.PasswordHash, current)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if !ok {
		h.limits.loginAccount.Add(key)
		d.Errors = append(d.Errors, "Your current password is not right.")
	}
	for _, err := range []error{account.CheckPolicy(password), same(password, r.PostFormValue("confirm"), "The two new passwords differ.")} {
		if err != nil {
			d.Errors = append(d.Errors, err.Error())
		}
	}
	if ok && password == current {
		d.Errors = append(d.Errors, "Choose a password different from the current one.")
	}
	if len(d.Errors) > 0 {
		h.render(w, r, http.StatusUnprocessableEntity, "settings", "Settings", d)
		return
	}
	hash, err := h.hasher.Hash(r.Context(), password)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if err := h.db.SetPassword(r.Context(), v.user.ID, hash, false); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.limits.loginAccount.Reset(key)
	u := *v.user
	u.MustChangePassword = false
	if _, err := h.startSession(w, r, u); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.audit(r.Context(), store.Event{Actor: userPrincipal(v.user, v.session).actor, Role: string(v.user.Role),
		Action: "user.password_change", Status: http.StatusSeeOther, Remote: h.clientAddr(r)})
	http.Redirect(w, r, "/settings?changed=1", http.StatusSeeOther)
}
