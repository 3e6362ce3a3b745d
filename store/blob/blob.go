// Package blob defines how the archive keeps instance files: a flat
// namespace of keys mapping to immutable byte streams. Backends live in
// sub-packages (fsblob, the embedded default; s3blob later) and all pass the
// conformance suite in blobtest.
package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ErrNotFound is returned (wrapped) when a key has no blob.
var ErrNotFound = errors.New("blob: not found")

// ErrInvalidKey is returned for keys that are empty, absolute, contain ".."
// or characters outside [A-Za-z0-9._/-].
var ErrInvalidKey = errors.New("blob: invalid key")

// Store keeps blobs. Implementations are safe for concurrent use.
type Store interface {
	// Put stores everything read from r under key, replacing any blob already
	// there. The new blob becomes visible only once complete and durable:
	// a reader sees the old blob or the new one, never a mix, and a Put
	// that fails (read error, cancelled ctx) leaves the old blob in place.
	// It returns the number of bytes stored.
	Put(ctx context.Context, key string, r io.Reader) (int64, error)
	// Open returns a reader of the whole blob; the caller closes it.
	// A missing key gives an error wrapping ErrNotFound.
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	// Delete removes the blob. Deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
}

// RangeOpener is implemented by stores that can read part of a blob
// without reading the rest.
type RangeOpener interface {
	// OpenRange returns a reader of length bytes starting at offset (fewer
	// if the blob ends first); length < 0 reads to the end. The caller
	// closes it. A missing key gives an error wrapping ErrNotFound.
	OpenRange(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error)
}

// Stater is implemented by stores that can report a blob's size.
type Stater interface {
	// Size returns the size of the blob in bytes, or an error wrapping
	// ErrNotFound.
	Size(ctx context.Context, key string) (int64, error)
}

// Lister is implemented by stores that can enumerate keys, for fsck and
// orphan sweeps.
type Lister interface {
	// List calls fn for every key with the given prefix, in no particular
	// order, with the blob's size and modification time (Unix seconds).
	// It stops and returns fn's first error.
	List(ctx context.Context, prefix string, fn func(key string, size int64, modUnix int64) error) error
}

// Pinger is implemented by stores that can check they are reachable (and
// writable) without touching data, for /readyz.
type Pinger interface {
	Ping(ctx context.Context) error
}

// MaxKeyLen is the longest key any Store accepts, in bytes.
const MaxKeyLen = 1024

// maxSegmentLen keeps every key segment a legal file name on common file
// systems (NAME_MAX is 255 on ext4, XFS, APFS and NTFS).
const maxSegmentLen = 255

// ValidateKey returns an error wrapping ErrInvalidKey unless key is a
// relative, slash-separated path of 1 to MaxKeyLen bytes whose segments are
// non-empty, at most 255 bytes, not "." and made only of [A-Za-z0-9._-], with
// ".." nowhere in the key. Every backend applies the same rules so that a key
// valid on one is valid on all.
func ValidateKey(key string) error {
	if key == "" || len(key) > MaxKeyLen {
		return fmt.Errorf("%w: length %d", ErrInvalidKey, len(key))
	}
	if strings.Contains(key, "..") {
		return fmt.Errorf("%w: contains \"..\"", ErrInvalidKey)
	}
	for _, seg := range strings.Split(key, "/") {
		if seg == "" || seg == "." || len(seg) > maxSegmentLen {
			return fmt.Errorf("%w: bad segment %q", ErrInvalidKey, seg)
		}
		for i := 0; i < len(seg); i++ {
			if !keyByte(seg[i]) {
				return fmt.Errorf("%w: byte %#x", ErrInvalidKey, seg[i])
			}
		}
	}
	return nil
}

func keyByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '.' || c == '_' || c == '-'
}

// ErrCannotAdopt is returned (wrapped) by AdoptFile when the file cannot be
// taken over without copying (e.g. it is on another file system); the
// caller then falls back to Put.
var ErrCannotAdopt = errors.New("blob: cannot adopt file")

// FileAdopter is implemented by stores that can take a complete local file
// as a blob without copying it (the filesystem store renames it into place).
type FileAdopter interface {
	// AdoptFile makes the file at path the blob under key, with the same
	// guarantees as Put (atomic, durable, replaces any old blob), and
	// returns its size. On success the file is gone from path. On failure
	// the file is left at path and the old blob in place.
	AdoptFile(ctx context.Context, key, path string) (int64, error)
}

// Adoption names one file for FilesAdopter.AdoptFiles to take as the blob
// under Key.
type Adoption struct {
	Key, Path string
}

// FilesAdopter is implemented by stores that adopt many files at once more
// cheaply than one AdoptFile call each: the filesystem store syncs the
// files in parallel and each directory once, so a STOW-RS request of many
// instances waits for the disk a few times instead of twice per instance.
type FilesAdopter interface {
	// AdoptFiles does what AdoptFile does for every file and returns one
	// error per file (errs[i] for files[i], nil where it succeeded); a
	// failure of one file leaves the others adopted. A file that cannot be
	// taken over without copying gives an error wrapping ErrCannotAdopt,
	// for the caller to Put instead. Every blob is durable when it returns.
	AdoptFiles(ctx context.Context, files []Adoption) (errs []error)
}
