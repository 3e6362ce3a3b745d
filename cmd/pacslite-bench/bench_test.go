package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pacslite/pacslite/dicomweb/dataset"
	"github.com/pacslite/pacslite/store/index"
)

func testTemplates(t *testing.T) *templates {
	t.Helper()
	ts, err := loadTemplates(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

// TestRender checks that a cloned instance of every template parses, with
// the generator's UIDs and attributes and a pixel matrix of the new size.
func TestRender(t *testing.T) {
	ts := testTemplates(t)
	g := newGenerator(7, ts, 0)
	for _, k := range []seriesKind{mix[0].kinds[0], mix[3].kinds[0], mix[4].kinds[0], mix[5].kinds[0]} {
		t.Run(k.modality+"/"+k.tmpl(ts).name, func(t *testing.T) {
			st := g.newStudy("DESC")
			se := g.addSeries(st, k, "SERIES", 3)
			var buf bytes.Buffer
			n, err := se.render(&buf, 2)
			if err != nil || n != int64(buf.Len()) {
				t.Fatalf("render = %d, %v; wrote %d", n, err, buf.Len())
			}
			if d := n - se.fileSize(); d < -200 || d > 200 {
				t.Errorf("fileSize = %d, rendered %d", se.fileSize(), n)
			}
			f, err := dataset.Parse(bytes.NewReader(buf.Bytes()), dataset.Options{InlineLimit: 1 << 30})
			if err != nil {
				t.Fatalf("Parse(rendered) = %v", err)
			}
			str := func(tag dataset.Tag) string {
				e := f.Dataset.Find(tag)
				if e == nil {
					return "<missing>"
				}
				v := e.Strings(nil)
				if len(v) == 0 {
					return ""
				}
				return v[0]
			}
			got := []string{f.TransferSyntax, str(dataset.TagStudyInstanceUID), str(dataset.TagSeriesInstanceUID),
				str(dataset.TagSOPInstanceUID), str(0x00100010), str(0x00100020), str(0x00080060), str(0x00200013)}
			want := []string{se.tmpl.ts, st.uid, se.uid, se.sops[2], st.patient.name, st.patient.id, k.modality, "3"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("rendered attributes (-want +got):\n%s", diff)
			}
			px := f.Dataset.Find(dataset.TagPixelData)
			if want := se.rows * se.cols * 2; px == nil || len(px.Value) != want {
				t.Errorf("pixel data = %v, want %d bytes", px, want)
			}
		})
	}
}

// TestRecords indexes a generated study directly and finds it by the
// values a study list searches for.
func TestRecords(t *testing.T) {
	ts := testTemplates(t)
	g := newGenerator(3, ts, 0)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "index.db")
	n, err := indexDirect(ctx, g, path, 0, 500, nil)
	if err != nil || n < 500 {
		t.Fatalf("indexDirect = %d, %v", n, err)
	}
	db, err := index.Open(ctx, path, index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p := g.patients[0]
	ms, err := db.Search(ctx, index.Query{Level: index.StudyLevel, Limit: 10,
		Filters: []index.Filter{{Tag: 0x00100020, Kind: index.MatchSingle, Values: []string{p.id}}}})
	if err != nil || len(ms) == 0 {
		t.Fatalf("Search(PatientID %s) = %d matches, %v", p.id, len(ms), err)
	}
	if !bytes.Contains(ms[0].StudyAttrs, []byte(p.id)) {
		t.Errorf("study attributes %s lack the patient ID", ms[0].StudyAttrs)
	}
}

func TestParseSizes(t *testing.T) {
	got, err := parseSizes("10k, 1.5M,2000000")
	if diff := cmp.Diff([]int{10000, 1500000, 2000000}, got); diff != "" || err != nil {
		t.Errorf("parseSizes = %v, %v; diff %s", got, err, diff)
	}
	for _, bad := range []string{"", "x", "10k,5k", "-1"} {
		if _, err := parseSizes(bad); err == nil {
			t.Errorf("parseSizes(%q) = nil error", bad)
		}
	}
}

// BenchmarkIndexDirect measures direct indexing (how long a 1M-instance
// archive takes to build): ns/op is per instance, records generated and
// written in transactions of about 2,000.
func BenchmarkIndexDirect(b *testing.B) {
	ts, err := loadTemplates(filepath.Join("..", ".."))
	if err != nil {
		b.Fatal(err)
	}
	g := newGenerator(5, ts, 0)
	path := filepath.Join(b.TempDir(), "index.db")
	b.ResetTimer()
	n, err := indexDirect(context.Background(), g, path, 0, b.N, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(n)/float64(b.N), "instances/op")
}

// BenchmarkRecords measures making the index records (JSON included) of
// one instance, without writing them.
func BenchmarkRecords(b *testing.B) {
	ts, err := loadTemplates(filepath.Join("..", ".."))
	if err != nil {
		b.Fatal(err)
	}
	g := newGenerator(5, ts, 0)
	var n, bytes int
	for b.Loop() {
		recs, err := g.randomStudy().records()
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range recs {
			bytes += len(r.Metadata) + len(r.StudyAttrs) + len(r.SeriesAttrs) + len(r.InstanceAttrs)
		}
		n += len(recs)
	}
	b.ReportMetric(float64(bytes)/float64(n), "JSON-bytes/instance")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/instance")
}

// TestRecord replaces the block of the same kind of run and keeps the rest.
func TestRecord(t *testing.T) {
	path := filepath.Join(t.TempDir(), "BENCHMARKS.md")
	steps := []struct{ key, report string }{{"full", "A1\n"}, {"quick", "B1\n"}, {"full", "A2\n"}}
	for _, s := range steps {
		if err := record(path, s.key, s.report); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got := string(b)
	for _, want := range []string{"# Benchmarks\n", "A2\n", "B1\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("file lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "A1") || strings.Count(got, ": begin") != 2 {
		t.Errorf("old block kept or blocks duplicated:\n%s", got)
	}
}
