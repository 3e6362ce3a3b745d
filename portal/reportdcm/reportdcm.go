// Package reportdcm writes a signed report as a DICOM Encapsulated PDF
// instance (PS3.3 A.45.1), so that the archive keeps the report in the
// study where OHIF, Weasis and any DICOMweb client find it.
package reportdcm

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"time"
	"unicode/utf8"
)

// UIDs this package uses.
const (
	EncapsulatedPDFStorage = "1.2.840.10008.5.1.4.1.1.104.1"
	explicitVRLittleEndian = "1.2.840.10008.1.2.1"
	// implementationUID names pacslite as the writer: a fixed UID under
	// the 2.25 root.
	implementationUID = "2.25.200931837105218458129418316906143402214"
)

// NewUID returns a new UID under the 2.25 root (PS3.5 B.2): the decimal
// value of a random (version 4) UUID.
func NewUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return "2.25." + new(big.Int).SetBytes(b[:]).String()
}

// Study holds the patient and study attributes copied from the study the
// report belongs to, as DICOM strings (DA, TM, PN as found).
type Study struct {
	StudyUID, StudyDate, StudyTime, StudyID, Accession, Description, Referring string
	PatientName, PatientID, BirthDate, Sex                                     string
}

// Document is one report version to store.
type Document struct {
	Study
	SeriesUID      string
	SOPUID         string
	SeriesNumber   int
	InstanceNumber int
	Title          string // Document Title, e.g. "Radiology report"
	Created        time.Time
	Manufacturer   string
	PDF            []byte
}

// element is one data element in explicit VR little endian.
type element struct {
	tag   uint32
	vr    string
	value []byte
}

func str(tag uint32, vr, s string, max int) element {
	for len(s) > max {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return element{tag, vr, []byte(s)}
}

// EncapsulatedPDF returns the instance as a DICOM Part 10 file.
func EncapsulatedPDF(d Document) ([]byte, error) {
	if d.StudyUID == "" || d.SeriesUID == "" || d.SOPUID == "" || len(d.PDF) == 0 {
		return nil, fmt.Errorf("reportdcm: study, series and SOP instance UIDs and the PDF are required")
	}
	date, tm := d.Created.Format("20060102"), d.Created.Format("150405")
	concept := items(
		[]element{str(0x00080100, "SH", "18748-4", 16), str(0x00080102, "SH", "LN", 16), str(0x00080104, "LO", "Diagnostic imaging study", 64)},
	)
	length := make([]byte, 4)
	binary.LittleEndian.PutUint32(length, uint32(len(d.PDF)))
	ds := []element{
		str(0x00080005, "CS", "ISO_IR 192", 16),
		str(0x00080012, "DA", date, 8),
		str(0x00080013, "TM", tm, 16),
		str(0x00080016, "UI", EncapsulatedPDFStorage, 64),
		str(0x00080018, "UI", d.SOPUID, 64),
		str(0x00080020, "DA", d.StudyDate, 8),
		str(0x00080023, "DA", date, 8),
		str(0x0008002A, "DT", date+tm, 26),
		str(0x00080030, "TM", d.StudyTime, 16),
		str(0x00080033, "TM", tm, 16),
		str(0x00080050, "SH", d.Accession, 16),
		str(0x00080060, "CS", "DOC", 16),
		str(0x00080064, "CS", "WSD", 16),
		str(0x00080070, "LO", d.Manufacturer, 64),
		str(0x00080090, "PN", d.Referring, 320),
		str(0x00081030, "LO", d.Description, 64),
		str(0x0008103E, "LO", d.Title, 64),
		str(0x00100010, "PN", d.PatientName, 320),
		str(0x00100020, "LO", d.PatientID, 64),
		str(0x00100030, "DA", d.BirthDate, 8),
		str(0x00100040, "CS", d.Sex, 16),
		str(0x0020000D, "UI", d.StudyUID, 64),
		str(0x0020000E, "UI", d.SeriesUID, 64),
		str(0x00200010, "SH", d.StudyID, 16),
		str(0x00200011, "IS", strconv.Itoa(d.SeriesNumber), 12),
		str(0x00200013, "IS", strconv.Itoa(d.InstanceNumber), 12),
		str(0x00280301, "CS", "YES", 16),
		{0x0040A043, "SQ", concept},
		str(0x00420010, "ST", d.Title, 1024),
		{0x00420011, "OB", d.PDF},
		str(0x00420012, "LO", "application/pdf", 64),
		{0x00420015, "UL", length},
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i].tag < ds[j].tag })
	meta := encode([]element{
		{0x00020001, "OB", []byte{0, 1}},
		str(0x00020002, "UI", EncapsulatedPDFStorage, 64),
		str(0x00020003, "UI", d.SOPUID, 64),
		str(0x00020010, "UI", explicitVRLittleEndian, 64),
		str(0x00020012, "UI", implementationUID, 64),
		str(0x00020013, "SH", "PACSLITE", 16),
	})
	groupLength := make([]byte, 4)
	binary.LittleEndian.PutUint32(groupLength, uint32(len(meta)))
	var out bytes.Buffer
	out.Write(make([]byte, 128))
	out.WriteString("DICM")
	out.Write(encode([]element{{0x00020000, "UL", groupLength}}))
	out.Write(meta)
	out.Write(encode(ds))
	return out.Bytes(), nil
}

// items encodes sequence items of explicit length.
func items(list ...[]element) []byte {
	var b bytes.Buffer
	for _, it := range list {
		body := encode(it)
		var h [8]byte
		binary.LittleEndian.PutUint16(h[0:], 0xFFFE)
		binary.LittleEndian.PutUint16(h[2:], 0xE000)
		binary.LittleEndian.PutUint32(h[4:], uint32(len(body)))
		b.Write(h[:])
		b.Write(body)
	}
	return b.Bytes()
}

// encode writes elements in explicit VR little endian, padding odd values
// as PS3.5 6.2 says: NUL for UI and binary VRs, a space for text.
func encode(els []element) []byte {
	var b bytes.Buffer
	for _, e := range els {
		v := e.value
		if len(v)%2 == 1 {
			pad := byte(' ')
			if e.vr == "UI" || e.vr == "OB" {
				pad = 0
			}
			v = append(append([]byte(nil), v...), pad)
		}
		var h [12]byte
		binary.LittleEndian.PutUint16(h[0:], uint16(e.tag>>16))
		binary.LittleEndian.PutUint16(h[2:], uint16(e.tag))
		copy(h[4:], e.vr)
		switch e.vr {
		case "OB", "SQ", "UT", "UN", "OW":
			binary.LittleEndian.PutUint32(h[8:], uint32(len(v)))
			b.Write(h[:12])
		default:
			binary.LittleEndian.PutUint16(h[6:], uint16(len(v)))
			b.Write(h[:8])
		}
		b.Write(v)
	}
	return b.Bytes()
}
