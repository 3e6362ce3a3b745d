package portal

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/pacslite/pacslite/portal/account"
	"github.com/pacslite/pacslite/portal/store"
)

// clientName is what API client names look like: they are Basic user
// names too, so no colon.
var clientName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// ParseScopes reads a comma-separated list of scopes.
func ParseScopes(s string) ([]string, error) {
	var out []string
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if p == "" || slices.Contains(out, p) {
			continue
		}
		if !slices.Contains(Scopes, p) {
			return nil, fmt.Errorf("unknown scope %q (known: %s)", p, strings.Join(Scopes, ", "))
		}
		out = append(out, p)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no scope given (known: %s)", strings.Join(Scopes, ", "))
	}
	return out, nil
}

// CreateAPIClient creates an API client and returns its token, which is
// not stored anywhere: show it once. createdBy is an actor ("user:1",
// "cli"). The admin pages and `pacslite token create` both use it.
func CreateAPIClient(ctx context.Context, db *store.DB, name string, scopes []string, createdBy string) (string, store.Client, error) {
	if !clientName.MatchString(name) {
		return "", store.Client{}, fmt.Errorf("portal: name %q: use 1-64 letters, digits, dots, dashes and underscores: %w", name, store.ErrInvalid)
	}
	for _, s := range scopes {
		if !slices.Contains(Scopes, s) {
			return "", store.Client{}, fmt.Errorf("portal: unknown scope %q: %w", s, store.ErrInvalid)
		}
	}
	token := account.NewToken()
	c, err := db.CreateClient(ctx, name, scopes, account.HashSecret(token), createdBy)
	if err != nil {
		return "", store.Client{}, err
	}
	if err := db.Record(ctx, store.Event{Actor: createdBy, Role: "admin", Action: "token.create",
		Detail: fmt.Sprintf("client:%d scopes:%s", c.ID, strings.Join(scopes, ","))}); err != nil {
		return "", store.Client{}, err
	}
	return token, c, nil
}
