package portal

import (
	"context"
	"fmt"

	"github.com/pacslite/pacslite/portal/account"
	"github.com/pacslite/pacslite/portal/store"
)

// DefaultAdminEmail is the first admin's login when none is configured.
const DefaultAdminEmail = "admin@localhost"

// EnsureAdmin creates the first admin account when there is no admin yet.
// With a password, the account uses it; without, it gets a one-time
// password, returned here to be shown once, that must be changed at first
// login. When an admin exists it does nothing and returns "".
func EnsureAdmin(ctx context.Context, db *store.DB, hasher *account.Hasher, email, password string) (created bool, oneTime string, err error) {
	n, err := db.CountUsers(ctx, store.RoleAdmin)
	if err != nil || n > 0 {
		return false, "", err
	}
	if email == "" {
		email = DefaultAdminEmail
	}
	if email, err = account.NormalizeEmail(email); err != nil {
		return false, "", fmt.Errorf("portal: first admin: %q: %w", email, err)
	}
	must := password == ""
	if must {
		password = account.NewPassword()
		oneTime = password
	} else if err := account.CheckPolicy(password); err != nil {
		return false, "", fmt.Errorf("portal: first admin password: %w", err)
	}
	hash, err := hasher.Hash(ctx, password)
	if err != nil {
		return false, "", err
	}
	u, err := db.CreateUser(ctx, store.NewUser{Email: email, Name: "Administrator", Role: store.RoleAdmin, PasswordHash: hash, MustChangePassword: must})
	if err != nil {
		return false, "", fmt.Errorf("portal: first admin: %w", err)
	}
	if err := db.Record(ctx, store.Event{Actor: "system", Role: "system", Action: "user.create", Detail: fmt.Sprintf("user:%d role:admin", u.ID)}); err != nil {
		return false, "", err
	}
	return true, oneTime, nil
}
