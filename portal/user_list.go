package portal

import (
	"net/http"
	"strings"

	"github.com/pacslite/pacslite/portal/store"
)

// userListData is what the users page shows.
type userListData struct {
	Users  []store.User
	Query  string
	Role   string
	Roles  []store.Role
	MeID   int64
	Notice string
}

var allRoles = []store.Role{store.RolePatient, store.RoleRadiologist, store.RoleAdmin}

// userList is the admin's list of accounts, searchable by email, name or
// phone and filtered by role.
func (h *Handler) userList(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	role := store.Role(r.URL.Query().Get("role"))
	if !role.Valid() {
		role = ""
	}
	users, err := h.db.Users(r.Context(), store.UserFilter{Query: q, Role: role, Limit: 200})
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	d := userListData{Users: users, Query: q, Role: string(role), Roles: allRoles, MeID: visitorOf(r).user.ID}
	switch r.URL.Query().Get("notice") {
	case "disabled":
		d.Notice = "The account was disabled and logged out everywhere."
	case "enabled":
		d.Notice = "The account was enabled."
	}
	h.render(w, r, http.StatusOK, "admin_users", "Users", d)
}
