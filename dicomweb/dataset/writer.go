package dataset

import (
	"bytes"
	"encoding/binary"
)

// elementWriter builds short explicit VR little endian encodings in memory
// (the meta group).
type elementWriter struct{ bytes.Buffer }

func newWriter() *elementWriter { return &elementWriter{} }

// element writes one element, padding an odd value as PS3.5 7.1 requires
// (NUL for UI and binary VRs, space for text).
func (w *elementWriter) element(tag Tag, vr string, value []byte) {
	pad := len(value)%2 == 1
	n := len(value)
	if pad {
		n++
	}
	var b [12]byte
	binary.LittleEndian.PutUint16(b[0:], tag.Group())
	binary.LittleEndian.PutUint16(b[2:], tag.Element())
	copy(b[4:], vr)
	if hasLongLength(vr) {
		binary.LittleEndian.PutUint32(b[8:], uint32(n))
		w.Write(b[:12])
	} else {
		binary.LittleEndian.PutUint16(b[6:], uint16(n))
		w.Write(b[:8])
	}
	w.Write(value)
	if pad {
		if IsTextVR(vr) && vr != "UI" {
			w.WriteByte(' ')
		} else {
			w.WriteByte(0)
		}
	}
}
