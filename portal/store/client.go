package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Client is an API client (a hospital PACS, an external viewer, a script)
// that reaches DICOMweb with a secret: as a bearer token, or as the
// password of HTTP Basic with the client's name as the user name.
type Client struct {
	ID         int64
	Name       string
	Scopes     []string
	SecretHash string
	CreatedBy  string
	CreatedAt  time.Time
	LastUsedAt time.Time // zero when never used
	RevokedAt  time.Time // zero while valid
}

// HasScope reports whether the client was granted scope.
func (c Client) HasScope(scope string) bool {
	for _, s := range c.Scopes {
		if s == scope {
			return true
		}
	}
	return false
}

const clientColumns = `id, name, scopes, secret_hash, created_by, created_at, last_used_at, revoked_at`

func scanClient(row interface{ Scan(...any) error }) (Client, error) {
	var c Client
	var scopes string
	var created int64
	var used, revoked sql.NullInt64
	if err := row.Scan(&c.ID, &c.Name, &scopes, &c.SecretHash, &c.CreatedBy, &created, &used, &revoked); err != nil {
		return Client{}, err
	}
	c.Scopes = strings.Fields(scopes)
	c.CreatedAt, c.LastUsedAt, c.RevokedAt = fromMS(created), nullMS(used), nullMS(revoked)
	return c, nil
}

// CreateClient stores a new client; ErrConflict when the name is taken.
func (db *DB) CreateClient(ctx context.Context, name string, scopes []string, secretHash, createdBy string) (Client, error) {
	if name == "" || len(scopes) == 0 || secretHash == "" {
		return Client{}, fmt.Errorf("store: create client: %w: name, scopes and secret are required", ErrInvalid)
	}
	res, err := db.w.ExecContext(ctx, `INSERT INTO api_clients (name, scopes, secret_hash, created_by, created_at) VALUES (?, ?, ?, ?, ?)`,
		name, strings.Join(scopes, " "), secretHash, createdBy, ms(db.now()))
	if isUnique(err) {
		return Client{}, fmt.Errorf("store: create client: %w", ErrConflict)
	}
	if err != nil {
		return Client{}, fmt.Errorf("store: create client: %w", err)
	}
	id, _ := res.LastInsertId()
	c, err := scanClient(db.w.QueryRowContext(ctx, `SELECT `+clientColumns+` FROM api_clients WHERE id = ?`, id))
	if err != nil {
		return Client{}, fmt.Errorf("store: create client: %w", err)
	}
	return c, nil
}

// ClientBySecretHash returns the valid (not revoked) client holding a
// secret, or ErrNotFound.
func (db *DB) ClientBySecretHash(ctx context.Context, hash string) (Client, error) {
	c, err := scanClient(db.r.QueryRowContext(ctx, `SELECT `+clientColumns+` FROM api_clients WHERE secret_hash = ? AND revoked_at IS NULL`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return Client{}, fmt.Errorf("store: client: %w", ErrNotFound)
	}
	if err != nil {
		return Client{}, fmt.Errorf("store: client: %w", err)
	}
	return c, nil
}

// Clients lists every client, revoked ones included, newest first.
func (db *DB) Clients(ctx context.Context) ([]Client, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+clientColumns+` FROM api_clients ORDER BY id DESC`)
	if err != nil {
		return nil, fmt.Errorf("store: clients: %w", err)
	}
	defer rows.Close()
	var out []Client
	for rows.Next() {
		c, err := scanClient(rows)
		if err != nil {
			return nil, fmt.Errorf("store: clients: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// RevokeClient makes a client's secret useless at once.
func (db *DB) RevokeClient(ctx context.Context, id int64) error {
	res, err := db.w.ExecContext(ctx, `UPDATE api_clients SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, ms(db.now()), id)
	if err != nil {
		return fmt.Errorf("store: revoke client: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: revoke client %d: %w", id, ErrNotFound)
	}
	return nil
}

// TouchClient records that a client was used, at most once a minute.
func (db *DB) TouchClient(ctx context.Context, id int64) error {
	now := db.now()
	_, err := db.w.ExecContext(ctx, `UPDATE api_clients SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`,
		ms(now), id, ms(now.Add(-time.Minute)))
	if err != nil {
		return fmt.Errorf("store: touch client: %w", err)
	}
	return nil
}
