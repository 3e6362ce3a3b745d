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
	"time"

	"github.com/pacslite/pacslite/store/blob"
	"github.com/pacslite/pacslite/store/blob/blobtest"
)

func newStore(t *testing.T) *Store {
	t.Helper()
	s, err := New(filepath.Join(t.TempDir(), "data", "blobs"))
	if err != nil {
		t.Fatalf("New() error: %v", err)
	}
	return s
}

func TestConformance(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) blob.Store {
		s := newStore(t)
		t.Cleanup(func() { assertNoTemp(t, s) })
		return s
	})
}

// assertNoTemp fails the test if an upload left a temporary file behind.
func assertNoTemp(t *testing.T, s *Store) {
	t.Helper()
	entries, err := os.ReadDir(s.tmp)
	if err != nil {
		t.Fatalf("read temp dir: %v", err)
	}
	for _, e := range entries {
		t.Errorf("temporary file %s left behind", e.Name())
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("broken") }

func TestFailedPutLeavesNoTemp(t *testing.T) {
	s := newStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Put(ctx, "k", strings.NewReader("data")); err == nil {
		t.Errorf("Put with cancelled context = nil error")
	}
	if _, err := s.Put(context.Background(), "k", io.MultiReader(strings.NewReader("data"), errReader{})); err == nil {
		t.Errorf("Put from failing reader = nil error")
	}
	// A rename that cannot happen: the key's path is a directory.
	if _, err := s.Put(context.Background(), "dir/x", strings.NewReader("x")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(context.Background(), "dir", strings.NewReader("data")); err == nil {
		t.Errorf("Put(dir) over a directory of keys = nil error")
	}
	// A path through an existing blob.
	if _, err := s.Put(context.Background(), "dir/x/y", strings.NewReader("data")); err == nil {
		t.Errorf("Put(dir/x/y) below a blob = nil error")
	}
	assertNoTemp(t, s)
	if _, err := os.Stat(filepath.Join(s.dir, "k")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("failed Put created its key: stat error = %v", err)
	}
}

func TestCleanTemp(t *testing.T) {
	s := newStore(t)
	stale := filepath.Join(s.tmp, "put-stale")
	fresh := filepath.Join(s.tmp, "put-fresh")
	for _, p := range []string{stale, fresh} {
		if err := os.WriteFile(p, []byte("partial"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-2 * time.Hour)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	if err := s.CleanTemp(time.Hour); err != nil {
		t.Fatalf("CleanTemp(1h) error: %v", err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("CleanTemp(1h) kept the 2-hour-old file: stat error = %v", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("CleanTemp(1h) removed the fresh file: %v", err)
	}
	if err := s.CleanTemp(0); err != nil {
		t.Fatalf("CleanTemp(0) error: %v", err)
	}
	assertNoTemp(t, s)
}

func TestLayout(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	if _, err := s.Put(ctx, "a/b/c.dcm", strings.NewReader("hello")); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(s.dir, "a", "b", "c.dcm")
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatalf("key a/b/c.dcm not at %s: %v", p, err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("blob file mode = %v, want 0600", perm)
	}
	rc, err := s.Open(ctx, "a/b/c.dcm")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if _, ok := rc.(*os.File); !ok {
		t.Errorf("Open returned %T, want *os.File", rc)
	}
	// Files that are not keys are not listed: temp files, litter with
	// invalid names.
	for _, name := range []string{filepath.Join(tmpDirName, "put-123"), "a/b/bad name", "a/b/c.dcm~"} {
		if err := os.WriteFile(filepath.Join(s.dir, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var keys []string
	if err := s.List(ctx, "", func(k string, _, _ int64) error { keys = append(keys, k); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 || keys[0] != "a/b/c.dcm" {
		t.Errorf("List() = %q, want [a/b/c.dcm]", keys)
	}
	// A directory is not a blob.
	if _, err := s.Open(ctx, "a/b"); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Open(a/b) of a directory: error = %v, want ErrNotFound", err)
	}
	if err := s.Delete(ctx, "a/b"); err != nil {
		t.Errorf("Delete(a/b) of a directory = %v, want nil", err)
	}
	if _, err := os.Stat(p); err != nil {
		t.Errorf("Delete(a/b) removed a/b/c.dcm: %v", err)
	}
}

func TestRangeWriteTo(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	if _, err := s.Put(ctx, "r", strings.NewReader("0123456789")); err != nil {
		t.Fatal(err)
	}
	rc, err := s.OpenRange(ctx, "r", 3, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var b strings.Builder
	if _, err := io.Copy(&b, rc); err != nil { // goes through WriteTo
		t.Fatal(err)
	}
	if got := b.String(); got != "3456" {
		t.Errorf("OpenRange(r, 3, 4) = %q, want %q", got, "3456")
	}
}

func TestPing(t *testing.T) {
	s := newStore(t)
	if err := s.Ping(context.Background()); err != nil {
		t.Fatalf("Ping() = %v", err)
	}
	if err := os.RemoveAll(s.dir); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(context.Background()); err == nil {
		t.Errorf("Ping() with the data folder gone = nil, want an error")
	}
}

func TestAdoptFile(t *testing.T) {
	ctx := context.Background()
	s, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(ctx, "a/b", strings.NewReader("old")); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(t.TempDir(), "spooled")
	if err := os.WriteFile(src, []byte("new bytes"), 0o600); err != nil {
		t.Fatal(err)
	}
	n, err := s.AdoptFile(ctx, "a/b", src)
	if err != nil || n != 9 {
		t.Fatalf("AdoptFile = %d, %v; want 9, nil", n, err)
	}
	rc, err := s.Open(ctx, "a/b")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if string(got) != "new bytes" {
		t.Errorf("blob after AdoptFile = %q, want %q", got, "new bytes")
	}
	if _, err := os.Stat(src); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("source file still there after AdoptFile: %v", err)
	}

	// A cancelled adoption leaves the file where it was and the blob as it was.
	if err := os.WriteFile(src, []byte("newer"), 0o600); err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.AdoptFile(cctx, "a/b", src); err == nil {
		t.Fatal("AdoptFile with a cancelled context succeeded")
	}
	if _, err := os.Stat(src); err != nil {
		t.Errorf("source file gone after a failed AdoptFile: %v", err)
	}
	rc, _ = s.Open(ctx, "a/b")
	got, _ = io.ReadAll(rc)
	rc.Close()
	if string(got) != "new bytes" {
		t.Errorf("blob after a failed AdoptFile = %q, want %q", got, "new bytes")
	}
	if _, err := s.AdoptFile(ctx, "../x", src); !errors.Is(err, blob.ErrInvalidKey) {
		t.Errorf("AdoptFile(../x) error = %v, want ErrInvalidKey", err)
	}
}
