package dataset

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
)

// structureGolden is testdata/structure_golden.json (see
// testdata/gen_structure_golden.py): each file's top-level elements as
// pydicom reads them.
type structureGolden struct {
	TransferSyntax string `json:"transfer_syntax"`
	Forced         bool   `json:"forced"`
	Elements       []struct {
		Tag    string `json:"tag"`
		VR     string `json:"vr"`
		Offset int64  `json:"offset"`
		Length int64  `json:"length"`
	} `json:"elements"`
}

// wantErr lists the test files Parse must reject, and why.
var wantErr = map[string]error{
	"pydicom/no_meta.dcm":      ErrNotDICOM,  // starts with a stray byte: no element at offset 0
	"pydicom/MR_truncated.dcm": ErrMalformed, // pixel data cut short
}

func TestStructureGolden(t *testing.T) {
	var golden map[string]structureGolden
	if err := json.Unmarshal(readFile(t, "testdata/structure_golden.json"), &golden); err != nil {
		t.Fatal(err)
	}
	for name, want := range golden {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(testdataDir, name)
			if werr := wantErr[name]; werr != nil {
				_, err := Parse(bytes.NewReader(readFile(t, path)), Options{})
				if !errors.Is(err, werr) {
					t.Fatalf("Parse(%s) = %v, want %v", name, err, werr)
				}
				return
			}
			f := parseFile(t, path, Options{})
			if !want.Forced && f.TransferSyntax != want.TransferSyntax {
				t.Errorf("TransferSyntax = %q, want %q", f.TransferSyntax, want.TransferSyntax)
			}
			if got := len(f.Dataset.Elements); got != len(want.Elements) {
				t.Fatalf("%d top-level elements, want %d", got, len(want.Elements))
			}
			for i, w := range want.Elements {
				e := f.Dataset.Elements[i]
				if e.Tag.String() != w.Tag {
					t.Fatalf("element %d: tag %s, want %s", i, e.Tag, w.Tag)
				}
				if w.VR != "" && w.VR != e.VR {
					t.Errorf("%s: VR %s, want %s", e.Tag, e.VR, w.VR)
				}
				if w.Offset >= 0 && (e.Offset != w.Offset || e.Length != w.Length) {
					t.Errorf("%s: offset %d length %d, want %d %d", e.Tag, e.Offset, e.Length, w.Offset, w.Length)
				}
			}
		})
	}
}

// TestValueOffsets checks every recorded position against the bytes of the
// file (or of the inflated dataset): values, fragments and bulk values.
func TestValueOffsets(t *testing.T) {
	for _, path := range allTestFiles(t) {
		name := strings.TrimPrefix(path, testdataDir+"/")
		if wantErr[name] != nil {
			continue
		}
		t.Run(name, func(t *testing.T) {
			data := readFile(t, path)
			f, err := Parse(bytes.NewReader(data), Options{InlineLimit: 256})
			if err != nil {
				t.Fatal(err)
			}
			full, err := Parse(bytes.NewReader(data), Options{})
			if err != nil {
				t.Fatal(err)
			}
			stream := data
			if f.Deflated {
				stream, err = io.ReadAll(flate.NewReader(bytes.NewReader(data[f.DatasetOffset:])))
				if err != nil {
					t.Fatal(err)
				}
			}
			checkOffsets(t, data, f.Meta, full.Meta)
			checkOffsets(t, stream, f.Dataset, full.Dataset)
		})
	}
}

func checkOffsets(t *testing.T, stream []byte, d, full *Dataset) {
	t.Helper()
	if len(d.Elements) != len(full.Elements) {
		t.Fatalf("%d elements with a small InlineLimit, %d without", len(d.Elements), len(full.Elements))
	}
	for i, e := range d.Elements {
		fe := full.Elements[i]
		switch {
		case e.Items != nil:
			for j := range e.Items {
				checkOffsets(t, stream, e.Items[j], fe.Items[j])
			}
		case e.Fragments != nil:
			for _, fr := range e.Fragments {
				hdr := stream[fr.Offset-8 : fr.Offset]
				if !bytes.Equal(hdr[:4], []byte{0xFE, 0xFF, 0x00, 0xE0}) || int64(binary.LittleEndian.Uint32(hdr[4:])) != fr.Length {
					t.Errorf("%s: fragment at %d not preceded by its item header", e.Tag, fr.Offset)
				}
			}
		case e.Length >= 0:
			got := stream[e.Offset : e.Offset+e.Length]
			if e.Bulk != (e.Length > 256) {
				t.Errorf("%s: Bulk = %v for %d bytes", e.Tag, e.Bulk, e.Length)
			}
			if !e.Bulk && !bytes.Equal(got, e.Value) {
				t.Errorf("%s: Value differs from the file bytes at %d", e.Tag, e.Offset)
			}
			if !fe.Bulk && !bytes.Equal(got, fe.Value) {
				t.Errorf("%s: bytes at %d differ from the value read whole", e.Tag, e.Offset)
			}
		}
	}
}

// TestParseLayouts covers the ways a stream can start.
func TestParseLayouts(t *testing.T) {
	mr := readFile(t, filepath.Join(testdataDir, "pydicom/MR_small.dcm"))
	ref, err := Parse(bytes.NewReader(mr), Options{})
	if err != nil {
		t.Fatal(err)
	}
	bare := mr[ref.DatasetOffset:]
	implicitMR := readFile(t, filepath.Join(testdataDir, "pydicom/MR_small_implicit.dcm"))
	refImpl, err := Parse(bytes.NewReader(implicitMR), Options{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name         string
		in           []byte
		ts           string
		preamble     bool
		metaElements int
	}{
		{"preamble and meta", mr, ExplicitVRLittleEndian, true, len(ref.Meta.Elements)},
		{"DICM without preamble", mr[128:], ExplicitVRLittleEndian, false, len(ref.Meta.Elements)},
		{"meta without preamble", mr[132:], ExplicitVRLittleEndian, false, len(ref.Meta.Elements)},
		{"bare explicit", bare, ExplicitVRLittleEndian, false, 0},
		{"bare implicit", implicitMR[refImpl.DatasetOffset:], ImplicitVRLittleEndian, false, 0},
		{"preamble without meta", append(append(make([]byte, 128), "DICM"...), bare...), ExplicitVRLittleEndian, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse(bytes.NewReader(tt.in), Options{})
			if err != nil {
				t.Fatalf("Parse = %v", err)
			}
			if f.TransferSyntax != tt.ts || f.HasPreamble != tt.preamble || len(f.Meta.Elements) != tt.metaElements {
				t.Errorf("Parse = ts %s preamble %v meta %d, want %s %v %d",
					f.TransferSyntax, f.HasPreamble, len(f.Meta.Elements), tt.ts, tt.preamble, tt.metaElements)
			}
			if got, want := len(f.Dataset.Elements), len(ref.Dataset.Elements); tt.ts == ExplicitVRLittleEndian && got != want {
				t.Errorf("%d elements, want %d", got, want)
			}
			if e := f.Dataset.Find(TagPixelData); e == nil || e.Length != 8192 {
				t.Errorf("Pixel Data = %+v, want 8192 bytes", e)
			}
		})
	}
}

func TestStopAtPixelData(t *testing.T) {
	for _, name := range []string{"pydicom/MR_small_padded.dcm", "pydicom/JPEG2000.dcm", "suyashkumar/6.dcm"} {
		t.Run(name, func(t *testing.T) {
			f := parseFile(t, filepath.Join(testdataDir, name), Options{StopAtPixelData: true})
			last := f.Dataset.Elements[len(f.Dataset.Elements)-1]
			if last.Tag != TagPixelData {
				t.Fatalf("last element %s, want Pixel Data", last.Tag)
			}
			full := parseFile(t, filepath.Join(testdataDir, name), Options{})
			pd := full.Dataset.Find(TagPixelData)
			if last.Offset != pd.Offset || last.Length != pd.Length || len(last.Fragments) != len(pd.Fragments) {
				t.Errorf("Pixel Data at %d (%d bytes, %d fragments), want %d (%d, %d)",
					last.Offset, last.Length, len(last.Fragments), pd.Offset, pd.Length, len(pd.Fragments))
			}
		})
	}
}

func TestEncapsulated(t *testing.T) {
	f := parseFile(t, filepath.Join(testdataDir, "pydicom/JPEG2000.dcm"), Options{})
	pd := f.Dataset.Find(TagPixelData)
	if pd.Length != -1 || pd.Value != nil || len(pd.Fragments) != 2 {
		t.Fatalf("Pixel Data = length %d, %d fragments, want undefined length, offset table + 1 fragment", pd.Length, len(pd.Fragments))
	}
	if pd.Fragments[0].Length != 0 {
		t.Errorf("Basic Offset Table of %d bytes, want empty", pd.Fragments[0].Length)
	}
}

func TestUNSequence(t *testing.T) {
	f := parseFile(t, filepath.Join(testdataDir, "pydicom/UN_sequence.dcm"), Options{})
	e := f.Dataset.Find(0x4453100C)
	if e == nil || e.VR != "SQ" || len(e.Items) != 1 {
		t.Fatalf("(4453,100C) = %+v, want a sequence of one item", e)
	}
	inner := e.Items[0].Find(0x00081115)
	if inner == nil || inner.VR != "SQ" || len(inner.Items) != 1 {
		t.Fatalf("Referenced Series Sequence = %+v, want one item (implicit VR inside UN)", inner)
	}
}

// TestImplicitVR checks the VR rules of implicit VR files.
func TestImplicitVR(t *testing.T) {
	for _, rep := range []uint16{0, 1} {
		d := newEnc(binary.LittleEndian, true)
		v := make([]byte, 2)
		binary.LittleEndian.PutUint16(v, rep)
		d.elem(0x00080000, "", []byte{0, 0, 0, 0})   // group length: UL
		d.elem(0x00090010, "", []byte("ACME"))       // private creator: LO
		d.elem(0x00091001, "", []byte{1, 2})         // private: UN
		d.elem(0x00280103, "", v)                    // Pixel Representation
		d.elem(0x00280106, "", []byte{0xFF, 0xFF})   // Smallest Image Pixel Value: US or SS
		d.elem(0x60003000, "", []byte{0, 0})         // Overlay Data: OB or OW
		d.elem(0x60020010, "", []byte{1, 0})         // Overlay Rows, repeating group
		d.elem(0x00190000, "", nil)                  // odd group length: UL
		d.elem(TagPixelData, "", []byte{1, 2, 3, 4}) // OW
		f, err := Parse(bytes.NewReader(part10(ImplicitVRLittleEndian, d.Bytes())), Options{})
		if err != nil {
			t.Fatal(err)
		}
		want := map[Tag]string{0x00080000: "UL", 0x00090010: "LO", 0x00091001: "UN", 0x00280106: "US",
			0x60003000: "OW", 0x60020010: "US", 0x00190000: "UL", TagPixelData: "OW"}
		if rep == 1 {
			want[0x00280106] = "SS"
		}
		for tag, vr := range want {
			if e := f.Dataset.Find(tag); e == nil || e.VR != vr {
				t.Errorf("pixel representation %d: %s VR = %+v, want %s", rep, tag, e, vr)
			}
		}
	}
}

// TestUnknownVR: an explicit VR the standard does not define is read with
// a 2-byte length and the dictionary VR.
func TestUnknownVR(t *testing.T) {
	d := newEnc(binary.LittleEndian, false)
	d.tag(0x00100010)
	d.WriteString("??")
	d.Write([]byte{4, 0})
	d.WriteString("A^B ")
	d.tag(0x00111001)
	d.WriteString("  ")
	d.Write([]byte{2, 0, 1, 2})
	d.elem(0x00100020, "LO", []byte("ID"))
	f, err := Parse(bytes.NewReader(part10(ExplicitVRLittleEndian, d.Bytes())), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if e := f.Dataset.Find(0x00100010); e == nil || e.VR != "PN" || string(e.Value) != "A^B " {
		t.Errorf("Patient Name = %+v, want PN A^B", e)
	}
	if e := f.Dataset.Find(0x00111001); e == nil || e.VR != "UN" {
		t.Errorf("private = %+v, want UN", e)
	}
	if e := f.Dataset.Find(0x00100020); e == nil || string(e.Value) != "ID" {
		t.Errorf("Patient ID = %+v, want ID", e)
	}
}

// TestSequences covers defined and undefined lengths, nesting and the byte
// order of item tags in big endian files.
func TestSequences(t *testing.T) {
	for _, bo := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		d := newEnc(bo, false)
		inner := newEnc(bo, false)
		inner.elem(0x00080100, "SH", []byte("CODE"))
		// Defined-length sequence holding one defined-length item.
		d.header(0x00081110, "SQ", uint32(8+inner.Len()))
		d.item(TagItem, uint32(inner.Len()))
		d.Write(inner.Bytes())
		// Undefined-length sequence: an undefined-length item holding a
		// nested sequence, then an empty item.
		d.header(0x00081115, "SQ", 0xFFFFFFFF)
		d.item(TagItem, 0xFFFFFFFF)
		d.header(0x00081199, "SQ", 0xFFFFFFFF)
		d.item(TagItem, uint32(inner.Len()))
		d.Write(inner.Bytes())
		d.item(TagSequenceDelimitation, 0)
		d.item(TagItemDelimitation, 0)
		d.item(TagItem, 0)
		d.item(TagSequenceDelimitation, 0)
		d.elem(0x00100010, "PN", []byte("X^Y "))
		ts := ExplicitVRLittleEndian
		if bo == binary.BigEndian {
			ts = ExplicitVRBigEndian
		}
		f, err := Parse(bytes.NewReader(part10(ts, d.Bytes())), Options{})
		if err != nil {
			t.Fatalf("%s: %v", ts, err)
		}
		s1 := f.Dataset.Find(0x00081110)
		s2 := f.Dataset.Find(0x00081115)
		if len(s1.Items) != 1 || len(s2.Items) != 2 || len(s2.Items[1].Elements) != 0 {
			t.Fatalf("%s: items %d and %d, want 1 and 2", ts, len(s1.Items), len(s2.Items))
		}
		nested := s2.Items[0].Find(0x00081199)
		if nested == nil || len(nested.Items) != 1 || nested.Items[0].Find(0x00080100).Strings(nil)[0] != "CODE" {
			t.Errorf("%s: nested sequence = %+v", ts, nested)
		}
		if got := f.Dataset.Find(0x00100010).Strings(nil); len(got) != 1 || got[0] != "X^Y" {
			t.Errorf("%s: element after the sequences = %q", ts, got)
		}
	}
}

// nested builds a dataset with depth nested undefined-length sequences.
func nested(depth int) []byte {
	d := newEnc(binary.LittleEndian, false)
	for i := 0; i < depth; i++ {
		d.header(0x00081115, "SQ", 0xFFFFFFFF)
		d.item(TagItem, 0xFFFFFFFF)
	}
	for i := 0; i < depth; i++ {
		d.item(TagItemDelimitation, 0)
		d.item(TagSequenceDelimitation, 0)
	}
	return d.Bytes()
}

func TestParseErrors(t *testing.T) {
	le := func(build func(d *enc)) []byte {
		d := newEnc(binary.LittleEndian, false)
		build(d)
		return part10(ExplicitVRLittleEndian, d.Bytes())
	}
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, ErrNotDICOM},
		{"text", []byte("hello, this is not a DICOM file at all"), ErrNotDICOM},
		{"short", []byte{8, 0}, ErrNotDICOM},
		{"preamble only", make([]byte, 132), ErrNotDICOM},
		{"truncated value", le(func(d *enc) { d.header(0x00100010, "PN", 10); d.WriteString("abc") }), ErrMalformed},
		{"truncated header", le(func(d *enc) { d.tag(0x00100010) }), ErrMalformed},
		{"huge length", le(func(d *enc) { d.header(0x00091010, "OB", 0xFFFFFFF0); d.WriteString("abc") }), ErrMalformed},
		{"huge inline length", le(func(d *enc) { d.header(0x00091010, "OB", 0x7FFFFFF0) }), ErrMalformed},
		{"item outside sequence", le(func(d *enc) { d.item(TagItem, 0) }), ErrMalformed},
		{"item delimitation at top level", le(func(d *enc) { d.item(TagItemDelimitation, 0) }), ErrMalformed},
		{"undefined length US", le(func(d *enc) { d.header(0x00280010, "US", 0xFFFF); d.header(0x00280011, "UL", 0xFFFFFFFF) }), ErrMalformed},
		{"element past item end", le(func(d *enc) {
			d.header(0x00081110, "SQ", 0xFFFFFFFF)
			d.item(TagItem, 4)
			d.elem(0x00080100, "SH", []byte("CODE"))
			d.item(TagSequenceDelimitation, 0)
		}), ErrMalformed},
		{"item past sequence end", le(func(d *enc) {
			d.header(0x00081110, "SQ", 8)
			d.item(TagItem, 12)
			d.elem(0x00080100, "SH", []byte("CODE"))
		}), ErrMalformed},
		{"non-item in sequence", le(func(d *enc) {
			d.header(0x00081110, "SQ", 0xFFFFFFFF)
			d.elem(0x00080100, "SH", []byte("CODE"))
		}), ErrMalformed},
		{"unterminated sequence", le(func(d *enc) { d.header(0x00081110, "SQ", 0xFFFFFFFF); d.item(TagItem, 0xFFFFFFFF) }), ErrMalformed},
		{"fragment of undefined length", le(func(d *enc) { d.header(TagPixelData, "OB", 0xFFFFFFFF); d.item(TagItem, 0xFFFFFFFF) }), ErrMalformed},
		{"too deep", part10(ExplicitVRLittleEndian, nested(maxDepth+1)), ErrMalformed},
		{"corrupt deflate", part10(DeflatedExplicitVRLittleEndian, []byte{0xFF, 0xFF, 0xFF, 0xFF, 0xFF}), ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse(bytes.NewReader(tt.in), Options{})
			if !errors.Is(err, tt.want) {
				t.Fatalf("Parse = %v, %v, want %v", f, err, tt.want)
			}
		})
	}
	if _, err := Parse(bytes.NewReader(part10(ExplicitVRLittleEndian, nested(maxDepth))), Options{}); err != nil {
		t.Errorf("Parse(depth %d) = %v, want success", maxDepth, err)
	}
}

// errReader fails after its data.
type errReader struct {
	data []byte
	err  error
}

func (r *errReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

// TestReadError: a failing reader is reported as itself, not as malformed
// input, so that callers answer 500 rather than 400.
func TestReadError(t *testing.T) {
	boom := errors.New("disk on fire")
	mr := readFile(t, filepath.Join(testdataDir, "pydicom/MR_small.dcm"))
	_, err := Parse(&errReader{data: mr[:3000], err: boom}, Options{})
	if !errors.Is(err, boom) || errors.Is(err, ErrMalformed) {
		t.Errorf("Parse = %v, want %v", err, boom)
	}
}

// TestOddLength: odd value lengths, which real files have, are read as they are.
func TestOddLength(t *testing.T) {
	d := newEnc(binary.LittleEndian, false)
	d.elem(0x00100010, "PN", []byte("ABC"))
	d.elem(0x00100020, "LO", []byte("12345"))
	f, err := Parse(bytes.NewReader(part10(ExplicitVRLittleEndian, d.Bytes())), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Dataset.Find(0x00100020).Strings(nil); len(got) != 1 || got[0] != "12345" {
		t.Errorf("Patient ID = %q, want 12345", got)
	}
}

func TestMaxElements(t *testing.T) {
	d := newEnc(binary.LittleEndian, true)
	for i := 0; i < 100; i++ {
		d.elem(0x00280106, "", []byte{1, 0}) // each needs Pixel Representation
	}
	in := part10(ImplicitVRLittleEndian, d.Bytes())
	if _, err := Parse(bytes.NewReader(in), Options{MaxElements: 99}); !errors.Is(err, ErrMalformed) {
		t.Errorf("Parse(100 elements, MaxElements 99) = %v, want ErrMalformed", err)
	}
	if _, err := Parse(bytes.NewReader(in), Options{MaxElements: 103}); err != nil { // + 3 meta elements
		t.Errorf("Parse(100 elements, MaxElements 103) = %v", err)
	}
	in = part10(ExplicitVRLittleEndian, nested(10))
	if _, err := Parse(bytes.NewReader(in), Options{MaxElements: 15}); !errors.Is(err, ErrMalformed) {
		t.Errorf("Parse(10 sequences of one item, MaxElements 15) = %v, want ErrMalformed (items count)", err)
	}
}

// TestDeflateBomb: a small deflated input that inflates to a huge number of
// empty elements stops at MaxElements (testdata/fuzz/FuzzParse/deflate_bomb
// is the same input for the fuzzer).
func TestDeflateBomb(t *testing.T) {
	var z bytes.Buffer
	fw, err := flate.NewWriter(&z, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(bytes.Repeat([]byte{0x10, 0x00, 0x10, 0x00, 'P', 'N', 0, 0}, 1<<17)) // empty Patient Names
	fw.Close()
	in := part10(DeflatedExplicitVRLittleEndian, z.Bytes())
	if _, err := Parse(bytes.NewReader(in), Options{MaxElements: 10000}); !errors.Is(err, ErrMalformed) {
		t.Errorf("Parse(deflate bomb) = %v, want ErrMalformed", err)
	}
}

// TestManyAmbiguousVRs: resolving "US or SS" must not scan the dataset for
// every element (it once made this quadratic).
func TestManyAmbiguousVRs(t *testing.T) {
	d := newEnc(binary.LittleEndian, true)
	d.elem(0x00280103, "", []byte{1, 0})
	for i := 0; i < 50000; i++ {
		d.elem(0x00280106, "", []byte{1, 0})
	}
	f, err := Parse(bytes.NewReader(part10(ImplicitVRLittleEndian, d.Bytes())), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if e := f.Dataset.Elements[len(f.Dataset.Elements)-1]; e.VR != "SS" {
		t.Errorf("VR %s, want SS", e.VR)
	}
}

func TestTrailingZeros(t *testing.T) {
	mr := readFile(t, filepath.Join(testdataDir, "pydicom/MR_small_implicit.dcm"))
	for _, n := range []int{1, 3, 8, 1000} {
		in := append(append([]byte(nil), mr...), make([]byte, n)...)
		f, err := Parse(bytes.NewReader(in), Options{})
		if err != nil {
			t.Errorf("Parse(%d zero bytes after the dataset) = %v", n, err)
			continue
		}
		if last := f.Dataset.Elements[len(f.Dataset.Elements)-1]; last.Tag != TagPixelData {
			t.Errorf("%d zero bytes: last element %s, want Pixel Data", n, last.Tag)
		}
		if err := Transcode(io.Discard, bytes.NewReader(in)); err != nil {
			t.Errorf("Transcode(%d zero bytes after the dataset) = %v", n, err)
		}
	}
	in := append(append([]byte(nil), mr...), 0, 0, 0, 0, 1)
	if _, err := Parse(bytes.NewReader(in), Options{}); !errors.Is(err, ErrMalformed) {
		t.Errorf("Parse(zeros then data) = %v, want ErrMalformed", err)
	}
}

// TestImplicitDeclaredExplicit: a file declaring explicit VR but written in
// implicit VR is read as implicit VR, as pydicom and dcmtk do.
func TestImplicitDeclaredExplicit(t *testing.T) {
	impl := readFile(t, filepath.Join(testdataDir, "pydicom/MR_small_implicit.dcm"))
	ref := parseFile(t, filepath.Join(testdataDir, "pydicom/MR_small_implicit.dcm"), Options{})
	f, err := Parse(bytes.NewReader(part10(ExplicitVRLittleEndian, impl[ref.DatasetOffset:])), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !f.Implicit || len(f.Dataset.Elements) != len(ref.Dataset.Elements) {
		t.Errorf("Implicit = %v with %d elements, want true with %d", f.Implicit, len(f.Dataset.Elements), len(ref.Dataset.Elements))
	}
}
