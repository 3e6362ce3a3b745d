package fsck

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"strings"
	"time"

	"github.com/pacslite/pacslite/store/blob"
	"github.com/pacslite/pacslite/store/index"
)

// Options configures Check.
type Options struct {
	// Prefix limits the check to blobs whose keys start with it, such as
	// the archive's "instances/": blobs outside it are neither listed nor
	// deleted, and index rows pointing outside it are not checked.
	Prefix string
	// Grace is how old an unreferenced blob must be to count as an orphan;
	// see the package documentation. 0 treats every unreferenced blob as
	// an orphan: only for a store no server is writing to.
	Grace time.Duration
	// Repair deletes the orphans found.
	Repair bool
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Blob is one blob Check reports.
type Blob struct {
	Key     string
	Size    int64
	ModTime time.Time
}

// Report is what Check found and did.
type Report struct {
	Blobs int // blobs listed under the prefix
	Rows  int // index rows checked
	// Orphans are blobs no index row points at, older than the grace
	// period. With Repair, the ones deleted are also in Removed.
	Orphans []Blob
	// Removed are the orphans deleted (Repair only).
	Removed []Blob
	// Young counts unreferenced blobs within the grace period, left alone:
	// uploads in progress, or orphans too recent to judge.
	Young int
	// Missing are the blob keys of index rows whose blob does not exist.
	Missing []string
}

// Consistent reports whether the store needs no attention: no blob is
// missing and no orphan remains.
func (r Report) Consistent() bool {
	return len(r.Missing) == 0 && len(r.Orphans) == len(r.Removed)
}

// referenced marks, in the map of listed blobs, a blob an index row
// points at; other entries hold the blob's modification time.
const referenced = int64(-1 << 63)

// Check compares the index with the blob store, which must implement
// blob.Lister, and with opts.Repair deletes the orphans it finds. It
// returns the first listing, index or deletion error along with what it
// had found so far.
func Check(ctx context.Context, idx *index.DB, blobs blob.Store, opts Options) (Report, error) {
	var rep Report
	lister, ok := blobs.(blob.Lister)
	if !ok {
		return rep, fmt.Errorf("fsck: the blob store (%T) cannot list its blobs", blobs)
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	cutoff := now().Add(-opts.Grace).Unix()
	seed := maphash.MakeSeed()
	hash := func(key string) uint64 { return maphash.String(seed, key) }

	// 1. Every blob, before reading the index: a blob written after this
	// is either seen in step 3 or too young to touch.
	seen := make(map[uint64]int64)
	err := lister.List(ctx, opts.Prefix, func(key string, _ int64, mod int64) error {
		rep.Blobs++
		seen[hash(key)] = mod
		return nil
	})
	if err != nil {
		return rep, fmt.Errorf("fsck: list blobs: %w", err)
	}

	// 2. Every index row: mark its blob, or note it may be missing.
	var unseen []string
	err = idx.AllBlobKeys(ctx, func(key string) error {
		if !strings.HasPrefix(key, opts.Prefix) {
			return nil
		}
		rep.Rows++
		h := hash(key)
		if _, ok := seen[h]; ok {
			seen[h] = referenced
		} else {
			unseen = append(unseen, key)
		}
		return nil
	})
	if err != nil {
		return rep, fmt.Errorf("fsck: read index: %w", err)
	}
	if rep.Missing, err = confirmMissing(ctx, idx, blobs, unseen); err != nil {
		return rep, err
	}

	// 3. Unreferenced blobs, with their current modification times.
	err = lister.List(ctx, opts.Prefix, func(key string, size int64, mod int64) error {
		v, ok := seen[hash(key)]
		switch {
		case !ok || v == referenced:
			// Written since step 1, or in use.
		case mod > cutoff:
			rep.Young++
		default:
			rep.Orphans = append(rep.Orphans, Blob{Key: key, Size: size, ModTime: time.Unix(mod, 0)})
		}
		return nil
	})
	if err != nil {
		return rep, fmt.Errorf("fsck: list blobs again: %w", err)
	}
	if !opts.Repair {
		return rep, nil
	}

	// 4. Delete each orphan unless it changed since step 3.
	for _, o := range rep.Orphans {
		mod, exists, err := modTime(ctx, lister, o.Key)
		if err != nil {
			return rep, err
		}
		if !exists || mod != o.ModTime.Unix() || mod > cutoff {
			continue // gone, or rewritten: a STOW may be about to index it
		}
		if err := blobs.Delete(ctx, o.Key); err != nil {
			return rep, fmt.Errorf("fsck: delete orphan: %w", err)
		}
		rep.Removed = append(rep.Removed, o)
	}
	return rep, nil
}

// confirmMissing returns the keys of unseen (index keys not listed) whose
// blob really is missing and that an index row still points at: a blob
// written after the listing, or a row deleted (with its blob) after the
// index was read, is not missing.
func confirmMissing(ctx context.Context, idx *index.DB, blobs blob.Store, unseen []string) ([]string, error) {
	absent := make(map[string]bool)
	for _, key := range unseen {
		ok, err := exists(ctx, blobs, key)
		if err != nil {
			return nil, err
		}
		if !ok {
			absent[key] = true
		}
	}
	if len(absent) == 0 {
		return nil, nil
	}
	var missing []string
	err := idx.AllBlobKeys(ctx, func(key string) error {
		if absent[key] {
			missing = append(missing, key)
			delete(absent, key)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("fsck: read index again: %w", err)
	}
	return missing, nil
}

// exists reports whether the blob at key exists.
func exists(ctx context.Context, blobs blob.Store, key string) (bool, error) {
	var err error
	if st, ok := blobs.(blob.Stater); ok {
		_, err = st.Size(ctx, key)
	} else {
		var rc io.ReadCloser
		if rc, err = blobs.Open(ctx, key); err == nil {
			rc.Close()
		}
	}
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, blob.ErrNotFound), errors.Is(err, blob.ErrInvalidKey):
		return false, nil
	}
	return false, fmt.Errorf("fsck: check blob: %w", err)
}

// modTime returns the current modification time of the blob at key.
func modTime(ctx context.Context, l blob.Lister, key string) (mod int64, found bool, err error) {
	err = l.List(ctx, key, func(k string, _ int64, m int64) error {
		if k == key {
			mod, found = m, true
		}
		return nil
	})
	if err != nil {
		return 0, false, fmt.Errorf("fsck: look at orphan: %w", err)
	}
	return mod, found, nil
}
