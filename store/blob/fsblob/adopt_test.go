package fsblob

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pacslite/pacslite/store/blob"
)

func TestAdoptFiles(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	if _, err := s.Put(ctx, "a/old", strings.NewReader("old")); err != nil {
		t.Fatal(err)
	}
	// "x" is a blob, so "x/y" cannot be a file: its adoption fails alone.
	if _, err := s.Put(ctx, "x", strings.NewReader("x")); err != nil {
		t.Fatal(err)
	}
	srcDir := t.TempDir()
	spool := func(name, body string) string {
		p := filepath.Join(srcDir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		key, path, body string
		wantErr         error // nil: adopted; blob.ErrInvalidKey; errAny
	}{
		{"a/1", spool("1", "one"), "one", nil},
		{"a/old", spool("2", "replaces old"), "replaces old", nil},
		{"b/c/3", spool("3", "three, in a new directory"), "three, in a new directory", nil},
		{"../escape", spool("4", "four"), "", blob.ErrInvalidKey},
		{"a/5", filepath.Join(srcDir, "missing"), "", errAny},
		{"x/y", spool("6", "six"), "", errAny},
		{"a/7", spool("7", "seven"), "seven", nil},
	}
	files := make([]blob.Adoption, len(tests))
	for i, tt := range tests {
		files[i] = blob.Adoption{Key: tt.key, Path: tt.path}
	}
	errs := s.AdoptFiles(ctx, files)
	if len(errs) != len(files) {
		t.Fatalf("AdoptFiles returned %d errors for %d files", len(errs), len(files))
	}
	for i, tt := range tests {
		switch {
		case tt.wantErr == nil && errs[i] != nil:
			t.Errorf("AdoptFiles: %s: error %v, want nil", tt.key, errs[i])
		case tt.wantErr == errAny && errs[i] == nil,
			tt.wantErr != nil && tt.wantErr != errAny && !errors.Is(errs[i], tt.wantErr):
			t.Errorf("AdoptFiles: %s: error %v, want %v", tt.key, errs[i], tt.wantErr)
		}
		_, statErr := os.Stat(tt.path)
		if tt.wantErr == nil {
			if got := readBlob(t, s, tt.key); got != tt.body {
				t.Errorf("blob %s = %q, want %q", tt.key, got, tt.body)
			}
			if !errors.Is(statErr, fs.ErrNotExist) {
				t.Errorf("source of %s still there after its adoption", tt.key)
			}
		} else if statErr != nil && tt.path != filepath.Join(srcDir, "missing") {
			t.Errorf("source of %s gone after a failed adoption: %v", tt.key, statErr)
		}
	}
	if got := readBlob(t, s, "x"); got != "x" {
		t.Errorf("blob x = %q after a failed adoption below it", got)
	}

	// A cancelled context adopts nothing and leaves the files in place.
	src := spool("8", "eight")
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	errs = s.AdoptFiles(cctx, []blob.Adoption{{Key: "a/8", Path: src}})
	if !errors.Is(errs[0], context.Canceled) {
		t.Errorf("AdoptFiles with a cancelled context: error %v, want context.Canceled", errs[0])
	}
	if _, err := os.Stat(src); err != nil {
		t.Errorf("source file gone after a cancelled AdoptFiles: %v", err)
	}
	if _, err := s.Open(ctx, "a/8"); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Open(a/8) after a cancelled AdoptFiles: error %v, want ErrNotFound", err)
	}
	assertNoTemp(t, s)
}

// errAny stands for "some error" in test tables.
var errAny = errors.New("any error")

func readBlob(t *testing.T, s *Store, key string) string {
	t.Helper()
	rc, err := s.Open(context.Background(), key)
	if err != nil {
		t.Errorf("Open(%s): %v", key, err)
		return ""
	}
	defer rc.Close()
	b, _ := io.ReadAll(rc)
	return string(b)
}

func TestParallel(t *testing.T) {
	for _, n := range []int{0, 1, 2, 7, 100} {
		hits := make([]int, n)
		parallel(n, 3, func(i int) { hits[i]++ })
		for i, h := range hits {
			if h != 1 {
				t.Errorf("parallel(%d, 3): fn(%d) called %d times, want 1", n, i, h)
			}
		}
	}
}
