package dicomjson

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pacslite/pacslite/dicomweb/dataset"
)

func el(tag dataset.Tag, vr string, value []byte) *dataset.Element {
	return &dataset.Element{Tag: tag, VR: vr, Length: int64(len(value)), Value: value}
}

func u16(bo binary.AppendByteOrder, vs ...uint16) []byte {
	var b []byte
	for _, v := range vs {
		b = bo.AppendUint16(b, v)
	}
	return b
}

func f64(bo binary.AppendByteOrder, vs ...float64) []byte {
	var b []byte
	for _, v := range vs {
		b = bo.AppendUint64(b, math.Float64bits(v))
	}
	return b
}

// TestFromDatasetEdgeCases feeds FromDataset the values real files get
// wrong, and checks the exact encoding.
func TestFromDatasetEdgeCases(t *testing.T) {
	bo := binary.LittleEndian
	item := &dataset.Dataset{Elements: []*dataset.Element{
		el(0x00080005, "CS", []byte(`\ISO 2022 IR 87`)),
		el(0x00100010, "PN", []byte("\x1b$B;3ED\x1b(B^\x1b$BB@O:\x1b(B")),
	}}
	unSeqItem := &dataset.Dataset{Elements: []*dataset.Element{el(0x00080100, "SH", []byte("T-1234"))}}
	ds := &dataset.Dataset{Elements: []*dataset.Element{
		el(0x00020010, "UI", []byte("1.2.840.10008.1.2.1\x00")),
		el(0x00080000, "UL", []byte{4, 0, 0, 0}),
		el(0x00080005, "CS", []byte("ISO_IR 192")),
		el(0x00080008, "CS", []byte(`ORIGINAL\\AXIAL `)),
		{Tag: 0x00081115, VR: "SQ", Length: -1, Items: []*dataset.Dataset{item, {}}},
		{Tag: 0x00081140, VR: "SQ", Length: 0},
		el(0x00090010, "UN", []byte("ACME 1.0")),
		el(0x00091011, "UN", []byte{1, 2, 3, 4}),
		el(0x00091012, "??", []byte{5, 6}),
		el(0x00100010, "PN", []byte("Müller^Hans=ミュラー^ハンス")),
		el(0x00100020, "LO", []byte("bad \xff\xfe utf8")),
		el(0x00186020, "FD", f64(bo, math.NaN(), math.Inf(1), math.Inf(-1), 0.1)),
		el(0x00200013, "IS", []byte("N/A ")),
		el(0x00200032, "DS", []byte(`1.\.5\+3\ 5\1e4\abc\\-0 `)),
		el(0x00209165, "AT", u16(bo, 0x7FE0, 0x0010, 0x0010, 0x0010)),
		el(0x00280010, "US", nil),
		el(0x00280011, "US", u16(bo, 512)),
		el(0x00281050, "DS", []byte("nan ")),
		{Tag: 0x00324000, VR: "LT", Length: 100000, Bulk: true},
		{Tag: 0x00400275, VR: "UN", Length: -1, Items: []*dataset.Dataset{unSeqItem}},
		{Tag: 0x7FE00010, VR: "OB", Length: -1, Fragments: []dataset.Fragment{{Offset: 10, Length: 0}, {Offset: 18, Length: 100}}},
		el(0xFFFCFFFC, "OB", []byte{0, 0}),
	}}
	cs, err := dataset.NewCharset([]string{"ISO_IR 192"})
	if err != nil {
		t.Fatal(err)
	}
	const want = `{` +
		`"00080005":{"vr":"CS","Value":["ISO_IR 192"]},` +
		`"00080008":{"vr":"CS","Value":["ORIGINAL",null,"AXIAL"]},` +
		`"00081115":{"vr":"SQ","Value":[{"00080005":{"vr":"CS","Value":[null,"ISO 2022 IR 87"]},"00100010":{"vr":"PN","Value":[{"Alphabetic":"山田^太郎"}]}},{}]},` +
		`"00081140":{"vr":"SQ"},` +
		`"00090010":{"vr":"LO","Value":["ACME 1.0"]},` +
		`"00091011":{"vr":"UN","InlineBinary":"AQIDBA=="},` +
		`"00091012":{"vr":"UN","InlineBinary":"BQY="},` +
		`"00100010":{"vr":"PN","Value":[{"Alphabetic":"Müller^Hans","Ideographic":"ミュラー^ハンス"}]},` +
		`"00100020":{"vr":"LO","Value":["bad ` + "\uFFFD" + ` utf8"]},` +
		`"00186020":{"vr":"FD","Value":["NaN","Infinity","-Infinity",0.1]},` +
		`"00200013":{"vr":"IS","Value":["N/A"]},` +
		`"00200032":{"vr":"DS","Value":[1,0.5,3,5,1e4,"abc",null,-0]},` +
		`"00209165":{"vr":"AT","Value":["7FE00010","00100010"]},` +
		`"00280010":{"vr":"US"},` +
		`"00280011":{"vr":"US","Value":[512]},` +
		`"00281050":{"vr":"DS","Value":["NaN"]},` +
		`"00324000":{"vr":"LT"},` +
		`"00400275":{"vr":"SQ","Value":[{"00080100":{"vr":"SH","Value":["T-1234"]}}]},` +
		`"7FE00010":{"vr":"OB"}` +
		`}`
	o, err := FromDataset(ds, cs, bo, FromOptions{InlineBinaryLimit: 16})
	if err != nil {
		t.Fatalf("FromDataset() = %v", err)
	}
	got := o.AppendJSON(nil)
	if string(got) != want {
		t.Errorf("FromDataset() encodes as\n%s\nwant\n%s", got, want)
	}
	if !json.Valid(got) {
		t.Errorf("FromDataset() encoding is not valid JSON")
	}
	var back Object
	if err := back.UnmarshalJSON(got); err != nil {
		t.Fatalf("UnmarshalJSON(FromDataset()) = %v", err)
	}
	if again := back.AppendJSON(nil); string(again) != want {
		t.Errorf("encode(decode(FromDataset())) =\n%s\nwant\n%s", again, want)
	}

	// With a BulkDataURI function, bulk and encapsulated values get URIs.
	var paths [][]uint32
	uri := func(path []uint32, e *dataset.Element) string {
		paths = append(paths, append([]uint32(nil), path...))
		if e.Length >= 0 && e.Length <= 4 {
			return ""
		}
		return "u"
	}
	o, err = FromDataset(ds, cs, bo, FromOptions{BulkDataURI: uri})
	if err != nil {
		t.Fatal(err)
	}
	for tag, want := range map[uint32]Attribute{
		0x00324000: {Tag: 0x00324000, VR: "LT", BulkDataURI: "u"},
		0x7FE00010: {Tag: 0x7FE00010, VR: "OB", BulkDataURI: "u"},
		0x00091011: {Tag: 0x00091011, VR: "UN"}, // no URI, limit 0: empty
	} {
		if got := mustGet(t, o, tag); got.BulkDataURI != want.BulkDataURI || got.VR != want.VR || got.InlineBinary != nil {
			t.Errorf("attribute %08X = %+v, want %+v", tag, got, want)
		}
	}
	wantPaths := [][]uint32{{0x00091011}, {0x00091012}, {0x00324000}, {0x7FE00010}}
	if diff := cmp.Diff(wantPaths, paths); diff != "" {
		t.Errorf("BulkDataURI paths (-want +got):\n%s", diff)
	}
}

func TestFromDatasetMalformed(t *testing.T) {
	for _, e := range []*dataset.Element{
		el(0x00280010, "US", []byte{1, 2, 3}),
		el(0x00209165, "AT", []byte{1, 2}),
		el(0x00186020, "FD", []byte{1, 2, 3, 4}),
	} {
		ds := &dataset.Dataset{Elements: []*dataset.Element{
			{Tag: 0x00081115, VR: "SQ", Items: []*dataset.Dataset{{Elements: []*dataset.Element{e}}}},
		}}
		_, err := FromDataset(ds, nil, binary.LittleEndian, FromOptions{})
		if !errors.Is(err, dataset.ErrMalformed) {
			t.Errorf("FromDataset(%s of %d bytes) = %v, want ErrMalformed", e.VR, len(e.Value), err)
		}
	}
	if o, err := FromDataset(nil, nil, nil, FromOptions{}); err != nil || o.Len() != 0 {
		t.Errorf("FromDataset(nil) = %d attributes, %v; want an empty object", o.Len(), err)
	}
}
