package fsblob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/pacslite/pacslite/store/blob"
)

// tmpDirName holds in-flight Puts. The "~" keeps it outside the key space,
// so no key can name it and List never reports it.
const tmpDirName = ".tmp~"

// Blobs hold patient data: directories and files (os.CreateTemp makes them
// 0600) are for the server's user only.
const dirPerm = 0o700

// Store keeps blobs as files under a directory. It is safe for concurrent
// use, including by several processes sharing the directory.
type Store struct {
	dir string // absolute, cleaned
	tmp string // dir/.tmp~
}

var (
	_ blob.Store        = (*Store)(nil)
	_ blob.RangeOpener  = (*Store)(nil)
	_ blob.Stater       = (*Store)(nil)
	_ blob.Lister       = (*Store)(nil)
	_ blob.Pinger       = (*Store)(nil)
	_ blob.FileAdopter  = (*Store)(nil)
	_ blob.FilesAdopter = (*Store)(nil)
)

// New returns a Store keeping its blobs under dir, creating dir (and its
// temporary area) if needed.
func New(dir string) (*Store, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("fsblob: %w", err)
	}
	s := &Store{dir: abs, tmp: filepath.Join(abs, tmpDirName)}
	if err := os.MkdirAll(s.tmp, dirPerm); err != nil {
		return nil, fmt.Errorf("fsblob: create %s: %w", s.tmp, err)
	}
	return s, nil
}

// Dir returns the directory the store keeps its blobs under.
func (s *Store) Dir() string { return s.dir }

// path returns the file holding key, or an error wrapping blob.ErrInvalidKey.
func (s *Store) path(op, key string) (string, error) {
	if err := blob.ValidateKey(key); err != nil {
		return "", fmt.Errorf("fsblob: %s: %w", op, err)
	}
	return filepath.Join(s.dir, filepath.FromSlash(key)), nil
}

// Put stores r under key atomically and durably; see blob.Store. A key
// whose path is already a directory (because "key/x" exists), or which
// runs through an existing blob ("x/y" when "x" exists), cannot be written
// on a file system and gives an error.
func (s *Store) Put(ctx context.Context, key string, r io.Reader) (n int64, err error) {
	final, err := s.path("put", key)
	if err != nil {
		return 0, err
	}
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("fsblob: put %s: %w", key, err)
	}
	f, err := os.CreateTemp(s.tmp, "put-*")
	if err != nil {
		return 0, fmt.Errorf("fsblob: put %s: %w", key, err)
	}
	tmpName := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmpName)
		}
	}()
	n, err = io.Copy(f, ctxReader{ctx: ctx, r: r})
	if err != nil {
		return 0, fmt.Errorf("fsblob: put %s: %w", key, err)
	}
	if err = f.Sync(); err != nil {
		return 0, fmt.Errorf("fsblob: put %s: sync: %w", key, err)
	}
	if err = f.Close(); err != nil {
		return 0, fmt.Errorf("fsblob: put %s: close: %w", key, err)
	}
	if err = s.install(ctx, tmpName, final); err != nil {
		return 0, fmt.Errorf("fsblob: put %s: %w", key, err)
	}
	return n, nil
}

// install renames a synced file into place and syncs the directory: the
// step that makes a blob visible, atomically and durably.
func (s *Store) install(ctx context.Context, tmpName, final string) error {
	// Last chance to give up while the old blob is untouched.
	if err := ctx.Err(); err != nil {
		return err
	}
	parent := filepath.Dir(final)
	if err := s.mkdirs(parent); err != nil {
		return err
	}
	if err := os.Rename(tmpName, final); err != nil {
		return err
	}
	if err := syncDir(parent); err != nil {
		// The blob is in place but may not survive a crash: report it so the
		// caller does not acknowledge the store.
		return fmt.Errorf("sync dir: %w", err)
	}
	return nil
}

// mkdirs creates dir and any missing parents below s.dir, fsyncing the
// parent of each directory it creates so the new entries survive a crash.
func (s *Store) mkdirs(dir string) error {
	if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
		return nil
	}
	rel, err := filepath.Rel(s.dir, dir)
	if err != nil || rel == "." || strings.HasPrefix(rel, "..") {
		return fmt.Errorf("mkdir %s: outside store", dir)
	}
	cur := s.dir
	for _, seg := range strings.Split(rel, string(filepath.Separator)) {
		parent := cur
		cur = filepath.Join(cur, seg)
		err := os.Mkdir(cur, dirPerm)
		switch {
		case err == nil:
			if err := syncDir(parent); err != nil {
				return err
			}
		case errors.Is(err, fs.ErrExist):
			// Exists already (perhaps made by a concurrent Put); a file in
			// the way shows up as ENOTDIR at the next step or the rename.
		default:
			return err
		}
	}
	return nil
}

// Open returns the blob's file; the caller closes it.
func (s *Store) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	f, _, err := s.open("open", key)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// open opens key's file and checks it is a regular file.
func (s *Store) open(op, key string) (*os.File, int64, error) {
	p, err := s.path(op, key)
	if err != nil {
		return nil, 0, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, 0, fmt.Errorf("fsblob: %s %s: %w", op, key, notFound(err))
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("fsblob: %s %s: %w", op, key, err)
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, 0, fmt.Errorf("fsblob: %s %s: %w", op, key, blob.ErrNotFound)
	}
	return f, fi.Size(), nil
}

// Delete removes the blob's file. Emptied directories are left in place: a
// concurrent Put may be about to use them.
func (s *Store) Delete(ctx context.Context, key string) error {
	p, err := s.path("delete", key)
	if err != nil {
		return err
	}
	fi, err := os.Lstat(p)
	if err != nil {
		if errors.Is(notFound(err), blob.ErrNotFound) {
			return nil
		}
		return fmt.Errorf("fsblob: delete %s: %w", key, err)
	}
	if !fi.Mode().IsRegular() {
		return nil // a directory of other keys, not a blob
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("fsblob: delete %s: %w", key, err)
	}
	return syncDir(filepath.Dir(p))
}

// notFound turns the errors a missing key produces into blob.ErrNotFound.
// ENOTDIR means a prefix of the key is a blob, so the key itself is absent.
func notFound(err error) error {
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return blob.ErrNotFound
	}
	return err
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// ctxReader stops a copy once ctx is done, checking before every read.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
