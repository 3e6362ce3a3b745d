package index

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// cpuTimer reports the process CPU time (user+system) per op as cpu-ns/op
// next to ns/op: on a shared machine wall time measures the neighbours.
func cpuTimer(b *testing.B) func() {
	start := cpuNow()
	return func() {
		b.ReportMetric(float64((cpuNow()-start).Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

func cpuNow() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func benchDB(b *testing.B, sync string) *DB {
	b.Helper()
	db, err := Open(context.Background(), filepath.Join(b.TempDir(), "index.db"), Options{synchronous: sync})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// metadata5K is a WADO-RS metadata object of about 5 KB.
func metadata5K(sop string) []byte {
	var sb strings.Builder
	sb.WriteString(`{"00080018":{"vr":"UI","Value":["` + sop + `"]}`)
	for i := 0; sb.Len() < 5000; i++ {
		fmt.Fprintf(&sb, `,"0009%04X":{"vr":"LO","Value":["value %d of a private attribute"]}`, i, i)
	}
	sb.WriteString("}")
	return []byte(sb.String())
}

// BenchmarkPutInstance measures one PutInstance (one transaction) per op,
// with synchronous=FULL (the default) and NORMAL for comparison.
func BenchmarkPutInstance(b *testing.B) {
	for _, sync := range []string{"FULL", "NORMAL"} {
		b.Run(sync, func(b *testing.B) {
			db := benchDB(b, sync)
			ctx := context.Background()
			md := metadata5K("x")
			b.ResetTimer()
			defer cpuTimer(b)()
			for i := range b.N {
				r := rec(fmt.Sprintf("s%d", i/100), fmt.Sprintf("se%d", i/50), fmt.Sprintf("i%d", i))
				r.Metadata = md
				if _, err := db.PutInstance(ctx, r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPutInstances measures the bulk path: ns/op is per instance, in
// batches of 1000 (studies of 2 series of 5 instances each), with 5 KB of
// metadata per instance and with none.
func BenchmarkPutInstances(b *testing.B) {
	for _, size := range []int{5000, 0} {
		b.Run(fmt.Sprintf("metadata%dB", size), func(b *testing.B) {
			db := benchDB(b, "")
			ctx := context.Background()
			var md []byte
			if size > 0 {
				md = metadata5K("x")
			}
			b.ResetTimer()
			defer cpuTimer(b)()
			for start := 0; start < b.N; start += 1000 {
				var recs []InstanceRecord
				for i := start; i < min(start+1000, b.N); i++ {
					r := rec(fmt.Sprintf("s%d", i/10), fmt.Sprintf("se%d", i/5), fmt.Sprintf("i%d", i))
					r.Metadata = md
					recs = append(recs, r)
				}
				if _, err := db.PutInstances(ctx, recs); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSearchRecentStudies runs study-list queries over 10,000
// studies (2 series of 2 instances each).
func BenchmarkSearchRecentStudies(b *testing.B) {
	db := benchDB(b, "")
	ctx := context.Background()
	recs := genStudies(10000)
	for start := 0; start < len(recs); start += 2000 {
		if _, err := db.PutInstances(ctx, recs[start:start+2000]); err != nil {
			b.Fatal(err)
		}
	}
	page := func(offset int, fs ...Filter) Query {
		return Query{Level: StudyLevel, Limit: 101, Offset: offset, Filters: fs}
	}
	for _, bb := range []struct {
		name string
		q    Query
	}{
		{"recent", page(0)},
		{"offset5000", page(5000)},
		{"PatientID", page(0, single(tagPatientID, "PID04242"))},
		{"PatientNamePrefix", page(0, wild(tagPatientName, "name042*"))},
		{"PatientNameContains", page(0, wild(tagPatientName, "*042*"))},
		{"PatientNameFuzzy", Query{Level: StudyLevel, Limit: 101, FuzzyNames: true,
			Filters: []Filter{single(tagPatientName, "given3")}}},
		{"StudyDateRange", page(0, rng(tagStudyDate, "20150101", "20151231"))},
		{"ModalitiesInStudyCT", page(0, single(tagModalitiesInStudy, "CT"))},
	} {
		b.Run(bb.name, func(b *testing.B) {
			defer cpuTimer(b)()
			for range b.N {
				ms, err := db.Search(ctx, bb.q)
				if err != nil || len(ms) == 0 {
					b.Fatalf("Search = %d matches, %v", len(ms), err)
				}
			}
		})
	}
}

// BenchmarkForEachMetadata1000 streams the metadata of one series of
// 1,000 instances of 5 KB each, as WADO-RS series metadata does.
func BenchmarkForEachMetadata1000(b *testing.B) {
	db := benchDB(b, "")
	ctx := context.Background()
	var recs []InstanceRecord
	for i := range 1000 {
		r := rec("s", "se", fmt.Sprintf("1.2.3.%d", i), func(r *InstanceRecord) { r.InstanceNumber = ip(int64(i)) })
		r.Metadata = metadata5K(r.SOPInstanceUID)
		recs = append(recs, r)
	}
	if _, err := db.PutInstances(ctx, recs); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	defer cpuTimer(b)()
	var bytes int64
	for range b.N {
		n := 0
		err := db.ForEachMetadata(ctx, "s", "se", "", func(_ InstanceRef, md []byte) error {
			n++
			bytes += int64(len(md))
			return nil
		})
		if err != nil || n != 1000 {
			b.Fatalf("ForEachMetadata = %d instances, %v", n, err)
		}
	}
	b.SetBytes(bytes / int64(b.N))
}
