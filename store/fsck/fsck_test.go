package fsck

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/pacslite/pacslite/store/blob"
	"github.com/pacslite/pacslite/store/blob/fsblob"
	"github.com/pacslite/pacslite/store/index"
)

// world is a real index and a real filesystem blob store.
type world struct {
	t     *testing.T
	idx   *index.DB
	blobs *fsblob.Store
	n     int
}

func newWorld(t *testing.T) *world {
	t.Helper()
	dir := t.TempDir()
	idx, err := index.Open(context.Background(), filepath.Join(dir, "index.db"), index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	blobs, err := fsblob.New(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	return &world{t: t, idx: idx, blobs: blobs}
}

// blob writes a blob modified age ago.
func (w *world) blob(key string, age time.Duration) {
	w.t.Helper()
	if _, err := w.blobs.Put(context.Background(), key, strings.NewReader("bytes of "+key)); err != nil {
		w.t.Fatal(err)
	}
	w.age(key, age)
}

// age sets the modification time of the blob at key to age ago.
func (w *world) age(key string, age time.Duration) {
	w.t.Helper()
	when := time.Now().Add(-age)
	if err := os.Chtimes(filepath.Join(w.blobs.Dir(), filepath.FromSlash(key)), when, when); err != nil {
		w.t.Fatal(err)
	}
}

// row indexes an instance whose blob is at key.
func (w *world) row(key string) {
	w.t.Helper()
	w.n++
	uid := "1.2.3." + string(rune('0'+w.n%10)) + "." + strings.Repeat("9", w.n)
	_, err := w.idx.PutInstance(context.Background(), index.InstanceRecord{
		StudyInstanceUID: "1.2.3", SeriesInstanceUID: "1.2.3.4", SOPInstanceUID: uid,
		SOPClassUID: "1.2.840.10008.5.1.4.1.1.7", BlobKey: key, Digest: key,
		StudyAttrs: []byte(`{}`), SeriesAttrs: []byte(`{}`), InstanceAttrs: []byte(`{}`), Metadata: []byte(`{}`),
	})
	if err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) exists(key string) bool {
	ok, err := exists(context.Background(), w.blobs, key)
	if err != nil {
		w.t.Fatal(err)
	}
	return ok
}

func keysOf(bs []Blob) []string {
	var out []string
	for _, b := range bs {
		out = append(out, b.Key)
	}
	sort.Strings(out)
	return out
}

var sorted = cmpopts.SortSlices(func(a, b string) bool { return a < b })

func TestCheck(t *testing.T) {
	w := newWorld(t)
	w.blob("instances/old-in-use", 48*time.Hour)
	w.row("instances/old-in-use")
	w.blob("instances/young-in-use", 0)
	w.row("instances/young-in-use")
	w.blob("instances/old-orphan", 2*time.Hour)
	w.blob("instances/a/b/old-orphan", 3*time.Hour)
	w.blob("instances/young-orphan", time.Minute)
	w.row("instances/missing")
	w.blob("other/old-not-ours", 48*time.Hour)

	opts := Options{Prefix: "instances/", Grace: time.Hour}
	rep, err := Check(context.Background(), w.idx, w.blobs, opts)
	if err != nil {
		t.Fatalf("Check() error: %v", err)
	}
	wantOrphans := []string{"instances/a/b/old-orphan", "instances/old-orphan"}
	if diff := cmp.Diff(wantOrphans, keysOf(rep.Orphans)); diff != "" {
		t.Errorf("Check() orphans (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"instances/missing"}, rep.Missing); diff != "" {
		t.Errorf("Check() missing (-want +got):\n%s", diff)
	}
	if rep.Blobs != 5 || rep.Rows != 3 || rep.Young != 1 || len(rep.Removed) != 0 || rep.Consistent() {
		t.Errorf("Check() = %d blobs, %d rows, %d young, %d removed, consistent %v; want 5, 3, 1, 0, false",
			rep.Blobs, rep.Rows, rep.Young, len(rep.Removed), rep.Consistent())
	}
	for _, k := range wantOrphans {
		if !w.exists(k) {
			t.Errorf("Check() without Repair deleted %s", k)
		}
	}

	opts.Repair = true
	rep, err = Check(context.Background(), w.idx, w.blobs, opts)
	if err != nil {
		t.Fatalf("Check(Repair) error: %v", err)
	}
	if diff := cmp.Diff(wantOrphans, keysOf(rep.Removed)); diff != "" {
		t.Errorf("Check(Repair) removed (-want +got):\n%s", diff)
	}
	for _, k := range wantOrphans {
		if w.exists(k) {
			t.Errorf("Check(Repair) kept orphan %s", k)
		}
	}
	for _, k := range []string{"instances/old-in-use", "instances/young-in-use", "instances/young-orphan", "other/old-not-ours"} {
		if !w.exists(k) {
			t.Errorf("Check(Repair) deleted %s", k)
		}
	}
	if len(rep.Missing) != 1 || rep.Consistent() {
		t.Errorf("Check(Repair) missing %q, consistent %v; want the missing row still reported", rep.Missing, rep.Consistent())
	}

	// Grace 0, with no server writing: every unreferenced blob goes.
	rep, err = Check(context.Background(), w.idx, w.blobs, Options{Prefix: "instances/", Repair: true})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"instances/young-orphan"}, keysOf(rep.Removed)); diff != "" {
		t.Errorf("Check(grace 0) removed (-want +got):\n%s", diff)
	}
	if !w.exists("instances/young-in-use") {
		t.Errorf("Check(grace 0) deleted a referenced blob")
	}
}

func TestCheckConsistent(t *testing.T) {
	w := newWorld(t)
	for _, k := range []string{"instances/1", "instances/2", "instances/x/3"} {
		w.blob(k, 5*time.Hour)
		w.row(k)
	}
	rep, err := Check(context.Background(), w.idx, w.blobs, Options{Prefix: "instances/", Grace: time.Hour, Repair: true})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Consistent() || rep.Blobs != 3 || rep.Rows != 3 || len(rep.Orphans) != 0 || rep.Young != 0 {
		t.Errorf("Check() of a consistent store = %+v", rep)
	}
}

// racyStore runs hooks around its calls, to act as a server storing and
// deleting instances while Check runs.
type racyStore struct {
	*fsblob.Store
	calls      int
	beforeList func(call int)
	afterList  func(call int)
	beforeSize func()
}

func (r *racyStore) List(ctx context.Context, prefix string, fn func(string, int64, int64) error) error {
	r.calls++
	if r.beforeList != nil {
		r.beforeList(r.calls)
	}
	err := r.Store.List(ctx, prefix, fn)
	if r.afterList != nil {
		r.afterList(r.calls)
	}
	return err
}

func (r *racyStore) Size(ctx context.Context, key string) (int64, error) {
	if r.beforeSize != nil {
		r.beforeSize()
	}
	return r.Store.Size(ctx, key)
}

// TestCheckConcurrentStow: blobs that a STOW writes and indexes while
// Check runs are never deleted, whatever the step they appear at, even
// when they re-use the key of an old orphan.
func TestCheckConcurrentStow(t *testing.T) {
	for call := 1; call <= 4; call++ {
		w := newWorld(t)
		w.blob("instances/orphan", 2*time.Hour)
		w.blob("instances/reused", 2*time.Hour)
		s := &racyStore{Store: w.blobs, beforeList: func(c int) {
			if c == call {
				w.blob("instances/new", 0)
				w.row("instances/new")
				w.blob("instances/reused", 0) // the same instance stored again
				w.row("instances/reused")
			}
		}}
		rep, err := Check(context.Background(), w.idx, s, Options{Prefix: "instances/", Grace: time.Hour, Repair: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"instances/new", "instances/reused"} {
			if !w.exists(k) {
				t.Errorf("STOW before List call %d: Check deleted %s (report %+v)", call, k, rep)
			}
		}
		if len(rep.Missing) != 0 {
			t.Errorf("STOW before List call %d: Check reports missing %q", call, rep.Missing)
		}
		if call == 1 && (w.exists("instances/orphan") || len(rep.Removed) != 1) {
			t.Errorf("STOW before List call 1: removed %q, want [instances/orphan]", keysOf(rep.Removed))
		}
	}
}

// TestCheckConcurrentDelete: an instance stored after the listing and
// deleted (row, then blob) before Check looks for its blob is not
// reported missing.
func TestCheckConcurrentDelete(t *testing.T) {
	w := newWorld(t)
	s := &racyStore{Store: w.blobs}
	s.afterList = func(call int) {
		if call == 1 {
			w.blob("instances/brief", 0)
			w.row("instances/brief")
		}
	}
	s.beforeSize = func() {
		if _, err := w.idx.DeleteStudy(context.Background(), "1.2.3"); err != nil {
			t.Fatal(err)
		}
		w.blobs.Delete(context.Background(), "instances/brief")
	}
	rep, err := Check(context.Background(), w.idx, s, Options{Prefix: "instances/", Grace: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Missing) != 0 {
		t.Errorf("Check reports %q missing after a concurrent DELETE", rep.Missing)
	}
	if rep.Rows != 1 {
		t.Errorf("Check read %d rows, want 1 (the test did not race as intended)", rep.Rows)
	}
}

// openOnly is a store without List.
type openOnly struct{ blob.Store }

func TestCheckNeedsLister(t *testing.T) {
	w := newWorld(t)
	if _, err := Check(context.Background(), w.idx, openOnly{w.blobs}, Options{}); err == nil {
		t.Errorf("Check() of a store that cannot list = nil error")
	}
}
