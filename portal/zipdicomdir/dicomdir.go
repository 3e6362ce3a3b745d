package zipdicomdir

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"strings"
	"unicode/utf8"
)

// Attribute tags of the Basic Directory IOD and its record keys.
const (
	tagNextRecord       = 0x00041400
	tagInUse            = 0x00041410
	tagLowerEntity      = 0x00041420
	tagRecordType       = 0x00041430
	tagFileID           = 0x00041500
	tagRefSOPClass      = 0x00041510
	tagRefSOPInstance   = 0x00041511
	tagRefSyntax        = 0x00041512
	tagCharset          = 0x00080005
	tagStudyDate        = 0x00080020
	tagStudyTime        = 0x00080030
	tagAccession        = 0x00080050
	tagModality         = 0x00080060
	tagStudyDescription = 0x00081030
	tagPatientName      = 0x00100010
	tagPatientID        = 0x00100020
	tagBirthDate        = 0x00100030
	tagSex              = 0x00100040
	tagStudyUID         = 0x0020000D
	tagSeriesUID        = 0x0020000E
	tagStudyID          = 0x00200010
	tagSeriesNumber     = 0x00200011
	tagInstanceNumber   = 0x00200013
)

// MediaStorageDirectoryStorage is the SOP class of a DICOMDIR.
const MediaStorageDirectoryStorage = "1.2.840.10008.1.3.10"

const explicitVRLittleEndian = "1.2.840.10008.1.2.1"

// record is one directory record: its type, its keys (already in tag
// order, after the 0004 group) and, for the records below a series
// (IMAGE, SR DOCUMENT, ENCAP DOC...), the file it references.
type record struct {
	kind  string
	keys  func(e *encoder)
	image *entry
	utf8  bool // the keys hold non-ASCII text: Specific Character Set ISO_IR 192
	next  *record
	lower *record
	size  int
	off   uint32
}

// encode appends the record as an item of explicit length.
func (r *record) encode(e *encoder) {
	var c encoder
	c.ul(tagNextRecord, offsetOf(r.next))
	c.us(tagInUse, 0xFFFF)
	c.ul(tagLowerEntity, offsetOf(r.lower))
	c.str(tagRecordType, "CS", r.kind)
	if r.image != nil {
		c.str(tagFileID, "CS", r.image.fileID...)
		c.str(tagRefSOPClass, "UI", r.image.inst.SOPClassUID)
		c.str(tagRefSOPInstance, "UI", r.image.inst.SOPInstanceUID)
		c.str(tagRefSyntax, "UI", r.image.inst.TransferSyntaxUID)
	}
	if r.utf8 {
		c.str(tagCharset, "CS", "ISO_IR 192")
	}
	r.keys(&c)
	e.item(len(c.b))
	e.b = append(e.b, c.b...)
}

func offsetOf(r *record) uint32 {
	if r == nil {
		return 0
	}
	return r.off
}

// records builds the directory records of the entries, depth first:
// patient, its first study, that study's first series, its images, the
// next series, and so on. It returns them in file order and the first
// and last records of the root directory entity (the patients).
func (w *Writer) records() (all []*record, first, last *record) {
	var prevPatient *record
	for _, p := range w.patients {
		pr := &record{kind: "PATIENT", keys: patientKeys(p), utf8: !ascii(p.name, p.id)}
		all = append(all, pr)
		if prevPatient != nil {
			prevPatient.next = pr
		} else {
			first = pr
		}
		prevPatient, last = pr, pr
		var prevStudy *record
		for _, st := range p.studies {
			sr := &record{kind: "STUDY", keys: studyKeys(st), utf8: !ascii(st.first.StudyDescription, st.first.AccessionNumber, st.studyID)}
			all = append(all, sr)
			link(pr, prevStudy, sr)
			prevStudy = sr
			var prevSeries *record
			for _, se := range st.series {
				ser := &record{kind: "SERIES", keys: seriesKeys(se)}
				all = append(all, ser)
				link(sr, prevSeries, ser)
				prevSeries = ser
				var prevImage *record
				for _, im := range se.images {
					kind := RecordType(im.inst.SOPClassUID)
					keys := leafKeys(kind, im)
					ir := &record{kind: kind, keys: func(e *encoder) { e.attrs(keys) }, image: im, utf8: !asciiAttrs(keys)}
					all = append(all, ir)
					link(ser, prevImage, ir)
					prevImage = ir
				}
			}
		}
	}
	return all, first, last
}

// link makes r the next record after prev, or the first lower record of
// parent.
func link(parent, prev, r *record) {
	if prev == nil {
		parent.lower = r
		return
	}
	prev.next = r
}

func patientKeys(p *patient) func(*encoder) {
	return func(e *encoder) {
		e.str(tagPatientName, "PN", p.name)
		e.str(tagPatientID, "LO", p.id)
		if p.birth != "" {
			e.str(tagBirthDate, "DA", p.birth)
		}
		if p.sex != "" {
			e.str(tagSex, "CS", p.sex)
		}
	}
}

func studyKeys(s *study) func(*encoder) {
	return func(e *encoder) {
		e.str(tagStudyDate, "DA", or(s.first.StudyDate, "19000101"))
		e.str(tagStudyTime, "TM", or(s.first.StudyTime, "000000"))
		e.str(tagAccession, "SH", s.first.AccessionNumber)
		e.str(tagStudyDescription, "LO", s.first.StudyDescription)
		e.str(tagStudyUID, "UI", s.first.StudyInstanceUID)
		e.str(tagStudyID, "SH", s.studyID)
	}
}

func seriesKeys(s *series) func(*encoder) {
	return func(e *encoder) {
		e.str(tagModality, "CS", or(s.first.Modality, "OT"))
		e.str(tagSeriesUID, "UI", s.first.SeriesInstanceUID)
		e.str(tagSeriesNumber, "IS", s.number)
	}
}

// dicomdir encodes the whole DICOMDIR file.
func (w *Writer) dicomdir() []byte {
	var meta encoder
	meta.ob(0x00020001, []byte{0, 1})
	meta.str(0x00020002, "UI", MediaStorageDirectoryStorage)
	meta.str(0x00020003, "UI", newUID())
	meta.str(0x00020010, "UI", explicitVRLittleEndian)
	meta.str(0x00020012, "UI", w.opts.ImplementationClassUID)
	meta.str(0x00020013, "SH", w.opts.ImplementationVersionName)

	out := encoder{b: make([]byte, 128, 1<<16)}
	out.b = append(out.b, "DICM"...)
	out.ul(0x00020000, uint32(len(meta.b)))
	out.b = append(out.b, meta.b...)

	recs, first, last := w.records()
	// Sizes do not depend on offsets (all are 4-byte UL), so one pass
	// sizes the records and a second one places them.
	total := 0
	for _, r := range recs {
		var e encoder
		r.encode(&e)
		r.size = len(e.b)
		total += r.size
	}
	pos := len(out.b) + sizeStr("CS", w.opts.FileSetID) + 12 + 12 + 10 + 12
	for _, r := range recs {
		r.off = uint32(pos)
		pos += r.size
	}
	out.str(0x00041130, "CS", w.opts.FileSetID)
	out.ul(0x00041200, offsetOf(first))
	out.ul(0x00041202, offsetOf(last))
	out.us(0x00041212, 0)
	out.header(0x00041220, "SQ", total)
	for _, r := range recs {
		r.encode(&out)
	}
	return out.b
}

func or(v, def string) string {
	if strings.TrimSpace(v) == "" {
		return def
	}
	return v
}

func ascii(values ...string) bool {
	for _, v := range values {
		for i := 0; i < len(v); i++ {
			if v[i] >= utf8.RuneSelf {
				return false
			}
		}
	}
	return true
}

// newUID returns a UUID-derived UID (2.25.<128-bit number>).
func newUID() string {
	b := make([]byte, 16)
	rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("2.25.%s", new(big.Int).SetBytes(b).String())
}
