package portal

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/pacslite/pacslite/portal/account"
	"github.com/pacslite/pacslite/portal/store"
)

// signupCreate creates a patient account and logs it in. Sign-ups are
// limited per address. A taken email or phone gets a message that does not
// say which.
func (h *Handler) signupCreate(w http.ResponseWriter, r *http.Request) {
	if h.opts.DisableSignup {
		h.notFound(w, r)
		return
	}
	d := signupData{
		Name:  strings.TrimSpace(r.PostFormValue("name")),
		Email: strings.TrimSpace(r.PostFormValue("email")),
		Phone: strings.TrimSpace(r.PostFormValue("phone")),
	}
	password := r.PostFormValue("password")
	remote := h.clientAddr(r)
	if ok, wait := h.limits.signup.Allow(remote); !ok {
		d.Errors = []string{fmt.Sprintf("Too many accounts were created from this network. Try again in %s.", minutes(wait))}
		h.render(w, r, http.StatusTooManyRequests, "signup", "Create your account", d)
		return
	}
	email, emailErr := account.NormalizeEmail(d.Email)
	phone, phoneErr := account.NormalizePhone(d.Phone)
	for _, err := range []error{
		nonEmpty(d.Name, "Enter your name as it appears on your scans."),
		emailErr, phoneErr, account.CheckPolicy(password),
		same(password, r.PostFormValue("confirm"), "The two passwords differ."),
	} {
		if err != nil {
			d.Errors = append(d.Errors, err.Error())
		}
	}
	if len(d.Errors) > 0 {
		h.render(w, r, http.StatusUnprocessableEntity, "signup", "Create your account", d)
		return
	}
	hash, err := h.hasher.Hash(r.Context(), password)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	u, err := h.db.CreateUser(r.Context(), store.NewUser{Email: email, Phone: phone, Name: d.Name, Role: store.RolePatient, PasswordHash: hash})
	h.limits.signup.Add(remote)
	if errors.Is(err, store.ErrConflict) {
		d.Errors = []string{"We could not create an account with these details. If you already have one, log in, or ask support to reset your password."}
		h.render(w, r, http.StatusUnprocessableEntity, "signup", "Create your account", d)
		return
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if _, err := h.startSession(w, r, u); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.audit(r.Context(), store.Event{Actor: fmt.Sprintf("user:%d", u.ID), Role: string(u.Role), Action: "user.signup", Remote: remote})
	http.Redirect(w, r, "/studies?welcome=1", http.StatusSeeOther)
}

func nonEmpty(s, msg string) error {
	if strings.TrimSpace(s) == "" {
		return errors.New(msg)
	}
	return nil
}

func same(a, b, msg string) error {
	if a != b {
		return errors.New(msg)
	}
	return nil
}
