package conformance

import (
	"encoding/json"
	"encoding/xml"
	"strconv"
	"strings"
	"testing"
)

// dcmObject is a DICOM JSON object (PS3.18 F.2) decoded without the
// project's own decoder, so the tests do not trust what they test.
type dcmObject map[string]dcmAttr

// dcmAttr is one attribute of a dcmObject.
type dcmAttr struct {
	VR           string            `json:"vr"`
	Value        []json.RawMessage `json:"Value,omitempty"`
	BulkDataURI  string            `json:"BulkDataURI,omitempty"`
	InlineBinary string            `json:"InlineBinary,omitempty"`
}

// dcmPN is a PN value.
type dcmPN struct {
	Alphabetic  string `json:"Alphabetic,omitempty"`
	Ideographic string `json:"Ideographic,omitempty"`
	Phonetic    string `json:"Phonetic,omitempty"`
}

func decodeObject(t testing.TB, b []byte) dcmObject {
	t.Helper()
	var o dcmObject
	if err := json.Unmarshal(b, &o); err != nil {
		t.Fatalf("not a DICOM JSON object: %v: %.300q", err, b)
	}
	checkKeys(t, o)
	return o
}

func decodeArray(t testing.TB, b []byte) []dcmObject {
	t.Helper()
	var objs []dcmObject
	if err := json.Unmarshal(b, &objs); err != nil {
		t.Fatalf("not a DICOM JSON array: %v: %.300q", err, b)
	}
	if objs == nil {
		t.Fatalf("DICOM JSON array expected, got %.100q", b)
	}
	for _, o := range objs {
		checkKeys(t, o)
	}
	return objs
}

// checkKeys checks PS3.18 F.2.1.1: keys are 8 upper-case hex digits and
// every attribute has a VR.
func checkKeys(t testing.TB, o dcmObject) {
	t.Helper()
	for k, a := range o {
		if len(k) != 8 || strings.ToUpper(k) != k || !isHex(k) {
			t.Errorf("DICOM JSON key %q is not 8 upper-case hex digits", k)
		}
		if len(a.VR) != 2 {
			t.Errorf("DICOM JSON attribute %s has vr %q", k, a.VR)
		}
		if a.VR == "SQ" {
			for _, raw := range a.Value {
				var item dcmObject
				if err := json.Unmarshal(raw, &item); err != nil {
					t.Errorf("item of %s: %v", k, err)
					continue
				}
				checkKeys(t, item)
			}
		}
	}
}

func isHex(s string) bool {
	_, err := strconv.ParseUint(s, 16, 32)
	return err == nil
}

// has reports whether the attribute is present (possibly empty).
func (o dcmObject) has(tag string) bool {
	_, ok := o[tag]
	return ok
}

// strs returns the values as text: strings as they are, numbers as their
// JSON literal, PN as the Alphabetic group.
func (o dcmObject) strs(tag string) []string {
	a, ok := o[tag]
	if !ok {
		return nil
	}
	var out []string
	for _, raw := range a.Value {
		out = append(out, rawText(a.VR, raw))
	}
	return out
}

func rawText(vr string, raw json.RawMessage) string {
	if vr == "PN" {
		var p dcmPN
		if json.Unmarshal(raw, &p) == nil {
			return p.Alphabetic
		}
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

// str returns the first value as text, "" when absent or empty.
func (o dcmObject) str(tag string) string {
	if v := o.strs(tag); len(v) > 0 {
		return v[0]
	}
	return ""
}

// pn returns the first PN value.
func (o dcmObject) pn(tag string) dcmPN {
	var p dcmPN
	if a, ok := o[tag]; ok && len(a.Value) > 0 {
		json.Unmarshal(a.Value[0], &p)
	}
	return p
}

// items returns the items of a sequence.
func (o dcmObject) items(tag string) []dcmObject {
	var out []dcmObject
	for _, raw := range o[tag].Value {
		var item dcmObject
		json.Unmarshal(raw, &item)
		out = append(out, item)
	}
	return out
}

// uids returns the given UID of every object, in order.
func uids(objs []dcmObject, tag string) []string {
	out := make([]string, len(objs))
	for i, o := range objs {
		out[i] = o.str(tag)
	}
	return out
}

// Tags the tests read, as DICOM JSON keys.
const (
	tagSpecificCharacterSet   = "00080005"
	tagSOPClassUID            = "00080016"
	tagSOPInstanceUID         = "00080018"
	tagStudyDate              = "00080020"
	tagStudyTime              = "00080030"
	tagAccessionNumber        = "00080050"
	tagRetrieveAvailability   = "00080056"
	tagModality               = "00080060"
	tagModalitiesInStudy      = "00080061"
	tagRetrieveURL            = "00081190"
	tagFailedSOPSequence      = "00081198"
	tagFailureReason          = "00081197"
	tagReferencedSOPSequence  = "00081199"
	tagReferencedSOPInstance  = "00081155"
	tagReferencedSOPClass     = "00081150"
	tagStudyDescription       = "00081030"
	tagSeriesDescription      = "0008103E"
	tagPatientName            = "00100010"
	tagPatientID              = "00100020"
	tagPatientBirthDate       = "00100030"
	tagSliceThickness         = "00180050"
	tagStudyInstanceUID       = "0020000D"
	tagSeriesInstanceUID      = "0020000E"
	tagSeriesNumber           = "00200011"
	tagInstanceNumber         = "00200013"
	tagStudyRelatedSeries     = "00201206"
	tagStudyRelatedInstances  = "00201208"
	tagSeriesRelatedInstances = "00201209"
	tagRows                   = "00280010"
	tagColumns                = "00280011"
	tagPixelData              = "7FE00010"
)

// nativeModel is the PS3.19 Native DICOM Model document
// (application/dicom+xml), read with encoding/xml.
type nativeModel struct {
	XMLName xml.Name  `xml:"NativeDicomModel"`
	Attrs   []xmlAttr `xml:"DicomAttribute"`
}

// xmlAttr is one DicomAttribute element.
type xmlAttr struct {
	Tag         string     `xml:"tag,attr"`
	VR          string     `xml:"vr,attr"`
	Keyword     string     `xml:"keyword,attr"`
	Values      []xmlValue `xml:"Value"`
	Items       []xmlItem  `xml:"Item"`
	PersonNames []xmlPN    `xml:"PersonName"`
	BulkData    *struct {
		URI string `xml:"uri,attr"`
	} `xml:"BulkData"`
}

type xmlValue struct {
	Number int    `xml:"number,attr"`
	Text   string `xml:",chardata"`
}

type xmlItem struct {
	Number int       `xml:"number,attr"`
	Attrs  []xmlAttr `xml:"DicomAttribute"`
}

type xmlPN struct {
	Number     int `xml:"number,attr"`
	Alphabetic *struct {
		FamilyName string `xml:"FamilyName"`
		GivenName  string `xml:"GivenName"`
	} `xml:"Alphabetic"`
}

// nativeDICOMNamespace is the XML namespace of PS3.19 A.1.
const nativeDICOMNamespace = "http://dicom.nema.org/PS3.19/models/NativeDICOM"

func decodeXML(t testing.TB, b []byte) nativeModel {
	t.Helper()
	var m nativeModel
	if err := xml.Unmarshal(b, &m); err != nil {
		t.Fatalf("not a Native DICOM Model document: %v: %.300q", err, b)
	}
	if m.XMLName.Space != nativeDICOMNamespace {
		t.Errorf("NativeDicomModel namespace %q, want %q", m.XMLName.Space, nativeDICOMNamespace)
	}
	return m
}

// find returns the attribute with the tag.
func findXML(attrs []xmlAttr, tag string) (xmlAttr, bool) {
	for _, a := range attrs {
		if strings.EqualFold(a.Tag, tag) {
			return a, true
		}
	}
	return xmlAttr{}, false
}

// xmlText returns the first Value of the attribute with the tag.
func xmlText(attrs []xmlAttr, tag string) string {
	a, ok := findXML(attrs, tag)
	if !ok || len(a.Values) == 0 {
		return ""
	}
	return a.Values[0].Text
}
