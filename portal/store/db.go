package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"time"

	"github.com/mattn/go-sqlite3"
)

// Errors callers may check with errors.Is.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("already exists")
	ErrInvalid  = errors.New("invalid")
)

// DB is the portal database. Writes go through one connection, reads
// through a pool that WAL lets run beside the writer. Safe for concurrent
// use.
type DB struct {
	w   *sql.DB
	r   *sql.DB
	now func() time.Time
}

// Open opens (creating if needed) the database at path and applies pending
// migrations. synchronous=NORMAL in WAL mode keeps the file consistent
// after any crash; only the last commits before a power failure can be
// lost, a fair price for an audit row on every frame a viewer fetches.
func Open(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, fmt.Errorf("store: open: %w: need a file path", ErrInvalid)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("store: open: %w", err)
	}
	db := &DB{now: time.Now}
	db.w = sql.OpenDB(connector{
		dsn: fileURI(abs, url.Values{"_busy_timeout": {"5000"}, "_txlock": {"immediate"}}),
		pragmas: []string{
			"PRAGMA journal_mode = WAL",
			"PRAGMA synchronous = NORMAL",
			"PRAGMA foreign_keys = ON",
		},
	})
	db.w.SetMaxOpenConns(1)
	db.w.SetMaxIdleConns(1)
	db.w.SetConnMaxLifetime(0)
	if err := migrate(ctx, db.w); err != nil {
		db.w.Close()
		return nil, err
	}
	db.r = sql.OpenDB(connector{
		dsn:     fileURI(abs, url.Values{"_busy_timeout": {"5000"}, "mode": {"ro"}}),
		pragmas: []string{"PRAGMA query_only = ON", "PRAGMA foreign_keys = ON"},
	})
	db.r.SetMaxOpenConns(4)
	db.r.SetMaxIdleConns(4)
	if err := db.r.PingContext(ctx); err != nil {
		db.r.Close()
		db.w.Close()
		return nil, fmt.Errorf("store: open readers: %w", err)
	}
	return db, nil
}

// Close closes the database.
func (db *DB) Close() error {
	return errors.Join(db.r.Close(), db.w.Close())
}

// SetClock replaces time.Now, for tests of expiry.
func (db *DB) SetClock(now func() time.Time) { db.now = now }

// connector opens SQLite connections and runs setup statements on each,
// without registering a driver name for the whole program.
type connector struct {
	dsn     string
	pragmas []string
}

func (c connector) Connect(context.Context) (driver.Conn, error) { return c.Driver().Open(c.dsn) }

func (c connector) Driver() driver.Driver {
	return &sqlite3.SQLiteDriver{ConnectHook: func(conn *sqlite3.SQLiteConn) error {
		for _, p := range c.pragmas {
			if _, err := conn.Exec(p, nil); err != nil {
				return fmt.Errorf("store: %s: %w", p, err)
			}
		}
		return nil
	}}
}

func fileURI(path string, params url.Values) string {
	u := url.URL{Path: filepath.ToSlash(path)}
	return "file:" + u.EscapedPath() + "?" + params.Encode()
}

// isUnique reports whether err is a UNIQUE constraint violation.
func isUnique(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintUnique
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v) }

func nullMS(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.UnixMilli(v.Int64)
}
