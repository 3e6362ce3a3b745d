package dicomjson

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pacslite/pacslite/dicomweb/dataset"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden/dicomjson")

const (
	testdataDir = "../../testdata"
	goldenDir   = "../../testdata/golden/dicomjson"
)

// goldenFiles are the inputs of the golden tests, relative to testdataDir.
//
// Each golden file was reviewed against pydicom 2.3.1's Dataset.to_json_dict
// (and dcmtk 3.6.7's dcm2json for the character set files) with
// testdata/golden/dicomjson/compare_pydicom.py, which reports every
// difference. The remaining, expected ones are listed in README.md there:
// DS/IS normalisation (pydicom turns DS into floats), BulkDataURI strings,
// and pydicom's own faults (FL values widened to double, NaN).
var goldenFiles = []string{
	"pydicom/MR_small.dcm",
	"pydicom/CT_small.dcm",
	"pydicom/rtplan.dcm",
	"pydicom/test-SR.dcm",
	"pydicom/reportsi.dcm",
	"pydicom/waveform_ecg.dcm",
	"pydicom/nested_priv_SQ.dcm",
	"pydicom/UN_sequence.dcm",
	"charset/chrH31.dcm",
	"charset/chrI2.dcm",
	"charset/chrX1.dcm",
	"charset/chrSQEncoding.dcm",
	"charset/chrJapMulti.dcm",
	"charset/chrKoreanMulti.dcm",
	"suyashkumar/1.dcm",
	"suyashkumar/5.dcm",
}

// goldenName maps an input to its golden file name: the base name, with
// the folder in front where base names repeat (suyashkumar-1.json).
func goldenName(input string) string {
	dir, base := filepath.Split(input)
	name := strings.TrimSuffix(base, ".dcm") + ".json"
	if dir == "suyashkumar/" {
		name = "suyashkumar-" + name
	}
	return name
}

// goldenOptions are the FromDataset options of the golden files: values
// over 64 bytes (and pixel data, and values the parser skipped) as
// BulkDataURIs naming the tag path and offset, smaller ones inline.
func goldenOptions() FromOptions {
	return FromOptions{
		BulkDataURI: func(path []uint32, e *dataset.Element) string {
			if !e.Bulk && e.Fragments == nil && e.Length >= 0 && e.Length <= 64 {
				return ""
			}
			var b strings.Builder
			b.WriteString("bulk/")
			for i, t := range path {
				if i > 0 {
					b.WriteByte('.')
				}
				fmt.Fprintf(&b, "%08X", t)
			}
			fmt.Fprintf(&b, "@%d", e.Offset)
			return b.String()
		},
		InlineBinaryLimit: 64,
	}
}

// fromFile parses a file under testdataDir and builds its object.
func fromFile(t testing.TB, input string, opts FromOptions) Object {
	t.Helper()
	f, err := os.Open(filepath.Join(testdataDir, input))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	file, err := dataset.Parse(f, dataset.Options{})
	if err != nil {
		t.Fatalf("dataset.Parse(%s) = %v", input, err)
	}
	o, err := FromDataset(file.Dataset, file.Charset(), file.ByteOrder, opts)
	if err != nil {
		t.Fatalf("FromDataset(%s) = %v", input, err)
	}
	return o
}

// readGolden decodes a golden file.
func readGolden(t testing.TB, name string) Object {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(goldenDir, name))
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	var o Object
	if err := o.UnmarshalJSON(b); err != nil {
		t.Fatalf("decode golden %s: %v", name, err)
	}
	return o
}

func TestFromDatasetGolden(t *testing.T) {
	for _, input := range goldenFiles {
		name := goldenName(input)
		t.Run(name, func(t *testing.T) {
			got := fromFile(t, input, goldenOptions())
			enc := got.AppendJSON(nil)
			if !json.Valid(enc) {
				t.Fatalf("AppendJSON(FromDataset(%s)) is not valid JSON", input)
			}
			if *update {
				var pretty bytes.Buffer
				if err := json.Indent(&pretty, enc, "", " "); err != nil {
					t.Fatal(err)
				}
				pretty.WriteByte('\n')
				if err := os.MkdirAll(goldenDir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(goldenDir, name), pretty.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want := readGolden(t, name)
			if diff := cmp.Diff(want, got, cmpObjects...); diff != "" {
				t.Errorf("FromDataset(%s) differs from %s (-golden +got):\n%s", input, name, diff)
			}
		})
	}
}

// TestGoldenRoundTrip checks that every golden file is a fixed point:
// decoding its canonical encoding gives the same object back, and the
// encoding is valid JSON.
func TestGoldenRoundTrip(t *testing.T) {
	for _, input := range goldenFiles {
		name := goldenName(input)
		t.Run(name, func(t *testing.T) {
			want := readGolden(t, name)
			enc := want.AppendJSON(nil)
			if !json.Valid(enc) {
				t.Fatalf("AppendJSON(%s) is not valid JSON", name)
			}
			var got Object
			if err := got.UnmarshalJSON(enc); err != nil {
				t.Fatalf("UnmarshalJSON(AppendJSON(%s)) = %v", name, err)
			}
			if diff := cmp.Diff(want, got, cmpObjects...); diff != "" {
				t.Errorf("decode(encode(%s)) (-want +got):\n%s", name, diff)
			}
			if again := got.AppendJSON(nil); !bytes.Equal(again, enc) {
				t.Errorf("encode(decode(encode(%s))) differs from encode(%s)", name, name)
			}
			var xmlOut bytes.Buffer
			if err := want.WriteXML(&xmlOut); err != nil {
				t.Fatal(err)
			}
			var model xmlModel
			if err := xml.Unmarshal(xmlOut.Bytes(), &model); err != nil {
				t.Errorf("WriteXML(%s) is not well-formed: %v", name, err)
			}
		})
	}
}

// TestFromDatasetByteOrders checks that one image stored in four transfer
// syntaxes gives one object: big endian OW pixel data is swapped to little
// endian for InlineBinary.
func TestFromDatasetByteOrders(t *testing.T) {
	opts := FromOptions{InlineBinaryLimit: 1 << 20}
	want := fromFile(t, "pydicom/MR_small.dcm", opts)
	if a, ok := want.Get(0x7FE00010); !ok || len(a.InlineBinary) != 8192 {
		t.Fatalf("MR_small pixel data = %+v, want 8192 bytes inline", a)
	}
	for _, input := range []string{"pydicom/MR_small_bigendian.dcm", "pydicom/MR_small_implicit.dcm", "pydicom/MR_small_expb.dcm"} {
		got := fromFile(t, input, opts)
		if diff := cmp.Diff(want, got, cmpObjects...); diff != "" {
			t.Errorf("FromDataset(%s) differs from MR_small (-want +got):\n%s", input, diff)
		}
	}
}

func TestFromDatasetBulkDataOptions(t *testing.T) {
	const input = "suyashkumar/1.dcm" // has an Icon Image Sequence
	var paths []string
	uri := func(path []uint32, e *dataset.Element) string {
		if e.Length <= 64 {
			return ""
		}
		p := fmt.Sprintf("%08X", path)
		paths = append(paths, p)
		return p
	}
	o := fromFile(t, input, FromOptions{BulkDataURI: uri, InlineBinaryLimit: 64})
	want := []string{"[00880200 00281201]", "[00880200 00281202]", "[00880200 00281203]", "[00880200 7FE00010]", "[7FE00010]"}
	if diff := cmp.Diff(want, paths); diff != "" {
		t.Errorf("BulkDataURI paths (-want +got):\n%s", diff)
	}
	if a := mustGet(t, o, 0x7FE00010); a.BulkDataURI != "[7FE00010]" {
		t.Errorf("pixel data = %+v, want BulkDataURI [7FE00010]", a)
	}
	icon := mustGet(t, o, 0x00880200).Items()[0]
	if a := mustGet(t, icon, 0x7FE00010); a.BulkDataURI != "[00880200 7FE00010]" {
		t.Errorf("icon pixel data = %+v, want its BulkDataURI", a)
	}

	// No BulkDataURI and no inlining: binary attributes are empty.
	o = fromFile(t, input, FromOptions{})
	if a := mustGet(t, o, 0x7FE00010); a.BulkDataURI != "" || a.InlineBinary != nil {
		t.Errorf("pixel data without options = %+v, want empty", a)
	}
	if got := string(Object{attrs: []Attribute{mustGet(t, o, 0x7FE00010)}}.AppendJSON(nil)); got != `{"7FE00010":{"vr":"OW"}}` {
		t.Errorf("pixel data without options encodes as %s", got)
	}

	// Everything inline except values the parser did not keep.
	f, err := os.Open(filepath.Join(testdataDir, input))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	file, err := dataset.Parse(f, dataset.Options{InlineLimit: 1024})
	if err != nil {
		t.Fatal(err)
	}
	o, err = FromDataset(file.Dataset, file.Charset(), file.ByteOrder, FromOptions{InlineBinaryLimit: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	if a := mustGet(t, o, 0x7FE00010); a.InlineBinary != nil {
		t.Errorf("bulk pixel data was inlined (%d bytes)", len(a.InlineBinary))
	}
	if a := mustGet(t, mustGet(t, o, 0x00880200).Items()[0], 0x00281201); len(a.InlineBinary) != 256 {
		t.Errorf("icon red palette = %d bytes inline, want 256", len(a.InlineBinary))
	}
}
