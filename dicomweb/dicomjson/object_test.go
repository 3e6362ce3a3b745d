package dicomjson

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// cmpObjects compares Objects by content, strictly: nil and empty slices
// differ, so tests also check that objects are built in canonical form.
var cmpObjects = []cmp.Option{cmp.AllowUnexported(Object{})}

func tags(o Object) []uint32 {
	var out []uint32
	for _, a := range o.Attributes() {
		out = append(out, a.Tag)
	}
	return out
}

func TestObjectSetKeepsOrder(t *testing.T) {
	var o Object
	for _, tag := range []uint32{0x00200013, 0x00080018, 0x7FE00010, 0x00100010, 0x00080016, 0x00200013} {
		o.Set(String(tag, "LO", "x"))
	}
	want := []uint32{0x00080016, 0x00080018, 0x00100010, 0x00200013, 0x7FE00010}
	if diff := cmp.Diff(want, tags(o)); diff != "" {
		t.Errorf("tags after Set (-want +got):\n%s", diff)
	}
	o.Set(String(0x00100010, "PN", "Doe^John"))
	if got := o.String(0x00100010); got != "Doe^John" {
		t.Errorf("String(PatientName) after replace = %q, want %q", got, "Doe^John")
	}
	if o.Len() != 5 {
		t.Errorf("Len() = %d, want 5", o.Len())
	}
	o.Delete(0x00080018)
	o.Delete(0x00080018) // absent: no-op
	want = []uint32{0x00080016, 0x00100010, 0x00200013, 0x7FE00010}
	if diff := cmp.Diff(want, tags(o)); diff != "" {
		t.Errorf("tags after Delete (-want +got):\n%s", diff)
	}
	if _, ok := o.Get(0x00080018); ok {
		t.Errorf("Get(deleted) found it")
	}
	a, ok := o.Get(0x00200013)
	if !ok || a.VR != "LO" {
		t.Errorf("Get(0x00200013) = %+v, %v; want the LO attribute", a, ok)
	}
}

func TestObjectAttributesIsACopy(t *testing.T) {
	var o Object
	o.Set(String(0x00100020, "LO", "id"))
	attrs := o.Attributes()
	attrs[0].Tag = 0xFFFFFFFF
	if got := tags(o); got[0] != 0x00100020 {
		t.Errorf("changing Attributes() changed the object: tags %08X", got)
	}
	c := o.Clone()
	c.Set(String(0x00080020, "DA", "20240101"))
	c.Set(String(0x00100020, "LO", "other"))
	if o.Len() != 1 || o.String(0x00100020) != "id" {
		t.Errorf("changing a Clone changed the original: %d attributes, id %q", o.Len(), o.String(0x00100020))
	}
}

func TestObjectMergeAndFilter(t *testing.T) {
	var a, b Object
	a.Set(String(0x00080020, "DA", "20200101"))
	a.Set(String(0x00100010, "PN", "A"))
	a.Set(String(0x0020000D, "UI", "1.2"))
	b.Set(String(0x00080005, "CS", "ISO_IR 192"))
	b.Set(String(0x00100010, "PN", "B"))
	b.Set(String(0x00201208, "IS", "7"))
	a.Merge(b)
	want := []uint32{0x00080005, 0x00080020, 0x00100010, 0x0020000D, 0x00201208}
	if diff := cmp.Diff(want, tags(a)); diff != "" {
		t.Errorf("tags after Merge (-want +got):\n%s", diff)
	}
	if got := a.String(0x00100010); got != "B" {
		t.Errorf("PatientName after Merge = %q, want other's %q", got, "B")
	}
	f := a.Filter(func(tag uint32) bool { return tag>>16 == 0x0020 })
	if diff := cmp.Diff([]uint32{0x0020000D, 0x00201208}, tags(f)); diff != "" {
		t.Errorf("tags after Filter (-want +got):\n%s", diff)
	}
	if a.Len() != 5 {
		t.Errorf("Filter changed its receiver: Len() = %d", a.Len())
	}
	var empty Object
	empty.Merge(Object{})
	if empty.Len() != 0 {
		t.Errorf("merging empty objects gave %d attributes", empty.Len())
	}
}

func TestConstructors(t *testing.T) {
	tests := []struct {
		name string
		got  Attribute
		want Attribute
	}{
		{"text", String(0x00080060, "CS", "CT"), Attribute{Tag: 0x00080060, VR: "CS", Values: []any{"CT"}}},
		{"empty text", String(0x00080060, "CS"), Attribute{Tag: 0x00080060, VR: "CS"}},
		{"all empty", String(0x00080060, "CS", "", ""), Attribute{Tag: 0x00080060, VR: "CS"}},
		{"empty inside", String(0x00080008, "CS", "ORIGINAL", "", "AXIAL"),
			Attribute{Tag: 0x00080008, VR: "CS", Values: []any{"ORIGINAL", nil, "AXIAL"}}},
		{"IS becomes Number", String(0x00201208, "IS", "12", " +3"),
			Attribute{Tag: 0x00201208, VR: "IS", Values: []any{Number("12"), Number("3")}}},
		{"DS normalised", String(0x00280030, "DS", ".5", "1."),
			Attribute{Tag: 0x00280030, VR: "DS", Values: []any{Number("0.5"), Number("1")}}},
		{"blank DS", String(0x00280030, "DS", "  "), Attribute{Tag: 0x00280030, VR: "DS"}},
		{"PN groups", String(0x00100010, "PN", "Yamada^Tarou=山田^太郎=やまだ^たろう", "Doe"),
			Attribute{Tag: 0x00100010, VR: "PN", Values: []any{
				PersonName{"Yamada^Tarou", "山田^太郎", "やまだ^たろう"}, PersonName{Alphabetic: "Doe"}}}},
		{"Num", Num(0x00280010, "US", "512", "", "NaN"),
			Attribute{Tag: 0x00280010, VR: "US", Values: []any{Number("512"), nil, Number("NaN")}}},
		{"Num empty", Num(0x00280010, "US", ""), Attribute{Tag: 0x00280010, VR: "US"}},
		{"PN", PN(0x00100010, PersonName{}, PersonName{Ideographic: "x"}),
			Attribute{Tag: 0x00100010, VR: "PN", Values: []any{nil, PersonName{Ideographic: "x"}}}},
		{"PN empty", PN(0x00100010, PersonName{}), Attribute{Tag: 0x00100010, VR: "PN"}},
		{"Seq", Seq(0x00081115, Object{}), Attribute{Tag: 0x00081115, VR: "SQ", Values: []any{Object{}}}},
		{"Seq empty", Seq(0x00081115), Attribute{Tag: 0x00081115, VR: "SQ"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.got, cmpObjects...); diff != "" {
				t.Errorf("constructor (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStrings(t *testing.T) {
	var o Object
	o.Set(String(0x00100010, "PN", "Doe^J=ド^ジ", "", "Roe"))
	o.Set(Num(0x00280030, "DS", "0.5", "0.25"))
	o.Set(Seq(0x00081115, Object{}))
	o.Set(Attribute{Tag: 0x7FE00010, VR: "OW", BulkDataURI: "x"})
	if diff := cmp.Diff([]string{"Doe^J", "", "Roe"}, mustGet(t, o, 0x00100010).Strings()); diff != "" {
		t.Errorf("PN Strings() (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"0.5", "0.25"}, mustGet(t, o, 0x00280030).Strings()); diff != "" {
		t.Errorf("DS Strings() (-want +got):\n%s", diff)
	}
	if got := mustGet(t, o, 0x00081115).Strings(); got != nil {
		t.Errorf("SQ Strings() = %q, want nil", got)
	}
	if got := mustGet(t, o, 0x7FE00010).Strings(); got != nil {
		t.Errorf("bulk Strings() = %q, want nil", got)
	}
	for tag, want := range map[uint32]string{0x00100010: "Doe^J", 0x00280030: "0.5", 0x00081115: "", 0x00200013: ""} {
		if got := o.String(tag); got != want {
			t.Errorf("String(%08X) = %q, want %q", tag, got, want)
		}
	}
	if got := len(mustGet(t, o, 0x00081115).Items()); got != 1 {
		t.Errorf("len(Items()) = %d, want 1", got)
	}
}

func mustGet(t *testing.T, o Object, tag uint32) Attribute {
	t.Helper()
	a, ok := o.Get(tag)
	if !ok {
		t.Fatalf("Get(%08X): not found", tag)
	}
	return a
}
