package index

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
)

func TestOpenSettings(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	for _, tt := range []struct {
		pragma string
		want   string
	}{
		{"journal_mode", "wal"},
		{"synchronous", "2"}, // FULL
		{"foreign_keys", "1"},
		{"page_size", "8192"},
	} {
		var got string
		if err := db.w.QueryRowContext(ctx, "PRAGMA "+tt.pragma).Scan(&got); err != nil || got != tt.want {
			t.Errorf("writer PRAGMA %s = %q, %v, want %q", tt.pragma, got, err, tt.want)
		}
	}
	if _, err := db.r.ExecContext(ctx, `DELETE FROM studies`); err == nil {
		t.Errorf("a reader connection could write")
	}
	if err := db.Ping(ctx); err != nil {
		t.Errorf("Ping() = %v", err)
	}
}

func TestOpenRejectsMemory(t *testing.T) {
	if _, err := Open(context.Background(), ":memory:", Options{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("Open(:memory:) = %v, want ErrInvalid", err)
	}
}

func TestReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "odd dir?#%", "index.db")
	if err := mkdirAll(filepath.Dir(path)); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, db, rec("s1", "se1", "i1"), rec("s1", "se1", "i2"))
	v1, _ := db.MetadataVersion(ctx, "s1", "", "")
	// Removing the newest instance then adding one must not give back an
	// old version after a restart: the counter is persisted.
	if _, err := db.DeleteInstance(ctx, "s1", "se1", "i2"); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}

	db = openAt(t, path)
	mustPut(t, db, rec("s1", "se1", "i3"))
	v2, err := db.MetadataVersion(ctx, "s1", "", "")
	if err != nil || v2 == v1 {
		t.Errorf("MetadataVersion after reopen = %q, %v; want a value other than %q", v2, err, v1)
	}
	var n int
	db.r.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n)
	if n != len(migrations) {
		t.Errorf("schema_migrations has %d rows, want %d", n, len(migrations))
	}
	state(t, db)
}

// TestUpgrade opens a file made by the first migration only, as the
// first release left it.
func TestUpgrade(t *testing.T) {
	path := filepath.Join(t.TempDir(), "index.db")
	old := sql.OpenDB(connector{dsn: fileURI(path, nil), pragmas: []string{"PRAGMA journal_mode = WAL"}})
	if err := migrate(context.Background(), old, migrations[:1]); err != nil {
		t.Fatal(err)
	}
	old.Close()

	db := openAt(t, path)
	var n int
	db.r.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n)
	if n != len(migrations) {
		t.Errorf("schema_migrations has %d rows after upgrade, want %d", n, len(migrations))
	}
	db.r.QueryRow(`SELECT count(*) FROM pragma_index_info('studies_recent')`).Scan(&n)
	if n != 8 {
		t.Errorf("studies_recent has %d columns after upgrade, want 8", n)
	}
	mustPut(t, db, rec("s1", "se1", "i1"))
	state(t, db)
}

func TestOpenNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "index.db")
	db := openAt(t, path)
	if _, err := db.w.Exec(`INSERT INTO schema_migrations VALUES (?, 0)`, len(migrations)+1); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if db, err := Open(context.Background(), path, Options{}); err == nil {
		db.Close()
		t.Errorf("Open of a newer schema succeeded")
	}
}

// TestAbortLeavesNothing cancels the context in the middle of a batch, as
// a client going away or a shutdown would, and checks that no row of it
// remains and that the writer is usable afterwards.
func TestAbortLeavesNothing(t *testing.T) {
	db := openTest(t)
	mustPut(t, db, rec("s0", "se0", "i0"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db.afterRecord = func(i int) {
		if i == 50 {
			cancel()
		}
	}
	var recs []InstanceRecord
	for i := range 100 {
		recs = append(recs, rec(fmt.Sprintf("s%d", i%3+1), "se", fmt.Sprintf("i%d", i)))
	}
	recs = append(recs, rec("s0", "se0", "i0", withDigest("v2"))) // a replace, rolled back too
	if _, err := db.PutInstances(ctx, recs); !errors.Is(err, context.Canceled) {
		t.Fatalf("PutInstances with cancelled context = %v, want context.Canceled", err)
	}
	db.afterRecord = nil
	want := map[string]studyState{"s0": {1, 1, "CT", map[string][]string{"se0": {"i0"}}}}
	if got := state(t, db); len(got) != 1 || got["s0"].NumInstances != 1 {
		t.Errorf("after abort: %+v, want %+v", got, want)
	}
	refs, _ := db.Instances(context.Background(), "s0", "", "")
	if len(refs) != 1 || refs[0].Digest != "digest-i0" {
		t.Errorf("after abort: s0 = %+v, want the original digest", refs)
	}
	mustPut(t, db, rec("s1", "se1", "i1"))
	state(t, db)
}

func TestPutInstancesBatch(t *testing.T) {
	db := openTest(t)
	recs := []InstanceRecord{
		rec("s1", "se1", "i1"),
		rec("s1", "se1", "i2"),
		rec("s1", "se1", "i1"),                   // same again: unchanged
		rec("s1", "se2", "i1", withDigest("v2")), // moved within the batch
	}
	got, err := db.PutInstances(context.Background(), recs)
	if err != nil {
		t.Fatal(err)
	}
	want := []PutResult{{}, {}, {Unchanged: true}, {}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("PutInstances = %+v, want %+v", got, want)
	}
	s := state(t, db)["s1"]
	if s.NumSeries != 2 || s.NumInstances != 2 {
		t.Errorf("after batch: %+v, want 2 series, 2 instances", s)
	}
	if _, err := db.PutInstances(context.Background(), []InstanceRecord{rec("s2", "se", "x"), rec("", "se", "y")}); !errors.Is(err, ErrInvalid) {
		t.Errorf("PutInstances with an invalid record = %v, want ErrInvalid", err)
	}
	if _, ok := state(t, db)["s2"]; ok {
		t.Errorf("a batch with an invalid record wrote its valid ones")
	}
}
