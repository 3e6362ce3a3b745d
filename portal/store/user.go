package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Role is what an account may do.
type Role string

// The roles. API clients are not users: see Client.
const (
	RolePatient     Role = "patient"
	RoleRadiologist Role = "radiologist"
	RoleAdmin       Role = "admin"
)

// Valid reports whether r is one of the roles.
func (r Role) Valid() bool {
	return r == RolePatient || r == RoleRadiologist || r == RoleAdmin
}

// SeesAll reports whether the role sees every study in the archive.
func (r Role) SeesAll() bool { return r == RoleRadiologist || r == RoleAdmin }

// User is an account.
type User struct {
	ID                 int64
	Email              string
	Phone              string // "" when none
	Name               string
	Role               Role
	PasswordHash       string
	MustChangePassword bool
	Disabled           bool
	CreatedAt          time.Time
	PasswordChangedAt  time.Time
}

// NewUser is what CreateUser needs.
type NewUser struct {
	Email, Phone, Name string
	Role               Role
	PasswordHash       string
	MustChangePassword bool
}

const (
	userColumns  = `id, email, coalesce(phone, ''), name, role, password_hash, must_change_password, disabled, created_at, password_changed_at`
	uUserColumns = `u.id, u.email, coalesce(u.phone, ''), u.name, u.role, u.password_hash, u.must_change_password, u.disabled, u.created_at, u.password_changed_at`
)

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	var created, changed int64
	err := row.Scan(&u.ID, &u.Email, &u.Phone, &u.Name, &u.Role, &u.PasswordHash, &u.MustChangePassword, &u.Disabled, &created, &changed)
	u.CreatedAt, u.PasswordChangedAt = fromMS(created), fromMS(changed)
	return u, err
}

// CreateUser adds an account; ErrConflict when the email or phone is taken.
func (db *DB) CreateUser(ctx context.Context, n NewUser) (User, error) {
	if n.Email == "" || !n.Role.Valid() || n.PasswordHash == "" {
		return User{}, fmt.Errorf("store: create user: %w: email, role and password are required", ErrInvalid)
	}
	now := ms(db.now())
	var phone any
	if n.Phone != "" {
		phone = n.Phone
	}
	res, err := db.w.ExecContext(ctx, `INSERT INTO users (email, phone, name, role, password_hash, must_change_password, created_at, password_changed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, n.Email, phone, n.Name, n.Role, n.PasswordHash, n.MustChangePassword, now, now)
	if isUnique(err) {
		return User{}, fmt.Errorf("store: create user: %w", ErrConflict)
	}
	if err != nil {
		return User{}, fmt.Errorf("store: create user: %w", err)
	}
	id, _ := res.LastInsertId()
	return db.UserByID(ctx, id)
}

// UserByID returns an account or ErrNotFound.
func (db *DB) UserByID(ctx context.Context, id int64) (User, error) {
	u, err := scanUser(db.r.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("store: user %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("store: user %d: %w", id, err)
	}
	return u, nil
}

// UserByLogin finds an account by email (any case) or by phone, both as
// normalised by the caller; ErrNotFound when neither matches.
func (db *DB) UserByLogin(ctx context.Context, login string) (User, error) {
	if login == "" {
		return User{}, fmt.Errorf("store: user by login: %w", ErrNotFound)
	}
	u, err := scanUser(db.r.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE email = ? OR phone = ? LIMIT 1`, login, login))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("store: user by login: %w", ErrNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("store: user by login: %w", err)
	}
	return u, nil
}

// UserFilter narrows Users.
type UserFilter struct {
	Query  string // part of the email, name or phone
	Role   Role   // "" for all
	Limit  int
	Offset int
}

// Users lists accounts, newest first.
func (db *DB) Users(ctx context.Context, f UserFilter) ([]User, error) {
	where, args := []string{"1"}, []any{}
	if q := strings.TrimSpace(f.Query); q != "" {
		like := "%" + escapeLike(q) + "%"
		where = append(where, `(email LIKE ? ESCAPE '\' OR name LIKE ? ESCAPE '\' OR coalesce(phone, '') LIKE ? ESCAPE '\')`)
		args = append(args, like, like, like)
	}
	if f.Role != "" {
		where = append(where, "role = ?")
		args = append(args, f.Role)
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	args = append(args, f.Limit, f.Offset)
	rows, err := db.r.QueryContext(ctx, `SELECT `+userColumns+` FROM users WHERE `+strings.Join(where, " AND ")+
		` ORDER BY id DESC LIMIT ? OFFSET ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("store: users: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// CountUsers counts the accounts with a role ("" for all).
func (db *DB) CountUsers(ctx context.Context, role Role) (int, error) {
	var n int
	err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE ? = '' OR role = ?`, role, role).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: count users: %w", err)
	}
	return n, nil
}

// SetPassword replaces an account's password and ends all its sessions in
// the same transaction: whoever knew the old password is logged out.
func (db *DB) SetPassword(ctx context.Context, id int64, hash string, mustChange bool) error {
	return db.updateUser(ctx, id, `UPDATE users SET password_hash = ?, must_change_password = ?, password_changed_at = ? WHERE id = ?`,
		hash, mustChange, ms(db.now()), id)
}

// SetDisabled disables (ending its sessions) or enables an account.
func (db *DB) SetDisabled(ctx context.Context, id int64, disabled bool) error {
	return db.updateUser(ctx, id, `UPDATE users SET disabled = ? WHERE id = ?`, disabled, id)
}

func (db *DB) updateUser(ctx context.Context, id int64, query string, args ...any) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: update user: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("store: update user: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: update user %d: %w", id, ErrNotFound)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, id); err != nil {
		return fmt.Errorf("store: end sessions: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: update user: %w", err)
	}
	return nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
