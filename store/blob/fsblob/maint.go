package fsblob

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Ping checks the data folder is there and writable by creating and
// removing a probe file in the temporary area.
func (s *Store) Ping(ctx context.Context) error {
	fi, err := os.Stat(s.dir)
	if err != nil {
		return fmt.Errorf("fsblob: ping: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("fsblob: ping: %s is not a directory", s.dir)
	}
	f, err := os.CreateTemp(s.tmp, "ping-*")
	if err != nil {
		return fmt.Errorf("fsblob: ping: %w", err)
	}
	_, werr := f.Write([]byte("ping"))
	cerr := f.Close()
	rerr := os.Remove(f.Name())
	if err := errors.Join(werr, cerr, rerr); err != nil {
		return fmt.Errorf("fsblob: ping: %w", err)
	}
	return nil
}

// CleanTemp removes temporary files last modified more than olderThan ago:
// the remains of Puts interrupted by a crash. A Put in progress keeps its
// file's modification time fresh only while data arrives, so olderThan must
// exceed the longest pause a live upload may take (an hour is safe); with
// no Put running, 0 removes everything.
func (s *Store) CleanTemp(olderThan time.Duration) error {
	entries, err := os.ReadDir(s.tmp)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return os.MkdirAll(s.tmp, dirPerm)
		}
		return fmt.Errorf("fsblob: clean temp: %w", err)
	}
	cutoff := time.Now().Add(-olderThan)
	var errs []error
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, err)
			}
			continue
		}
		if !fi.ModTime().Before(cutoff) && olderThan > 0 {
			continue
		}
		p := filepath.Join(s.tmp, e.Name())
		if err := os.RemoveAll(p); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("fsblob: clean temp: %w", err)
	}
	return nil
}
