package portal

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/pacslite/pacslite/portal/account"
	"github.com/pacslite/pacslite/portal/store"
)

// oneTimeData shows a one-time password to the admin who made it, once.
type oneTimeData struct {
	User     store.User
	Password string
	Created  bool
}

// userCreate creates an account with a one-time password that the new
// user must change at first login.
func (h *Handler) userCreate(w http.ResponseWriter, r *http.Request) {
	v := visitorOf(r)
	d := userFormData{
		Name:  strings.TrimSpace(r.PostFormValue("name")),
		Email: strings.TrimSpace(r.PostFormValue("email")),
		Phone: strings.TrimSpace(r.PostFormValue("phone")),
		Role:  store.Role(r.PostFormValue("role")),
		Roles: allRoles,
	}
	email, emailErr := account.NormalizeEmail(d.Email)
	phone, phoneErr := account.NormalizePhone(d.Phone)
	var roleErr error
	if !d.Role.Valid() {
		roleErr = errors.New("choose a role")
	}
	for _, err := range []error{nonEmpty(d.Name, "Enter a name."), emailErr, phoneErr, roleErr} {
		if err != nil {
			d.Errors = append(d.Errors, err.Error())
		}
	}
	if len(d.Errors) > 0 {
		h.render(w, r, http.StatusUnprocessableEntity, "admin_user_new", "New account", d)
		return
	}
	password := account.NewPassword()
	hash, err := h.hasher.Hash(r.Context(), password)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	u, err := h.db.CreateUser(r.Context(), store.NewUser{Email: email, Phone: phone, Name: d.Name, Role: d.Role,
		PasswordHash: hash, MustChangePassword: true})
	if errors.Is(err, store.ErrConflict) {
		d.Errors = []string{"An account with this email or phone number exists already."}
		h.render(w, r, http.StatusConflict, "admin_user_new", "New account", d)
		return
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.audit(r.Context(), store.Event{Actor: userPrincipal(v.user, v.session).actor, Role: string(v.user.Role), Action: "user.create",
		Detail: fmt.Sprintf("user:%d role:%s", u.ID, u.Role), Status: http.StatusOK, Remote: h.clientAddr(r)})
	h.render(w, r, http.StatusOK, "admin_password", "Account created", oneTimeData{User: u, Password: password, Created: true})
}
