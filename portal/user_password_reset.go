package portal

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/pacslite/pacslite/portal/account"
	"github.com/pacslite/pacslite/portal/store"
)

// userPasswordReset gives an account a new one-time password, shown once
// to the admin, and logs it out everywhere. The user must choose a new
// password at the next login.
func (h *Handler) userPasswordReset(w http.ResponseWriter, r *http.Request) {
	v := visitorOf(r)
	u, ok := h.userFromPath(w, r)
	if !ok {
		return
	}
	password := account.NewPassword()
	hash, err := h.hasher.Hash(r.Context(), password)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if err := h.db.SetPassword(r.Context(), u.ID, hash, true); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.audit(r.Context(), store.Event{Actor: userPrincipal(v.user, v.session).actor, Role: string(v.user.Role), Action: "user.password_reset",
		Detail: fmt.Sprintf("user:%d", u.ID), Status: http.StatusOK, Remote: h.clientAddr(r)})
	if u.ID == v.user.ID {
		// Resetting one's own password ends one's own session too.
		h.endSession(w, r)
	}
	h.render(w, r, http.StatusOK, "admin_password", "Password reset", oneTimeData{User: u, Password: password})
}

// userFromPath loads the account named by the {id} of the path, answering
// 404 itself when there is none.
func (h *Handler) userFromPath(w http.ResponseWriter, r *http.Request) (store.User, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.notFound(w, r)
		return store.User{}, false
	}
	u, err := h.db.UserByID(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		h.notFound(w, r)
		return store.User{}, false
	}
	if err != nil {
		h.serverError(w, r, err)
		return store.User{}, false
	}
	return u, true
}
