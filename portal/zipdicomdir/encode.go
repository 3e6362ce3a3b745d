package zipdicomdir

import (
	"encoding/binary"
	"strings"
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
