package fsblob

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"

	"github.com/pacslite/pacslite/store/blob"
)

// syncWorkers bounds the fsyncs AdoptFiles runs at once: enough to keep
// several files' writeback in the disk's queue, few enough not to tie up
// many threads.
const syncWorkers = 8

// AdoptFile renames a complete file (on the same file system) into place
// as the blob under key; see blob.FileAdopter. The file is synced first, so
// the caller need not.
func (s *Store) AdoptFile(ctx context.Context, key, path string) (int64, error) {
	final, err := s.path("adopt", key)
	if err != nil {
		return 0, err
	}
	size, err := syncFile(path)
	if err != nil {
		return 0, fmt.Errorf("fsblob: adopt %s: %w", key, err)
	}
	if err := s.install(ctx, path, final); err != nil {
		return 0, fmt.Errorf("fsblob: adopt %s: %w", key, cannotAdopt(err))
	}
	return size, nil
}

// AdoptFiles adopts many files with AdoptFile's guarantees; see
// blob.FilesAdopter. The files are synced syncWorkers at a time, renamed
// into place, and each directory that received one is synced once, after
// all its renames: two waits for the disk per call instead of two per file.
func (s *Store) AdoptFiles(ctx context.Context, files []blob.Adoption) []error {
	errs := make([]error, len(files))
	finals := make([]string, len(files))
	for i, f := range files {
		finals[i], errs[i] = s.path("adopt", f.Key)
	}
	parallel(len(files), syncWorkers, func(i int) {
		if errs[i] == nil {
			_, errs[i] = syncFile(files[i].Path)
		}
	})

	// Renames are cheap metadata updates; the directory syncs below make
	// them durable.
	inDir := map[string][]int{}
	for i, f := range files {
		if errs[i] != nil {
			continue
		}
		// Last chance to give up while the old blob is untouched.
		if err := ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		parent := filepath.Dir(finals[i])
		if err := s.mkdirs(parent); err != nil {
			errs[i] = err
			continue
		}
		if err := os.Rename(f.Path, finals[i]); err != nil {
			errs[i] = cannotAdopt(err)
			continue
		}
		inDir[parent] = append(inDir[parent], i)
	}
	dirs := make([]string, 0, len(inDir))
	for d := range inDir {
		dirs = append(dirs, d)
	}
	parallel(len(dirs), syncWorkers, func(j int) {
		if err := syncDir(dirs[j]); err != nil {
			// The blobs are in place but may not survive a crash: report
			// them so the caller does not acknowledge them.
			for _, i := range inDir[dirs[j]] {
				errs[i] = fmt.Errorf("sync dir: %w", err)
			}
		}
	})
	for i, err := range errs {
		if err != nil && !errors.Is(err, blob.ErrInvalidKey) {
			errs[i] = fmt.Errorf("fsblob: adopt %s: %w", files[i].Key, err)
		}
	}
	return errs
}

// syncFile flushes a regular file's data to disk and returns its size.
func syncFile(path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = fmt.Errorf("%s is not a regular file: %w", path, blob.ErrCannotAdopt)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

// cannotAdopt marks a rename across file systems as blob.ErrCannotAdopt,
// so that the caller copies the file instead.
func cannotAdopt(err error) error {
	if errors.Is(err, syscall.EXDEV) {
		return fmt.Errorf("%w: %w", blob.ErrCannotAdopt, err)
	}
	return err
}

// parallel calls fn(0) ... fn(n-1), at most workers at a time, and returns
// when all have returned.
func parallel(n, workers int, fn func(i int)) {
	if n <= 1 {
		if n == 1 {
			fn(0)
		}
		return
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(n, workers) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				fn(i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}
