package dataset

import (
	"encoding/binary"
	"errors"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestStrings(t *testing.T) {
	tests := []struct {
		vr    string
		value string
		want  []string
	}{
		{"CS", "", nil},
		{"CS", "  ", nil},
		{"CS", "ORIGINAL\\PRIMARY\\AXIAL ", []string{"ORIGINAL", "PRIMARY", "AXIAL"}},
		{"CS", " A \\ B", []string{"A", "B"}},
		{"CS", "A\\\\B", []string{"A", "", "B"}},
		{"CS", "\\", []string{"", ""}},
		{"UI", "1.2.840.10008.1.2\x00", []string{"1.2.840.10008.1.2"}},
		{"UI", "1.2\\1.3\x00", []string{"1.2", "1.3"}},
		{"LO", "  padded both  ", []string{"padded both"}},
		{"SH", "x\x00", []string{"x"}},
		{"DS", " 1.5\\-2e3 ", []string{"1.5", "-2e3"}},
		{"IS", "42 ", []string{"42"}},
		{"DA", "20240131", []string{"20240131"}},
		{"TM", "101010.5 ", []string{"101010.5"}},
		{"PN", "Doe^John \\Roe^Jane", []string{"Doe^John", "Roe^Jane"}},
		{"LT", "  line one\\still one  ", []string{"  line one\\still one"}},
		{"ST", "a\\b ", []string{"a\\b"}},
		{"UT", "text\r\nmore   ", []string{"text\r\nmore"}},
		{"UR", "http://x/a\\b ", []string{"http://x/a\\b"}},
		{"UC", " a\\b ", []string{" a", "b"}},
		{"AS", "045Y", []string{"045Y"}},
		{"OB", "abc", nil},
		{"US", "ab", nil},
	}
	for _, tt := range tests {
		e := &Element{VR: tt.vr, Value: []byte(tt.value)}
		if got := e.Strings(nil); !cmp.Equal(got, tt.want) {
			t.Errorf("Strings(%s %q) = %q, want %q", tt.vr, tt.value, got, tt.want)
		}
	}
	bulk := &Element{VR: "UT", Length: 1 << 20, Bulk: true}
	if got := bulk.Strings(nil); got != nil {
		t.Errorf("Strings(bulk) = %q, want nil", got)
	}
	var missing *Element
	if got := missing.Strings(nil); got != nil {
		t.Errorf("Strings(nil element) = %q, want nil", got)
	}
}

func TestPersonNames(t *testing.T) {
	tests := []struct {
		value string
		want  []PersonName
	}{
		{"", nil},
		{"Doe^John", []PersonName{{Alphabetic: "Doe^John"}}},
		{"Doe^John\\\\Roe ", []PersonName{{Alphabetic: "Doe^John"}, {}, {Alphabetic: "Roe"}}},
		{"Yamada^Tarou=Y^T=y^t", []PersonName{{"Yamada^Tarou", "Y^T", "y^t"}}},
		{"=Ideo", []PersonName{{Ideographic: "Ideo"}}},
		{"Wang^XiaoDong=", []PersonName{{Alphabetic: "Wang^XiaoDong"}}},
		{"A =B =C ", []PersonName{{"A", "B", "C"}}},
	}
	for _, tt := range tests {
		e := &Element{VR: "PN", Value: []byte(tt.value)}
		if got := e.PersonNames(nil); !cmp.Equal(got, tt.want) {
			t.Errorf("PersonNames(%q) = %+v, want %+v", tt.value, got, tt.want)
		}
	}
	if got := (&Element{VR: "LO", Value: []byte("x")}).PersonNames(nil); got != nil {
		t.Errorf("PersonNames(LO) = %+v, want nil", got)
	}
}

func TestNumbers(t *testing.T) {
	le, be := binary.LittleEndian, binary.BigEndian
	f32 := func(bo binary.ByteOrder, fs ...float32) []byte {
		b := make([]byte, 4*len(fs))
		for i, f := range fs {
			bo.PutUint32(b[4*i:], math.Float32bits(f))
		}
		return b
	}
	f64 := func(fs ...float64) []byte {
		b := make([]byte, 8*len(fs))
		for i, f := range fs {
			le.PutUint64(b[8*i:], math.Float64bits(f))
		}
		return b
	}
	tests := []struct {
		vr    string
		bo    binary.ByteOrder
		value []byte
		want  []string
	}{
		{"US", le, []byte{0x01, 0x02, 0xFF, 0xFF}, []string{"513", "65535"}},
		{"US", be, []byte{0x01, 0x02}, []string{"258"}},
		{"SS", le, []byte{0xFF, 0xFF, 0x00, 0x80}, []string{"-1", "-32768"}},
		{"UL", le, []byte{0xFF, 0xFF, 0xFF, 0xFF}, []string{"4294967295"}},
		{"SL", be, []byte{0xFF, 0xFF, 0xFF, 0xFE}, []string{"-2"}},
		{"UV", le, []byte{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}, []string{"18446744073709551615"}},
		{"SV", le, []byte{0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}, []string{"-2"}},
		{"FL", le, f32(le, 0.1, 1, -2.5, 1e-5, 3.4028235e38), []string{"0.1", "1", "-2.5", "1e-05", "3.4028235e+38"}},
		{"FL", be, f32(be, 0.3), []string{"0.3"}},
		{"FL", le, f32(le, float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))), []string{"NaN", "Infinity", "-Infinity"}},
		{"FD", le, f64(0.1, 1.0/3, math.Copysign(0, -1), 1e300), []string{"0.1", "0.3333333333333333", "-0", "1e+300"}},
		{"FD", le, nil, nil},
	}
	for _, tt := range tests {
		e := &Element{VR: tt.vr, Value: tt.value}
		got, err := e.Numbers(tt.bo)
		if err != nil || !cmp.Equal(got, tt.want) {
			t.Errorf("Numbers(%s % x) = %q, %v, want %q", tt.vr, tt.value, got, err, tt.want)
		}
	}
	for _, e := range []*Element{
		{VR: "US", Value: []byte{1, 2, 3}},
		{VR: "FD", Value: make([]byte, 12)},
		{VR: "LO", Value: []byte("12")},
		{VR: "UL", Bulk: true, Length: 1 << 20},
	} {
		if got, err := e.Numbers(le); err == nil {
			t.Errorf("Numbers(%s, %d bytes) = %q, want an error", e.VR, len(e.Value), got)
		}
	}
	if _, err := (&Element{VR: "SS", Value: []byte{1}}).Numbers(le); !errors.Is(err, ErrMalformed) {
		t.Errorf("Numbers(odd SS) = %v, want ErrMalformed", err)
	}
}

func TestTags(t *testing.T) {
	e := &Element{VR: "AT", Value: []byte{0x20, 0x00, 0x0D, 0x00, 0xE0, 0x7F, 0x10, 0x00}}
	got, err := e.Tags(binary.LittleEndian)
	if err != nil || !cmp.Equal(got, []Tag{TagStudyInstanceUID, TagPixelData}) {
		t.Errorf("Tags(LE) = %v, %v", got, err)
	}
	e = &Element{VR: "AT", Value: []byte{0x00, 0x20, 0x00, 0x0D}}
	if got, err := e.Tags(binary.BigEndian); err != nil || !cmp.Equal(got, []Tag{TagStudyInstanceUID}) {
		t.Errorf("Tags(BE) = %v, %v", got, err)
	}
	for _, e := range []*Element{{VR: "AT", Value: []byte{1, 2}}, {VR: "UL", Value: []byte{1, 2, 3, 4}}} {
		if _, err := e.Tags(binary.LittleEndian); err == nil {
			t.Errorf("Tags(%s % x) = nil error", e.VR, e.Value)
		}
	}
}

func TestTagText(t *testing.T) {
	if got := TagStudyInstanceUID.String(); got != "0020000D" {
		t.Errorf("String() = %q, want 0020000D", got)
	}
	if got := Tag(0xFFFEE0DD).String(); got != "FFFEE0DD" {
		t.Errorf("String() = %q, want FFFEE0DD", got)
	}
	for _, s := range []string{"0020000D", "0020000d", "(0020,000D)", "(0020,000d)"} {
		if got, err := ParseTag(s); err != nil || got != TagStudyInstanceUID {
			t.Errorf("ParseTag(%q) = %v, %v, want 0020000D", s, got, err)
		}
	}
	for _, s := range []string{"", "0020000", "0020000DD", "(0020,000D", "0020,000D", "(0020;000D)", "0x20000D", "+020000D", "GGGG0000"} {
		if got, err := ParseTag(s); err == nil {
			t.Errorf("ParseTag(%q) = %v, want an error", s, got)
		}
	}
}

func TestDictionary(t *testing.T) {
	for kw, want := range map[string]Tag{
		"StudyInstanceUID":     TagStudyInstanceUID,
		"PatientName":          0x00100010,
		"PixelData":            TagPixelData,
		"TransferSyntaxUID":    TagTransferSyntaxUID,
		"OverlayData":          0x60003000,
		"RetrieveURL":          0x00081190,
		"SpecificCharacterSet": TagSpecificCharacterSet,
	} {
		got, ok := TagForKeyword(kw)
		if !ok || got != want {
			t.Errorf("TagForKeyword(%q) = %s, %v, want %s", kw, got, ok, want)
		}
		if got := want.Keyword(); got != kw {
			t.Errorf("%s.Keyword() = %q, want %q", want, got, kw)
		}
	}
	if got, ok := TagForKeyword("NoSuchKeyword"); ok {
		t.Errorf("TagForKeyword(NoSuchKeyword) = %s, true", got)
	}
	if got := Tag(0x60023000).Keyword(); got != "OverlayData" {
		t.Errorf("(6002,3000).Keyword() = %q, want OverlayData (repeating group)", got)
	}
	if got := Tag(0x00091001).Keyword(); got != "" {
		t.Errorf("private Keyword() = %q, want empty", got)
	}
	for tag, want := range map[Tag]string{
		0x00100010: "PN", TagPixelData: "OW", 0x00280106: "US", 0x00283006: "US",
		0x00080000: "UL", 0x00290010: "LO", 0x00291010: "UN", 0x00990000: "UL",
		0x00081115: "SQ", 0x0008FFFF: "UN", 0x60003000: "OW", 0x50000005: "US",
	} {
		if got := DictionaryVR(tag); got != want {
			t.Errorf("DictionaryVR(%s) = %q, want %q", tag, got, want)
		}
	}
	// Every generated entry is in the library's dictionary.
	for _, tag := range dictionaryTags {
		if _, ok := lookup(tag); !ok {
			t.Errorf("dictionaryTags has %s, unknown to the library", tag)
		}
	}
}
