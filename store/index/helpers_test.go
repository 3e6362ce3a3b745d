package index

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func openTest(t testing.TB) *DB {
	t.Helper()
	return openAt(t, filepath.Join(t.TempDir(), "index.db"))
}

func openAt(t testing.TB, path string) *DB {
	t.Helper()
	db, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatalf("Open(%q) = %v", path, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func ip(n int64) *int64 { return &n }

// rec returns a valid record; opts adjust it.
func rec(study, series, sop string, opts ...func(*InstanceRecord)) InstanceRecord {
	r := InstanceRecord{
		StudyInstanceUID:  study,
		SeriesInstanceUID: series,
		SOPInstanceUID:    sop,
		SOPClassUID:       "1.2.840.10008.5.1.4.1.1.2",
		TransferSyntaxUID: "1.2.840.10008.1.2.1",
		Modality:          "CT",
		PatientID:         "P-" + study,
		PatientName:       "Doe^John",
		StudyDate:         "20240102",
		StudyTime:         "101500",
		BlobKey:           "blob/" + sop,
		Digest:            "digest-" + sop,
		Size:              1000,
		StudyAttrs:        []byte(`{"study":"` + study + `"}`),
		SeriesAttrs:       []byte(`{"series":"` + series + `"}`),
		InstanceAttrs:     []byte(`{"sop":"` + sop + `"}`),
		Metadata:          []byte(`{"metadata":"` + sop + `"}`),
	}
	for _, o := range opts {
		o(&r)
	}
	return r
}

func mustPut(t testing.TB, db *DB, recs ...InstanceRecord) []PutResult {
	t.Helper()
	var out []PutResult
	for _, r := range recs {
		res, err := db.PutInstance(context.Background(), r)
		if err != nil {
			t.Fatalf("PutInstance(%s) = %v", r.SOPInstanceUID, err)
		}
		out = append(out, res)
	}
	return out
}

// studyState is what the index says about a study, from its own columns.
type studyState struct {
	NumSeries, NumInstances int64
	Modalities              string
	Series                  map[string][]string // series UID -> SOP UIDs in order
}

// state reads every study and checks the stored counters and modalities
// against the rows they summarise.
func state(t testing.TB, db *DB) map[string]studyState {
	t.Helper()
	ctx := context.Background()
	got := map[string]studyState{}
	rows, err := db.r.QueryContext(ctx, `SELECT study_uid, num_series, num_instances, modalities FROM studies`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var uid string
		var s studyState
		if err := rows.Scan(&uid, &s.NumSeries, &s.NumInstances, &s.Modalities); err != nil {
			t.Fatal(err)
		}
		s.Series = map[string][]string{}
		got[uid] = s
	}
	rows.Close()
	for uid := range got {
		refs, err := db.Instances(ctx, uid, "", "")
		if err != nil {
			t.Errorf("Instances(%s) = %v (a study without instances?)", uid, err)
			continue
		}
		for _, r := range refs {
			got[uid].Series[r.SeriesInstanceUID] = append(got[uid].Series[r.SeriesInstanceUID], r.SOPInstanceUID)
		}
	}
	checkCounters(t, db)
	return got
}

// checkCounters verifies the invariants the write path maintains.
func checkCounters(t testing.TB, db *DB) {
	t.Helper()
	checks := []struct{ name, query string }{
		{"series.num_instances", `SELECT count(*) FROM series se WHERE num_instances <>
			(SELECT count(*) FROM instances WHERE series_id = se.id)`},
		{"studies.num_series", `SELECT count(*) FROM studies st WHERE num_series <>
			(SELECT count(*) FROM series WHERE study_id = st.id)`},
		{"studies.num_instances", `SELECT count(*) FROM studies st WHERE num_instances <>
			(SELECT count(*) FROM instances i JOIN series se ON se.id = i.series_id WHERE se.study_id = st.id)`},
		{"studies.modalities", `SELECT count(*) FROM studies st WHERE modalities <> coalesce((SELECT
			group_concat(modality, '\' ORDER BY modality) FROM (SELECT DISTINCT modality FROM series
			WHERE study_id = st.id AND modality <> '')), '')`},
		{"empty series", `SELECT count(*) FROM series WHERE num_instances = 0`},
		{"empty studies", `SELECT count(*) FROM studies WHERE num_instances = 0`},
		{"instances without metadata", `SELECT count(*) FROM instances i WHERE NOT EXISTS
			(SELECT 1 FROM instance_metadata WHERE instance_id = i.id)`},
		{"orphan metadata", `SELECT count(*) FROM instance_metadata m WHERE NOT EXISTS
			(SELECT 1 FROM instances WHERE id = m.instance_id)`},
	}
	for _, c := range checks {
		var n int
		if err := db.r.QueryRow(c.query).Scan(&n); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if n != 0 {
			t.Errorf("%s: %d rows break the invariant", c.name, n)
		}
	}
}

func uids(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s.%d", prefix, i+1)
	}
	return out
}

func mkdirAll(dir string) error { return os.MkdirAll(dir, 0o755) }

// genStudies returns n studies of 2 series of 2 instances each, with
// patient names, IDs, accession numbers, dates and modalities spread the
// way a real archive spreads them.
func genStudies(n int) []InstanceRecord {
	modalities := []string{"CT", "MR", "CR", "US", "PT", "SR", "DX", "MG"}
	var recs []InstanceRecord
	for s := range n {
		for i := range 4 {
			study := fmt.Sprintf("1.2.3.%d", s)
			series := fmt.Sprintf("%s.%d", study, i/2)
			recs = append(recs, rec(study, series, fmt.Sprintf("%s.%d", series, i), func(r *InstanceRecord) {
				r.PatientName = fmt.Sprintf("Name%05d^Given%d", s, s%7)
				r.PatientID = fmt.Sprintf("PID%05d", s*7%(n/2+1))
				r.AccessionNumber = fmt.Sprintf("ACC%05d", s)
				r.StudyDate = fmt.Sprintf("20%02d%02d%02d", 10+s%15, 1+s%12, 1+s%28)
				r.StudyTime = fmt.Sprintf("%02d%02d00", s%24, s%60)
				r.Modality = modalities[(s+i/2)%len(modalities)]
				r.StudyAttrs = make([]byte, 600)
			}))
		}
	}
	return recs
}
