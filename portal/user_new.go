package portal

import (
	"net/http"

	"github.com/pacslite/pacslite/portal/store"
)

// userFormData is what the new-account form shows.
type userFormData struct {
	Name, Email, Phone string
	Role               store.Role
	Roles              []store.Role
	Errors             []string
}

// userNew is the form where admins create accounts of any role.
func (h *Handler) userNew(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "admin_user_new", "New account", userFormData{Role: store.RoleRadiologist, Roles: allRoles})
}
