package index

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func retrieveFixture(t *testing.T) *DB {
	t.Helper()
	db := openTest(t)
	// Stored out of order; series 2 before series 1, one series unnumbered
	// (NULL sorts first).
	mustPut(t, db,
		rec("s1", "se2", "i22", withNumbers(2, 2)),
		rec("s1", "se2", "i21", withNumbers(2, 1)),
		rec("s1", "se1", "i12", withNumbers(1, 2)),
		rec("s1", "se1", "i11", withNumbers(1, 1)),
		rec("s1", "se0", "i01"),
		rec("s2", "se3", "i31"),
	)
	return db
}

func TestInstances(t *testing.T) {
	db := retrieveFixture(t)
	ctx := context.Background()
	tests := []struct {
		study, series, sop string
		want               []string
		wantErr            error
	}{
		{"s1", "", "", []string{"i01", "i11", "i12", "i21", "i22"}, nil},
		{"s1", "se2", "", []string{"i21", "i22"}, nil},
		{"s1", "se2", "i22", []string{"i22"}, nil},
		{"s1", "", "i12", []string{"i12"}, nil},
		{"s9", "", "", nil, ErrNotFound},
		{"s1", "se3", "", nil, ErrNotFound}, // series of another study
		{"s1", "se1", "i21", nil, ErrNotFound},
		{"", "", "", nil, ErrInvalid},
	}
	for _, tt := range tests {
		refs, err := db.Instances(ctx, tt.study, tt.series, tt.sop)
		if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
			t.Errorf("Instances(%q, %q, %q) error = %v, want %v", tt.study, tt.series, tt.sop, err, tt.wantErr)
			continue
		}
		var got []string
		for _, r := range refs {
			got = append(got, r.SOPInstanceUID)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Instances(%q, %q, %q) (-want +got):\n%s", tt.study, tt.series, tt.sop, diff)
		}
	}

	refs, _ := db.Instances(ctx, "s1", "se1", "i11")
	want := []InstanceRef{{StudyInstanceUID: "s1", SeriesInstanceUID: "se1", SOPInstanceUID: "i11",
		SOPClassUID: "1.2.840.10008.5.1.4.1.1.2", TransferSyntaxUID: "1.2.840.10008.1.2.1",
		BlobKey: "blob/i11", Size: 1000, Digest: "digest-i11"}}
	if diff := cmp.Diff(want, refs); diff != "" {
		t.Errorf("Instances(s1, se1, i11) (-want +got):\n%s", diff)
	}
}

func TestForEachMetadata(t *testing.T) {
	db := retrieveFixture(t)
	ctx := context.Background()
	var got []string
	err := db.ForEachMetadata(ctx, "s1", "", "", func(ref InstanceRef, md []byte) error {
		got = append(got, ref.SOPInstanceUID+"="+string(md))
		return nil
	})
	if err != nil {
		t.Fatalf("ForEachMetadata(s1) = %v", err)
	}
	want := []string{`i01={"metadata":"i01"}`, `i11={"metadata":"i11"}`, `i12={"metadata":"i12"}`,
		`i21={"metadata":"i21"}`, `i22={"metadata":"i22"}`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ForEachMetadata(s1) (-want +got):\n%s", diff)
	}

	stop := errors.New("stop")
	calls := 0
	err = db.ForEachMetadata(ctx, "s1", "", "", func(InstanceRef, []byte) error { calls++; return stop })
	if err != stop || calls != 1 {
		t.Errorf("ForEachMetadata with failing fn = %v after %d calls, want %v after 1", err, calls, stop)
	}
	err = db.ForEachMetadata(ctx, "s1", "se9", "", func(InstanceRef, []byte) error { return nil })
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("ForEachMetadata(s1, se9) = %v, want ErrNotFound", err)
	}
}

func TestFirstInstanceMetadata(t *testing.T) {
	db := retrieveFixture(t)
	ctx := context.Background()
	for _, tt := range []struct{ study, series, want string }{
		{"s1", "", `{"metadata":"i01"}`},
		{"s1", "se2", `{"metadata":"i21"}`},
	} {
		md, err := db.FirstInstanceMetadata(ctx, tt.study, tt.series)
		if err != nil || string(md) != tt.want {
			t.Errorf("FirstInstanceMetadata(%q, %q) = %s, %v, want %s", tt.study, tt.series, md, err, tt.want)
		}
	}
	if _, err := db.FirstInstanceMetadata(ctx, "s1", "se3"); !errors.Is(err, ErrNotFound) {
		t.Errorf("FirstInstanceMetadata(s1, se3) = %v, want ErrNotFound", err)
	}
}

func TestAllBlobKeys(t *testing.T) {
	db := retrieveFixture(t)
	var got []string
	err := db.AllBlobKeys(context.Background(), func(k string) error { got = append(got, k); return nil })
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"blob/i22", "blob/i21", "blob/i12", "blob/i11", "blob/i01", "blob/i31"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("AllBlobKeys (-want +got):\n%s", diff)
	}
}

func TestMetadataVersion(t *testing.T) {
	db := retrieveFixture(t)
	ctx := context.Background()
	version := func(series string) string {
		t.Helper()
		v, err := db.MetadataVersion(ctx, "s1", series, "")
		if err != nil {
			t.Fatalf("MetadataVersion(s1, %q) = %v", series, err)
		}
		return v
	}
	study, se1, se2 := version(""), version("se1"), version("se2")
	steps := []struct {
		name            string
		do              func()
		study, se1, se2 bool // whether each is expected to change
	}{
		{"unchanged put", func() { mustPut(t, db, rec("s1", "se1", "i11", withNumbers(1, 1))) }, false, false, false},
		{"replace in se1", func() { mustPut(t, db, rec("s1", "se1", "i11", withDigest("v2"))) }, true, true, false},
		{"add to se2", func() { mustPut(t, db, rec("s1", "se2", "i23")) }, true, false, true},
		{"other study", func() { mustPut(t, db, rec("s2", "se3", "i32")) }, false, false, false},
		{"delete from se2", func() {
			if _, err := db.DeleteInstance(ctx, "s1", "se2", "i21"); err != nil {
				t.Fatal(err)
			}
		}, true, false, true},
		{"move se1 -> se2", func() { mustPut(t, db, rec("s1", "se2", "i12")) }, true, true, true},
	}
	for _, s := range steps {
		s.do()
		for _, c := range []struct {
			name      string
			old       *string
			series    string
			wantDiffs bool
		}{{"study", &study, "", s.study}, {"se1", &se1, "se1", s.se1}, {"se2", &se2, "se2", s.se2}} {
			now := version(c.series)
			if (now != *c.old) != c.wantDiffs {
				t.Errorf("after %s: %s version %s -> %s, want changed=%v", s.name, c.name, *c.old, now, c.wantDiffs)
			}
			*c.old = now
		}
	}
	if _, err := db.MetadataVersion(ctx, "s9", "", ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("MetadataVersion(s9) = %v, want ErrNotFound", err)
	}
}
