package index

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"
)

// Options configures Open. The zero value is ready to use.
type Options struct {
	// MaxReaders is the number of read-only connections QIDO-RS and
	// WADO-RS lookups share; 0 means max(4, GOMAXPROCS).
	MaxReaders int
	// BusyTimeout is how long a statement waits for a lock held by another
	// process (a backup, the sqlite3 shell); 0 means 5 s.
	BusyTimeout time.Duration

	// synchronous overrides PRAGMA synchronous; benchmarks compare modes.
	synchronous string
}

// DB is the index. Writes are serialised through one connection; reads use
// a pool of read-only connections and, thanks to WAL, never wait for a
// writer. A DB is safe for concurrent use.
type DB struct {
	w     *sql.DB // one read-write connection
	r     *sql.DB // read-only pool
	wsem  chan struct{}
	stmts [nStmts]*sql.Stmt // prepared on w

	// version is the last instance version committed; guarded by wsem.
	version int64

	// afterRecord, when set by a test, runs after each record that
	// PutInstances writes, inside the transaction.
	afterRecord func(i int)
}

// Open opens (creating if needed) the index at path and applies pending
// migrations. The file is in WAL mode with synchronous=FULL: a write is on
// disk when PutInstance returns, so an acknowledged STOW survives a power
// failure along with its blob (NORMAL could lose the last commits while
// the blobs, already synced, remained).
func Open(ctx context.Context, path string, opts Options) (*DB, error) {
	if path == "" || strings.HasPrefix(path, ":memory:") {
		return nil, fmt.Errorf("index: open: %w: need a file path", ErrInvalid)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("index: open: %w", err)
	}
	busy := opts.BusyTimeout
	if busy <= 0 {
		busy = 5 * time.Second
	}
	readers := opts.MaxReaders
	if readers <= 0 {
		readers = max(4, runtime.GOMAXPROCS(0))
	}
	syncMode := opts.synchronous
	if syncMode == "" {
		syncMode = "FULL"
	}
	busyMS := strconv.FormatInt(busy.Milliseconds(), 10)
	db := &DB{wsem: make(chan struct{}, 1)}
	db.w = sql.OpenDB(connector{
		dsn: fileURI(abs, url.Values{"_busy_timeout": {busyMS}, "_txlock": {"immediate"}}),
		pragmas: []string{
			// 8 KiB pages hold a typical 5 KB metadata row without
			// overflow pages; this only applies when the file is created.
			"PRAGMA page_size = 8192",
			"PRAGMA journal_mode = WAL",
			"PRAGMA synchronous = " + syncMode,
			"PRAGMA foreign_keys = ON",
			"PRAGMA cache_size = -32000",
			// Bounds the work of PRAGMA optimize on a large index.
			"PRAGMA analysis_limit = 1000",
		},
	})
	db.w.SetMaxOpenConns(1)
	db.w.SetMaxIdleConns(1)
	if err := db.init(ctx); err != nil {
		db.w.Close()
		return nil, err
	}

	db.r = sql.OpenDB(connector{
		dsn: fileURI(abs, url.Values{"_busy_timeout": {busyMS}, "mode": {"ro"}}),
		pragmas: []string{
			"PRAGMA query_only = ON",
			"PRAGMA cache_size = -8000",
			// Reads of the main file come straight from the page cache
			// of the OS, without a copy per page.
			"PRAGMA mmap_size = 1073741824",
		},
	})
	db.r.SetMaxOpenConns(readers)
	db.r.SetMaxIdleConns(readers)
	if err := db.r.PingContext(ctx); err != nil {
		db.r.Close()
		db.closeWriter()
		return nil, fmt.Errorf("index: open readers: %w", err)
	}
	return db, nil
}

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
				return fmt.Errorf("index: %s: %w", p, err)
			}
		}
		return nil
	}}
}

// init checks the writer connection, migrates and prepares statements.
func (db *DB) init(ctx context.Context) error {
	var mode string
	if err := db.w.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
		return fmt.Errorf("index: open: %w", err)
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("index: open: journal mode is %q, want wal (is the file system local?)", mode)
	}
	if err := migrate(ctx, db.w, migrations); err != nil {
		return err
	}
	if err := db.w.QueryRowContext(ctx,
		`SELECT value FROM counters WHERE name = 'instance_version'`).Scan(&db.version); err != nil {
		return fmt.Errorf("index: read version counter: %w", err)
	}
	// Refresh planner statistics that are missing or stale (cheap; see
	// https://sqlite.org/lang_analyze.html#periodically_run_pragma_optimize_).
	if _, err := db.w.ExecContext(ctx, `PRAGMA optimize=0x10002`); err != nil {
		return fmt.Errorf("index: optimize: %w", err)
	}
	for i, q := range writeSQL {
		st, err := db.w.PrepareContext(ctx, q)
		if err != nil {
			return fmt.Errorf("index: prepare statement %d: %w", i, err)
		}
		db.stmts[i] = st
	}
	return nil
}

// Close closes the index. It waits for nothing: callers stop using the DB
// first.
func (db *DB) Close() error {
	rerr := db.r.Close()
	werr := db.closeWriter()
	if err := errors.Join(rerr, werr); err != nil {
		return fmt.Errorf("index: close: %w", err)
	}
	return nil
}

func (db *DB) closeWriter() error {
	var errs []error
	for _, st := range db.stmts {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	// Statistics gathered during this run help the next one.
	_, err := db.w.Exec(`PRAGMA optimize`)
	errs = append(errs, err, db.w.Close())
	return errors.Join(errs...)
}

// Ping checks that both the writer and a reader connection respond.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.w.PingContext(ctx); err != nil {
		return fmt.Errorf("index: ping: %w", err)
	}
	if err := db.r.PingContext(ctx); err != nil {
		return fmt.Errorf("index: ping readers: %w", err)
	}
	return nil
}

// write runs fn in one write transaction, then prunes emptied rows,
// refreshes modalities and commits. Writers queue here rather than on
// SQLite's lock, so a cancelled context stops the wait.
func (db *DB) write(ctx context.Context, fn func(w *writer) error) error {
	select {
	case db.wsem <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("index: wait for writer: %w", ctx.Err())
	}
	defer func() { <-db.wsem }()

	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("index: begin: %w", err)
	}
	defer tx.Rollback() // after Commit, a no-op
	w := newWriter(ctx, db, tx)
	if err := fn(w); err != nil {
		return err
	}
	if err := w.finish(); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("index: commit: %w", err)
	}
	db.version = w.version
	return nil
}

func fileURI(path string, params url.Values) string {
	u := url.URL{Path: filepath.ToSlash(path)}
	return "file:" + u.EscapedPath() + "?" + params.Encode()
}
