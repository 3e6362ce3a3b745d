package dataset

import (
	"bytes"
	"io"
	"path/filepath"
	"testing"
)

// BenchmarkParseHeader reads a CT file up to its pixel data, what indexing
// an upload costs.
func BenchmarkParseHeader(b *testing.B) {
	data := readFile(b, filepath.Join(testdataDir, "pydicom/CT_small.dcm"))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(bytes.NewReader(data), Options{StopAtPixelData: true}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParse reads a whole multi-frame CT file (pixel data skipped as bulk).
func BenchmarkParse(b *testing.B) {
	data := readFile(b, filepath.Join(testdataDir, "suyashkumar/5.dcm"))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(bytes.NewReader(data), Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTranscode converts a big endian file to explicit VR little endian.
func BenchmarkTranscode(b *testing.B) {
	data := readFile(b, filepath.Join(testdataDir, "pydicom/MR_small_bigendian.dcm"))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if err := Transcode(io.Discard, bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}
