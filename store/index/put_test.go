package index

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// op is one step of a write scenario: a put, or a delete when del is set
// (study, series, instance UIDs; fewer means a wider delete).
type op struct {
	put      InstanceRecord
	del      []string
	want     PutResult
	wantKeys []string
	wantErr  error
}

func put(r InstanceRecord, want PutResult) op { return op{put: r, want: want} }

func del(want []string, wantErr error, uids ...string) op {
	return op{del: uids, wantKeys: want, wantErr: wantErr}
}

func withModality(m string) func(*InstanceRecord) { return func(r *InstanceRecord) { r.Modality = m } }
func withDigest(d string) func(*InstanceRecord)   { return func(r *InstanceRecord) { r.Digest = d } }
func withBlob(k string) func(*InstanceRecord)     { return func(r *InstanceRecord) { r.BlobKey = k } }
func withNumbers(series, instance int64) func(*InstanceRecord) {
	return func(r *InstanceRecord) { r.SeriesNumber, r.InstanceNumber = ip(series), ip(instance) }
}

func (o op) run(t *testing.T, db *DB) {
	t.Helper()
	ctx := context.Background()
	if o.del == nil {
		got, err := db.PutInstance(ctx, o.put)
		if !errors.Is(err, o.wantErr) || (o.wantErr == nil && err != nil) {
			t.Fatalf("PutInstance(%s) error = %v, want %v", o.put.SOPInstanceUID, err, o.wantErr)
		}
		if got != o.want {
			t.Errorf("PutInstance(%s) = %+v, want %+v", o.put.SOPInstanceUID, got, o.want)
		}
		return
	}
	var keys []string
	var err error
	switch len(o.del) {
	case 1:
		keys, err = db.DeleteStudy(ctx, o.del[0])
	case 2:
		keys, err = db.DeleteSeries(ctx, o.del[0], o.del[1])
	case 3:
		keys, err = db.DeleteInstance(ctx, o.del[0], o.del[1], o.del[2])
	}
	if !errors.Is(err, o.wantErr) || (o.wantErr == nil && err != nil) {
		t.Fatalf("Delete%v error = %v, want %v", o.del, err, o.wantErr)
	}
	if diff := cmp.Diff(o.wantKeys, keys); diff != "" {
		t.Errorf("Delete%v keys (-want +got):\n%s", o.del, diff)
	}
}

func TestWrites(t *testing.T) {
	none := PutResult{}
	tests := []struct {
		name string
		ops  []op
		want map[string]studyState
	}{{
		name: "new instances",
		ops: []op{
			put(rec("s1", "se1", "i1"), none),
			put(rec("s1", "se1", "i2"), none),
			put(rec("s1", "se2", "i3", withModality("MR")), none),
		},
		want: map[string]studyState{"s1": {2, 3, `CT\MR`, map[string][]string{
			"se1": {"i1", "i2"}, "se2": {"i3"}}}},
	}, {
		name: "same digest is unchanged, even with another blob key",
		ops: []op{
			put(rec("s1", "se1", "i1"), none),
			put(rec("s1", "se1", "i1"), PutResult{Unchanged: true}),
			put(rec("s1", "se1", "i1", withBlob("other")), PutResult{Unchanged: true}),
		},
		want: map[string]studyState{"s1": {1, 1, "CT", map[string][]string{"se1": {"i1"}}}},
	}, {
		name: "new digest replaces and returns the old blob key",
		ops: []op{
			put(rec("s1", "se1", "i1"), none),
			put(rec("s1", "se1", "i1", withDigest("v2"), withBlob("blob/i1-v2")), PutResult{ReplacedBlobKey: "blob/i1"}),
			put(rec("s1", "se1", "i1", withDigest("v3"), withBlob("blob/i1-v2")), none), // same key: nothing to delete
		},
		want: map[string]studyState{"s1": {1, 1, "CT", map[string][]string{"se1": {"i1"}}}},
	}, {
		name: "instance moves to another series of the study",
		ops: []op{
			put(rec("s1", "se1", "i1", withModality("MR")), none),
			put(rec("s1", "se2", "i2"), none),
			put(rec("s1", "se2", "i1", withBlob("blob/i1-v2")), PutResult{ReplacedBlobKey: "blob/i1"}),
		},
		want: map[string]studyState{"s1": {1, 2, "CT", map[string][]string{"se2": {"i1", "i2"}}}},
	}, {
		name: "instance moves to another study",
		ops: []op{
			put(rec("s1", "se1", "i1"), none),
			put(rec("s2", "se2", "i2", withModality("MR")), none),
			put(rec("s2", "se2", "i1"), none),
		},
		// The series takes the values of its newest instance, i1's CT.
		want: map[string]studyState{"s2": {1, 2, "CT", map[string][]string{"se2": {"i1", "i2"}}}},
	}, {
		name: "series moves to another study with its instances",
		ops: []op{
			put(rec("s1", "se1", "i1"), none),
			put(rec("s1", "se1", "i2"), none),
			put(rec("s1", "se3", "i3", withModality("MR")), none),
			put(rec("s2", "se1", "i1", withDigest("v2")), none),
		},
		want: map[string]studyState{
			"s1": {1, 1, "MR", map[string][]string{"se3": {"i3"}}},
			"s2": {1, 2, "CT", map[string][]string{"se1": {"i1", "i2"}}},
		},
	}, {
		name: "new instance drags its series to another study, emptying the old one",
		ops: []op{
			put(rec("s1", "se1", "i1"), none),
			put(rec("s2", "se1", "i2"), none),
		},
		want: map[string]studyState{"s2": {1, 2, "CT", map[string][]string{"se1": {"i1", "i2"}}}},
	}, {
		name: "series moves away and back",
		ops: []op{
			put(rec("s1", "se1", "i1"), none),
			put(rec("s1", "se1", "i2"), none),
			put(rec("s2", "se1", "i3", withModality("MR")), none),
			put(rec("s2", "se2", "i5", withModality("SR")), none),
			put(rec("s1", "se1", "i4"), none),
		},
		want: map[string]studyState{
			"s1": {1, 4, "CT", map[string][]string{"se1": {"i1", "i2", "i3", "i4"}}},
			"s2": {1, 1, "SR", map[string][]string{"se2": {"i5"}}},
		},
	}, {
		name: "series takes the newest modality",
		ops: []op{
			put(rec("s1", "se1", "i1"), none),
			put(rec("s1", "se2", "i2", withModality("SR")), none),
			put(rec("s1", "se1", "i3", withModality("MR")), none),
		},
		want: map[string]studyState{"s1": {2, 3, `MR\SR`, map[string][]string{
			"se1": {"i1", "i3"}, "se2": {"i2"}}}},
	}, {
		name: "delete instance keeps non-empty parents",
		ops: []op{
			put(rec("s1", "se1", "i1"), none),
			put(rec("s1", "se1", "i2"), none),
			del([]string{"blob/i1"}, nil, "s1", "se1", "i1"),
		},
		want: map[string]studyState{"s1": {1, 1, "CT", map[string][]string{"se1": {"i2"}}}},
	}, {
		name: "delete last instance of a series removes it",
		ops: []op{
			put(rec("s1", "se1", "i1"), none),
			put(rec("s1", "se2", "i2", withModality("MR")), none),
			del([]string{"blob/i2"}, nil, "s1", "se2", "i2"),
		},
		want: map[string]studyState{"s1": {1, 1, "CT", map[string][]string{"se1": {"i1"}}}},
	}, {
		name: "delete last instance removes series and study",
		ops: []op{
			put(rec("s1", "se1", "i1"), none),
			del([]string{"blob/i1"}, nil, "s1", "se1", "i1"),
		},
		want: map[string]studyState{},
	}, {
		name: "delete series",
		ops: []op{
			put(rec("s1", "se1", "i1"), none),
			put(rec("s1", "se1", "i2"), none),
			put(rec("s1", "se2", "i3", withModality("MR")), none),
			del([]string{"blob/i1", "blob/i2"}, nil, "s1", "se1"),
		},
		want: map[string]studyState{"s1": {1, 1, "MR", map[string][]string{"se2": {"i3"}}}},
	}, {
		name: "delete only series removes the study",
		ops: []op{
			put(rec("s1", "se1", "i1"), none),
			put(rec("s2", "se2", "i2"), none),
			del([]string{"blob/i1"}, nil, "s1", "se1"),
		},
		want: map[string]studyState{"s2": {1, 1, "CT", map[string][]string{"se2": {"i2"}}}},
	}, {
		name: "delete study",
		ops: []op{
			put(rec("s1", "se1", "i1"), none),
			put(rec("s1", "se2", "i2"), none),
			put(rec("s2", "se3", "i3"), none),
			del([]string{"blob/i1", "blob/i2"}, nil, "s1"),
		},
		want: map[string]studyState{"s2": {1, 1, "CT", map[string][]string{"se3": {"i3"}}}},
	}, {
		name: "deletes of what is not there",
		ops: []op{
			put(rec("s1", "se1", "i1"), none),
			put(rec("s2", "se2", "i2"), none),
			del(nil, ErrNotFound, "s9"),
			del(nil, ErrNotFound, "s1", "se2"),       // series of another study
			del(nil, ErrNotFound, "s1", "se1", "i2"), // instance of another series
			del(nil, ErrNotFound, "s2", "se2", "i9"), // no such instance
			del(nil, ErrNotFound, "s1", "se9", "i1"), // no such series
		},
		want: map[string]studyState{
			"s1": {1, 1, "CT", map[string][]string{"se1": {"i1"}}},
			"s2": {1, 1, "CT", map[string][]string{"se2": {"i2"}}},
		},
	}, {
		name: "invalid records write nothing",
		ops: []op{
			{put: rec("", "se1", "i1"), wantErr: ErrInvalid},
			{put: rec("s1", "", "i1"), wantErr: ErrInvalid},
			{put: rec("s1", "se1", ""), wantErr: ErrInvalid},
			{put: rec("s1", "se1", "i1", withBlob("")), wantErr: ErrInvalid},
			{put: rec(`s1\s2`, "se1", "i1"), wantErr: ErrInvalid},
		},
		want: map[string]studyState{},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openTest(t)
			for _, o := range tt.ops {
				o.run(t, db)
			}
			if diff := cmp.Diff(tt.want, state(t, db)); diff != "" {
				t.Errorf("state (-want +got):\n%s", diff)
			}
		})
		// The same puts in one PutInstances batch give the same results.
		var recs []InstanceRecord
		var want []PutResult
		for _, o := range tt.ops {
			if o.del != nil || o.wantErr != nil {
				recs = nil
				break
			}
			recs = append(recs, o.put)
			want = append(want, o.want)
		}
		if recs == nil {
			continue
		}
		t.Run(tt.name+" in one batch", func(t *testing.T) {
			db := openTest(t)
			got, err := db.PutInstances(context.Background(), recs)
			if err != nil {
				t.Fatalf("PutInstances() = %v", err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("PutInstances() (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, state(t, db)); diff != "" {
				t.Errorf("state (-want +got):\n%s", diff)
			}
		})
	}
}
