package dataset

import (
	"encoding/binary"
	"fmt"
	"io"
)

// syntax is how a run of elements is encoded.
type syntax struct {
	bo       binary.ByteOrder
	implicit bool
}

// undefinedLength is the value length 0xFFFFFFFF as Element.Length reports it.
const undefinedLength = -1

// header is an element header as read from the stream.
type header struct {
	tag Tag
	// vr is the VR from the stream; "" for implicit VR, item tags, and
	// explicit VRs this package does not know (then resolved like implicit).
	vr     string
	length int64 // undefinedLength or 0..0xFFFFFFFE
}

// allVRs lists the VRs of PS3.5 table 6.2-1, two letters each.
const allVRs = "AEASATCSDADSDTFDFLISLOLTOBODOFOLOVOWPNSHSLSQSSSTSVTMUCUIULUNURUSUTUV"

// vrOf returns the VR spelled by the first two bytes of b, as a substring of
// allVRs so that reading a header does not allocate; "" when b spells none.
func vrOf(b []byte) string {
	if len(b) < 2 {
		return ""
	}
	for i := 0; i < len(allVRs); i += 2 {
		if allVRs[i] == b[0] && allVRs[i+1] == b[1] {
			return allVRs[i : i+2]
		}
	}
	return ""
}

// hasLongLength reports the VRs whose explicit header has two reserved bytes
// and a 4-byte length (PS3.5 7.1.2).
func hasLongLength(vr string) bool {
	switch vr {
	case "OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV":
		return true
	}
	return false
}

// readHeader reads one element header. It returns io.EOF, unwrapped, when
// the stream ends exactly before the header.
func readHeader(r *reader, s syntax) (header, error) {
	var b [8]byte
	if end, err := r.atEnd(); end || err != nil {
		if err == nil {
			err = io.EOF
		}
		return header{}, err
	}
	if err := r.full(b[:]); err != nil {
		return header{}, err
	}
	h := header{tag: Tag(uint32(s.bo.Uint16(b[0:])))<<16 | Tag(s.bo.Uint16(b[2:]))}
	switch {
	case h.tag.Group() == 0xFFFE || s.implicit:
		h.length = int64(s.bo.Uint32(b[4:]))
	case hasLongLength(vrOf(b[4:6])):
		h.vr = vrOf(b[4:6])
		if err := r.full(b[4:8]); err != nil {
			return header{}, err
		}
		h.length = int64(s.bo.Uint32(b[4:]))
	default:
		// A VR this package does not know ("" here) gets a 2-byte length,
		// as dcmtk assumes, and the dictionary VR.
		h.vr = vrOf(b[4:6])
		h.length = int64(s.bo.Uint16(b[6:]))
	}
	if h.length == 0xFFFFFFFF {
		h.length = undefinedLength
	}
	return h, nil
}

// looksExplicit reports whether the 8 bytes of an element header in b carry
// an explicit VR (bytes 4-5 are one of the VRs).
func looksExplicit(b []byte) bool {
	return len(b) >= 6 && vrOf(b[4:6]) != ""
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
}

// readItemHeader reads an item or delimitation header: a tag and a 4-byte
// length, no VR, in every transfer syntax.
func readItemHeader(r *reader, s syntax) (header, error) {
	var b [8]byte
	if err := r.full(b[:]); err != nil {
		return header{}, err
	}
	h := header{
		tag:    Tag(uint32(s.bo.Uint16(b[0:]))<<16 | uint32(s.bo.Uint16(b[2:]))),
		length: int64(s.bo.Uint32(b[4:])),
	}
	if h.length == 0xFFFFFFFF {
		h.length = undefinedLength
	}
	return h, nil
}
