package dicomjson

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/pacslite/pacslite/dicomweb/dataset"
)

// BenchmarkAppendJSON encodes the metadata of a typical CT instance
// (CT_small: ~240 attributes, private groups, one sequence) into a reused
// buffer, as series metadata of 1,000 instances would be written.
func BenchmarkAppendJSON(b *testing.B) {
	o := readGolden(b, "CT_small.json")
	buf := o.AppendJSON(nil)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		buf = o.AppendJSON(buf[:0])
	}
}

// BenchmarkFromDataset builds the metadata object of a parsed CT instance,
// as STOW-RS does once per stored instance.
func BenchmarkFromDataset(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(testdataDir, "pydicom/CT_small.dcm"))
	if err != nil {
		b.Fatal(err)
	}
	f, err := dataset.Parse(bytes.NewReader(data), dataset.Options{})
	if err != nil {
		b.Fatal(err)
	}
	cs, opts := f.Charset(), goldenOptions()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := FromDataset(f.Dataset, cs, f.ByteOrder, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUnmarshalJSON decodes the same metadata (tests and clients).
func BenchmarkUnmarshalJSON(b *testing.B) {
	data := readGolden(b, "CT_small.json").AppendJSON(nil)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var o Object
		if err := o.UnmarshalJSON(data); err != nil {
			b.Fatal(err)
		}
	}
}
