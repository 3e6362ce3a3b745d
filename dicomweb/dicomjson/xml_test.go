package dicomjson

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The PS3.19 structure, as a client would decode it.
type (
	xmlModel struct {
		XMLName xml.Name       `xml:"http://dicom.nema.org/PS3.19/models/NativeDICOM NativeDicomModel"`
		Space   string         `xml:"http://www.w3.org/XML/1998/namespace space,attr"`
		Attrs   []xmlAttribute `xml:"DicomAttribute"`
	}
	xmlAttribute struct {
		Tag            string          `xml:"tag,attr"`
		VR             string          `xml:"vr,attr"`
		Keyword        string          `xml:"keyword,attr"`
		PrivateCreator string          `xml:"privateCreator,attr"`
		BulkData       *xmlBulkData    `xml:"BulkData"`
		InlineBinary   string          `xml:"InlineBinary"`
		Values         []xmlValue      `xml:"Value"`
		Names          []xmlPersonName `xml:"PersonName"`
		Items          []xmlItem       `xml:"Item"`
	}
	xmlBulkData struct {
		URI string `xml:"uri,attr"`
	}
	xmlValue struct {
		Number int    `xml:"number,attr"`
		Text   string `xml:",chardata"`
	}
	xmlPersonName struct {
		Number      int           `xml:"number,attr"`
		Alphabetic  *xmlNameGroup `xml:"Alphabetic"`
		Ideographic *xmlNameGroup `xml:"Ideographic"`
		Phonetic    *xmlNameGroup `xml:"Phonetic"`
	}
	xmlNameGroup struct {
		FamilyName, GivenName, MiddleName, NamePrefix, NameSuffix string
	}
	xmlItem struct {
		Number int            `xml:"number,attr"`
		Attrs  []xmlAttribute `xml:"DicomAttribute"`
	}
)

func TestWriteXML(t *testing.T) {
	o := object(
		String(0x0020000D, "UI", "1.2.840.1"),
		String(0x00080008, "CS", "ORIGINAL", "", "AXIAL"),
		String(0x00100010, "PN", "Doe^John^Q^Dr^Jr=ドウ^ジョン", "", "Roe"),
		String(0x00081030, "LO", "a<b & \"c\" 'd'\r\n\x01\xff"),
		Num(0x00280030, "DS", ".5", "NaN"),
		String(0x00209165, "AT", "7FE00010"),
		String(0x60000010, "US", "512"),
		String(0x00090010, "LO", "ACME 1.0"),
		Attribute{Tag: 0x00091001, VR: "UN", InlineBinary: []byte{1, 2, 3}},
		Attribute{Tag: 0x00111001, VR: "UN", InlineBinary: []byte{4}},
		Attribute{Tag: 0x7FE00010, VR: "OW", BulkDataURI: "http://h/b?x=1&y=2"},
		Seq(0x00081115, object(String(0x0020000E, "UI", "1.2.3")), Object{}),
		Attribute{Tag: 0x00420011, VR: "OB"},
	)
	var buf bytes.Buffer
	if err := o.WriteXML(&buf); err != nil {
		t.Fatalf("WriteXML() = %v", err)
	}
	out := buf.String()
	if want := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<NativeDicomModel xmlns="http://dicom.nema.org/PS3.19/models/NativeDICOM"`; !strings.HasPrefix(out, want) {
		t.Errorf("WriteXML() starts %.120q, want %q", out, want)
	}
	if want := `<DicomAttribute tag="0020000D" vr="UI" keyword="StudyInstanceUID"><Value number="1">1.2.840.1</Value></DicomAttribute>`; !strings.Contains(out, want) {
		t.Errorf("WriteXML() lacks %s:\n%s", want, out)
	}
	var got xmlModel
	if err := xml.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("WriteXML() output is not well-formed: %v\n%s", err, out)
	}
	want := xmlModel{
		XMLName: xml.Name{Space: "http://dicom.nema.org/PS3.19/models/NativeDICOM", Local: "NativeDicomModel"},
		Space:   "preserve",
		Attrs: []xmlAttribute{
			{Tag: "00080008", VR: "CS", Keyword: "ImageType", Values: []xmlValue{{1, "ORIGINAL"}, {2, ""}, {3, "AXIAL"}}},
			{Tag: "00081030", VR: "LO", Keyword: "StudyDescription", Values: []xmlValue{{1, "a<b & \"c\" 'd'\r\n\uFFFD\uFFFD"}}},
			{Tag: "00081115", VR: "SQ", Keyword: "ReferencedSeriesSequence", Items: []xmlItem{
				{1, []xmlAttribute{{Tag: "0020000E", VR: "UI", Keyword: "SeriesInstanceUID", Values: []xmlValue{{1, "1.2.3"}}}}},
				{Number: 2},
			}},
			{Tag: "00090010", VR: "LO", Values: []xmlValue{{1, "ACME 1.0"}}},
			{Tag: "00091001", VR: "UN", PrivateCreator: "ACME 1.0", InlineBinary: "AQID"},
			{Tag: "00100010", VR: "PN", Keyword: "PatientName", Names: []xmlPersonName{
				{Number: 1,
					Alphabetic:  &xmlNameGroup{"Doe", "John", "Q", "Dr", "Jr"},
					Ideographic: &xmlNameGroup{FamilyName: "ドウ", GivenName: "ジョン"}},
				{Number: 2},
				{Number: 3, Alphabetic: &xmlNameGroup{FamilyName: "Roe"}},
			}},
			{Tag: "00111001", VR: "UN", InlineBinary: "BA=="},
			{Tag: "0020000D", VR: "UI", Keyword: "StudyInstanceUID", Values: []xmlValue{{1, "1.2.840.1"}}},
			{Tag: "00209165", VR: "AT", Keyword: "DimensionIndexPointer", Values: []xmlValue{{1, "7FE00010"}}},
			{Tag: "00280030", VR: "DS", Keyword: "PixelSpacing", Values: []xmlValue{{1, "0.5"}, {2, "NaN"}}},
			{Tag: "00420011", VR: "OB", Keyword: "EncapsulatedDocument"},
			{Tag: "60000010", VR: "US", Keyword: "OverlayRows", Values: []xmlValue{{1, "512"}}},
			{Tag: "7FE00010", VR: "OW", Keyword: "PixelData", BulkData: &xmlBulkData{URI: "http://h/b?x=1&y=2"}},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("WriteXML() decoded (-want +got):\n%s", diff)
	}
}

func TestWriteXMLEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := (Object{}).WriteXML(&buf); err != nil {
		t.Fatal(err)
	}
	var got xmlModel
	if err := xml.Unmarshal(buf.Bytes(), &got); err != nil || len(got.Attrs) != 0 {
		t.Errorf("WriteXML(empty) = %s: %v, %d attributes", buf.Bytes(), err, len(got.Attrs))
	}
}
