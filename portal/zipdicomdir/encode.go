package zipdicomdir

import (
	"encoding/binary"
	"strconv"
	"strings"

	"github.com/pacslite/pacslite/dicomweb/dicomjson"
)

// encoder appends explicit VR little endian elements to a buffer.
type encoder struct {
	b []byte
}

// longVRs have a 2-byte reserved field and a 4-byte length.
func longVR(vr string) bool {
	switch vr {
	case "OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV":
		return true
	}
	return false
}

// header appends a tag, VR and value length.
func (e *encoder) header(tag uint32, vr string, n int) {
	e.b = binary.LittleEndian.AppendUint16(e.b, uint16(tag>>16))
	e.b = binary.LittleEndian.AppendUint16(e.b, uint16(tag))
	e.b = append(e.b, vr...)
	if longVR(vr) {
		e.b = append(e.b, 0, 0)
		e.b = binary.LittleEndian.AppendUint32(e.b, uint32(n))
		return
	}
	e.b = binary.LittleEndian.AppendUint16(e.b, uint16(n))
}

// str appends a string element padded to even length: UIDs with NUL,
// other text with a space. Several values are joined with backslashes.
func (e *encoder) str(tag uint32, vr string, values ...string) {
	v := strings.Join(values, `\`)
	pad := byte(' ')
	if vr == "UI" {
		pad = 0
	}
	n := len(v) + len(v)%2
	e.header(tag, vr, n)
	e.b = append(e.b, v...)
	if len(v)%2 == 1 {
		e.b = append(e.b, pad)
	}
}

func (e *encoder) ul(tag uint32, v uint32) {
	e.header(tag, "UL", 4)
	e.b = binary.LittleEndian.AppendUint32(e.b, v)
}

func (e *encoder) us(tag uint32, v uint16) {
	e.header(tag, "US", 2)
	e.b = binary.LittleEndian.AppendUint16(e.b, v)
}

func (e *encoder) ob(tag uint32, v []byte) {
	e.header(tag, "OB", len(v)+len(v)%2)
	e.b = append(e.b, v...)
	if len(v)%2 == 1 {
		e.b = append(e.b, 0)
	}
}

// item appends an item header of explicit length n.
func (e *encoder) item(n int) {
	e.b = binary.LittleEndian.AppendUint16(e.b, 0xFFFE)
	e.b = binary.LittleEndian.AppendUint16(e.b, 0xE000)
	e.b = binary.LittleEndian.AppendUint32(e.b, uint32(n))
}

// sizeStr is the encoded size of a string element.
func sizeStr(vr string, values ...string) int {
	n := len(strings.Join(values, `\`))
	return 8 + n + n%2
}

// attrs appends DICOM JSON attributes (in tag order): text values as
// they are, PN values with their component groups, US, SS, UL and SL in
// binary, sequences with items of explicit length. Other binary VRs and
// bulk data are left out: no directory key needs them.
func (e *encoder) attrs(as []dicomjson.Attribute) {
	for _, a := range as {
		e.attr(a)
	}
}

func (e *encoder) attr(a dicomjson.Attribute) {
	switch a.VR {
	case "SQ":
		var body encoder
		for _, v := range a.Values {
			it, _ := v.(dicomjson.Object)
			var item encoder
			item.attrs(it.Attributes())
			body.item(len(item.b))
			body.b = append(body.b, item.b...)
		}
		e.header(a.Tag, "SQ", len(body.b))
		e.b = append(e.b, body.b...)
	case "US", "SS", "UL", "SL":
		size := 2
		if a.VR == "UL" || a.VR == "SL" {
			size = 4
		}
		e.header(a.Tag, a.VR, size*len(a.Strings()))
		for _, s := range a.Strings() {
			n, _ := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
			if size == 2 {
				e.b = binary.LittleEndian.AppendUint16(e.b, uint16(n))
			} else {
				e.b = binary.LittleEndian.AppendUint32(e.b, uint32(n))
			}
		}
	case "OB", "OD", "OF", "OL", "OV", "OW", "UN", "FL", "FD", "SV", "UV", "AT":
	case "PN":
		var vs []string
		for _, v := range a.Values {
			p, _ := v.(dicomjson.PersonName)
			vs = append(vs, strings.TrimRight(p.Alphabetic+"="+p.Ideographic+"="+p.Phonetic, "="))
		}
		e.str(a.Tag, "PN", vs...)
	default:
		e.str(a.Tag, a.VR, a.Strings()...)
	}
}

// asciiAttrs reports whether every text value, in sequences too, is ASCII.
func asciiAttrs(as []dicomjson.Attribute) bool {
	for _, a := range as {
		for _, v := range a.Values {
			switch v := v.(type) {
			case dicomjson.Object:
				if !asciiAttrs(v.Attributes()) {
					return false
				}
			case dicomjson.PersonName:
				if !ascii(v.Alphabetic, v.Ideographic, v.Phonetic) {
					return false
				}
			case string:
				if !ascii(v) {
					return false
				}
			}
		}
	}
	return true
}
