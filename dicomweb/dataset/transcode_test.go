package dataset

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"testing"

	"github.com/suyashkumar/dicom"
)

// everything keeps every value in memory, for comparisons.
var everything = Options{InlineLimit: 1 << 30}

var transcodeTests = []struct {
	name      string
	reference string // the same image in explicit VR little endian, if any
	dcmconv   bool   // testdata/dcmconv holds dcmconv +te output for it
}{
	{"pydicom/MR_small_implicit.dcm", "pydicom/MR_small.dcm", true},
	{"pydicom/MR_small_bigendian.dcm", "pydicom/MR_small.dcm", true},
	{"pydicom/MR_small_expb.dcm", "pydicom/MR_small.dcm", true},
	{"pydicom/image_dfl.dcm", "", true},
	{"suyashkumar/6.dcm", "", true},
	{"pydicom/rtplan.dcm", "", true},
	{"pydicom/rtdose.dcm", "", false},
	{"pydicom/rtstruct.dcm", "", false},
	{"pydicom/ExplVR_BigEnd.dcm", "", false},
	{"pydicom/nested_priv_SQ.dcm", "", false},
	{"pydicom/priv_SQ.dcm", "", false},
	{"pydicom/empty_charset_LEI.dcm", "", false},
	{"pydicom/MR_small.dcm", "pydicom/MR_small.dcm", false},
	{"suyashkumar/4.dcm", "", false},
}

func transcode(t *testing.T, in []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := Transcode(&out, bytes.NewReader(in)); err != nil {
		t.Fatalf("Transcode = %v", err)
	}
	return out.Bytes()
}

func TestTranscode(t *testing.T) {
	for _, tt := range transcodeTests {
		t.Run(tt.name, func(t *testing.T) {
			in := readFile(t, filepath.Join(testdataDir, tt.name))
			out := transcode(t, in)
			src, err := Parse(bytes.NewReader(in), everything)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Parse(bytes.NewReader(out), everything)
			if err != nil {
				t.Fatalf("Parse(output) = %v", err)
			}
			if got.TransferSyntax != ExplicitVRLittleEndian || got.Implicit || got.Deflated || !got.HasPreamble {
				t.Errorf("output: transfer syntax %s implicit %v deflated %v preamble %v",
					got.TransferSyntax, got.Implicit, got.Deflated, got.HasPreamble)
			}
			if gl := got.Meta.Find(0x00020000); gl == nil || int(binary.LittleEndian.Uint32(gl.Value)) != metaLength(got.Meta) {
				t.Errorf("output: wrong (0002,0000) %+v", gl)
			}
			// Every element of the source, converted.
			sameDataset(t, "", src.Dataset, src.ByteOrder, got.Dataset, false)
			// The explicit VR little endian original, where there is one.
			if tt.reference != "" {
				ref := parseFile(t, filepath.Join(testdataDir, tt.reference), everything)
				sameDataset(t, "", ref.Dataset, binary.LittleEndian, got.Dataset, true)
			}
			// Another reader accepts the output (if it reads the input).
			if _, err := dicom.Parse(bytes.NewReader(in), int64(len(in)), nil); err != nil {
				t.Logf("dicom.Parse(input) = %v; output not checked with it", err)
				return
			}
			lib, err := dicom.Parse(bytes.NewReader(out), int64(len(out)), nil)
			if err != nil {
				t.Fatalf("dicom.Parse(output) = %v", err)
			}
			if n, want := len(lib.Elements), len(got.Meta.Elements)+len(got.Dataset.Elements); n != want {
				t.Errorf("dicom.Parse(output) has %d elements, want %d", n, want)
			}
		})
	}
}

// TestTranscodeDcmconv compares the output with dcmtk's conversion of the
// same input (values, not bytes: dcmtk keeps defined lengths).
func TestTranscodeDcmconv(t *testing.T) {
	for _, tt := range transcodeTests {
		if !tt.dcmconv {
			continue
		}
		t.Run(tt.name, func(t *testing.T) {
			out := transcode(t, readFile(t, filepath.Join(testdataDir, tt.name)))
			got, err := Parse(bytes.NewReader(out), everything)
			if err != nil {
				t.Fatal(err)
			}
			zr, err := gzip.NewReader(bytes.NewReader(readFile(t, filepath.Join("testdata/dcmconv", filepath.Base(tt.name)+".gz"))))
			if err != nil {
				t.Fatal(err)
			}
			want, err := Parse(zr, everything)
			if err != nil {
				t.Fatal(err)
			}
			sameDataset(t, "", want.Dataset, binary.LittleEndian, got.Dataset, false)
		})
	}
}

// sameDataset checks that got holds want's elements (converted from byte
// order bo) in order, with the same VRs and values, ignoring group lengths
// in want. With subset, got may have elements want lacks and the reverse.
func sameDataset(t *testing.T, path string, want *Dataset, bo binary.ByteOrder, got *Dataset, subset bool) {
	t.Helper()
	var elems []*Element
	for _, e := range want.Elements {
		if e.Tag.Element() != 0 {
			elems = append(elems, e)
		}
	}
	if !subset && len(elems) != len(got.Elements) {
		t.Errorf("%s: %d elements, want %d", path, len(got.Elements), len(elems))
		return
	}
	for i, w := range elems {
		var g *Element
		if subset {
			if g = got.Find(w.Tag); g == nil {
				continue
			}
		} else {
			g = got.Elements[i]
		}
		p := path + w.Tag.String()
		if g.Tag != w.Tag {
			t.Errorf("%s: tag %s, want %s", p, g.Tag, w.Tag)
			return
		}
		if g.VR != w.VR && !(g.VR == "UN" && w.Length > 0xFFFF) {
			t.Errorf("%s: VR %s, want %s", p, g.VR, w.VR)
		}
		if len(g.Items) != len(w.Items) {
			t.Errorf("%s: %d items, want %d", p, len(g.Items), len(w.Items))
			continue
		}
		for j := range w.Items {
			sameDataset(t, fmt.Sprintf("%s/%d/", p, j), w.Items[j], bo, g.Items[j], subset)
		}
		v := append([]byte(nil), w.Value...)
		if bo == binary.BigEndian {
			swapBytes(v[:len(v)-len(v)%max(1, swapSize(w.VR, bo))], max(1, swapSize(w.VR, bo)))
		}
		if !bytes.Equal(g.Value, v) {
			t.Errorf("%s %s: value % x, want % x", p, w.VR, trim(g.Value), trim(v))
		}
	}
}

func trim(b []byte) []byte {
	if len(b) > 32 {
		return b[:32]
	}
	return b
}

// metaLength is the encoded length of the meta elements after (0002,0000).
func metaLength(meta *Dataset) int {
	w := newWriter()
	for _, e := range meta.Elements[1:] {
		w.element(e.Tag, e.VR, e.Value)
	}
	return w.Len()
}

func TestTranscodeErrors(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   []byte
		want error
	}{
		{"JPEG", readFile(t, filepath.Join(testdataDir, "pydicom/JPEG2000.dcm")), ErrCompressed},
		{"RLE", readFile(t, filepath.Join(testdataDir, "pydicom/MR_small_RLE.dcm")), ErrCompressed},
		{"not DICOM", []byte("plain text, not DICOM"), ErrNotDICOM},
		{"truncated implicit", readFile(t, filepath.Join(testdataDir, "pydicom/MR_small_implicit.dcm"))[:5000], ErrMalformed},
		{"corrupt deflate", part10(DeflatedExplicitVRLittleEndian, []byte{0xFF, 0xFF, 0xFF}), ErrMalformed},
		{"too deep", part10(ImplicitVRLittleEndian, nestedImplicit(maxDepth+1)), ErrMalformed},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := Transcode(io.Discard, bytes.NewReader(tt.in)); !errors.Is(err, tt.want) {
				t.Errorf("Transcode = %v, want %v", err, tt.want)
			}
		})
	}
}

// nestedImplicit builds depth nested undefined-length sequences in
// implicit VR.
func nestedImplicit(depth int) []byte {
	d := newEnc(binary.LittleEndian, true)
	for i := 0; i < depth; i++ {
		d.header(0x00081115, "", 0xFFFFFFFF)
		d.item(TagItem, 0xFFFFFFFF)
	}
	for i := 0; i < depth; i++ {
		d.item(TagItemDelimitation, 0)
		d.item(TagSequenceDelimitation, 0)
	}
	return d.Bytes()
}

// TestTranscodeCrafted covers what the test files lack: a bare implicit
// dataset (no meta), a value too long for its VR's 2-byte length, an
// undefined-length UN, big endian values of every swapped VR and a long
// value copied in chunks.
func TestTranscodeCrafted(t *testing.T) {
	long := bytes.Repeat([]byte{1, 2, 3, 4, 5, 6, 7, 8}, 20000) // 160000 bytes
	d := newEnc(binary.LittleEndian, true)
	d.elem(0x00080000, "", []byte{4, 0, 0, 0}) // group length: dropped
	d.elem(0x00080018, "", []byte("1.2.3\x00"))
	d.elem(0x00283006, "", long) // LUT Data, US: too long for a 2-byte length
	d.header(0x00091001, "", 0xFFFFFFFF)
	d.item(TagItem, 0xFFFFFFFF)
	d.elem(0x00100010, "", []byte("A^B "))
	d.item(TagItemDelimitation, 0)
	d.item(TagSequenceDelimitation, 0)
	out := transcode(t, d.Bytes())
	f, err := Parse(bytes.NewReader(out), everything)
	if err != nil {
		t.Fatal(err)
	}
	if f.Dataset.Find(0x00080000) != nil {
		t.Errorf("group length kept")
	}
	if e := f.Dataset.Find(0x00283006); e == nil || e.VR != "UN" || !bytes.Equal(e.Value, long) {
		t.Errorf("long US = %v, want UN with the value", e)
	}
	if e := f.Dataset.Find(0x00091001); e == nil || e.VR != "SQ" || len(e.Items) != 1 {
		t.Errorf("undefined-length private = %+v, want SQ", e)
	}
	if f.Meta.Find(TagTransferSyntaxUID) == nil || f.Meta.Find(0x00020001) == nil {
		t.Errorf("meta group = %+v, want version and transfer syntax", f.Meta.Elements)
	}

	be := newEnc(binary.BigEndian, false)
	values := map[string][]byte{
		"US": {0, 1, 0, 2}, "SS": {0xFF, 0xFE}, "UL": {0, 0, 1, 0}, "SL": {0xFF, 0xFF, 0xFF, 0xFE},
		"FL": {0x3F, 0x80, 0, 0}, "FD": {0x3F, 0xF0, 0, 0, 0, 0, 0, 0}, "SV": {0, 0, 0, 0, 0, 0, 0, 1},
		"UV": {0, 0, 0, 0, 0, 0, 1, 0}, "AT": {0x00, 0x20, 0x00, 0x0D}, "OW": {1, 2, 3, 4},
		"OF": {1, 2, 3, 4}, "OL": {1, 2, 3, 4}, "OD": {1, 2, 3, 4, 5, 6, 7, 8}, "OV": {1, 2, 3, 4, 5, 6, 7, 8},
		"OB": {1, 2, 3}, "UN": {1, 2, 3, 4}, "LO": []byte("ab"),
	}
	tags := map[string]Tag{}
	next := Tag(0x00111000)
	for _, vr := range []string{"US", "SS", "UL", "SL", "FL", "FD", "SV", "UV", "AT", "OW", "OF", "OL", "OD", "OV", "OB", "UN", "LO"} {
		tags[vr] = next
		be.elem(next, vr, values[vr])
		next++
	}
	be.elem(TagPixelData, "OW", long)
	out = transcode(t, part10(ExplicitVRBigEndian, be.Bytes()))
	f, err = Parse(bytes.NewReader(out), everything)
	if err != nil {
		t.Fatal(err)
	}
	for vr, tag := range tags {
		want := append([]byte(nil), values[vr]...)
		if n := swapSize(vr, binary.BigEndian); n > 0 {
			swapBytes(want, n)
		}
		if e := f.Dataset.Find(tag); e == nil || !bytes.Equal(e.Value, want) {
			t.Errorf("%s: %v, want % x", vr, e, want)
		}
	}
	if got, _ := f.Dataset.Find(tags["FD"]).Numbers(binary.LittleEndian); len(got) != 1 || got[0] != "1" {
		t.Errorf("FD = %q, want 1", got)
	}
	want := append([]byte(nil), long...)
	swapBytes(want, 2)
	if e := f.Dataset.Find(TagPixelData); e == nil || !bytes.Equal(e.Value, want) {
		t.Errorf("Pixel Data not swapped as 16-bit words")
	}
}
