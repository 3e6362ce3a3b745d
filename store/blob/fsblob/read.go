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

	"github.com/pacslite/pacslite/store/blob"
)

// OpenRange returns a reader of length bytes of the blob from offset (to the
// end when length < 0); past the end it reads nothing. A negative offset is
// an error. The caller closes the reader.
func (s *Store) OpenRange(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error) {
	if offset < 0 {
		return nil, fmt.Errorf("fsblob: open range %s: negative offset %d", key, offset)
	}
	f, size, err := s.open("open range", key)
	if err != nil {
		return nil, err
	}
	remain := max(size-offset, 0)
	if length >= 0 && length < remain {
		remain = length
	}
	if remain > 0 {
		if _, err := f.Seek(offset, io.SeekStart); err != nil {
			f.Close()
			return nil, fmt.Errorf("fsblob: open range %s: %w", key, err)
		}
	}
	return &rangeReader{f: f, lr: io.LimitedReader{R: f, N: remain}}, nil
}

// rangeReader reads a section of a file. It seeks and limits rather than
// using io.SectionReader because net/http sends an *io.LimitedReader over
// an *os.File with sendfile(2), and WriteTo hands it exactly that.
type rangeReader struct {
	f  *os.File
	lr io.LimitedReader
}

func (r *rangeReader) Read(p []byte) (int, error) { return r.lr.Read(p) }

// WriteTo lets io.Copy reach w's ReadFrom with the limited file itself.
func (r *rangeReader) WriteTo(w io.Writer) (int64, error) { return io.Copy(w, &r.lr) }

func (r *rangeReader) Close() error { return r.f.Close() }

// Size returns the blob's size in bytes.
func (s *Store) Size(ctx context.Context, key string) (int64, error) {
	p, err := s.path("size", key)
	if err != nil {
		return 0, err
	}
	fi, err := os.Stat(p)
	if err != nil {
		return 0, fmt.Errorf("fsblob: size %s: %w", key, notFound(err))
	}
	if !fi.Mode().IsRegular() {
		return 0, fmt.Errorf("fsblob: size %s: %w", key, blob.ErrNotFound)
	}
	return fi.Size(), nil
}

// List calls fn for every blob whose key starts with prefix. Files that are
// not valid keys (temporary files, editors' litter) are not reported.
// Blobs written or deleted during the walk may or may not be reported.
func (s *Store) List(ctx context.Context, prefix string, fn func(key string, size int64, modUnix int64) error) error {
	// Walk only the deepest directory the prefix names.
	root := s.dir
	if i := strings.LastIndexByte(prefix, '/'); i >= 0 {
		if blob.ValidateKey(prefix[:i]) != nil {
			return nil // no valid key has this prefix
		}
		root = filepath.Join(s.dir, filepath.FromSlash(prefix[:i]))
	}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // removed under us, or a prefix with no blobs
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if p == s.tmp {
			return filepath.SkipDir
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(s.dir, p)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if !strings.HasPrefix(key, prefix) || blob.ValidateKey(key) != nil {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		return fn(key, fi.Size(), fi.ModTime().Unix())
	})
	if err != nil {
		return fmt.Errorf("fsblob: list %q: %w", prefix, err)
	}
	return nil
}
