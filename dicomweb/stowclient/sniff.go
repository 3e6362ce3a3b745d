package stowclient

import (
	"bytes"
	"encoding/binary"
	"path/filepath"
	"strings"
)

// sniffLen is how much of a file Scan reads to classify it: the preamble,
// "DICM" and the start of the meta group, whose Media Storage SOP Class UID
// (0002,0002) comes second.
const sniffLen = 512

// mediaStorageDirectory is the SOP class of a DICOMDIR (PS3.10 §8.6).
const mediaStorageDirectory = "1.2.840.10008.1.3.10"

type kind int

const (
	notDICOM kind = iota
	instance
	directory // a DICOMDIR: an index of a file-set, not an instance
)

// sniff classifies a file from its first bytes b (up to sniffLen) and its
// size.
func sniff(name string, b []byte, size int64) kind {
	if len(b) >= 132 && string(b[128:132]) == "DICM" {
		return classify(name, b, 132)
	}
	// No preamble (files written before PS3.10, some old CDs): accept a
	// first element of group 0002 or 0008 in little endian.
	if !plausibleStart(b, size) {
		return notDICOM
	}
	if binary.LittleEndian.Uint16(b) == 0x0002 {
		return classify(name, b, 0)
	}
	return instance
}

// classify tells a DICOMDIR from an instance by the meta group at b[off:].
func classify(name string, b []byte, off int) kind {
	class, ok := metaSOPClass(b, off)
	if ok {
		if class == mediaStorageDirectory {
			return directory
		}
		return instance
	}
	// A meta group too odd (or too long) to read here: trust the name
	// PS3.10 reserves for the directory.
	if strings.EqualFold(filepath.Base(name), "DICOMDIR") {
		return directory
	}
	return instance
}

// metaSOPClass finds (0002,0002) in an explicit VR little endian meta group
// starting at b[off:].
func metaSOPClass(b []byte, off int) (string, bool) {
	for off+8 <= len(b) {
		group := binary.LittleEndian.Uint16(b[off:])
		elem := binary.LittleEndian.Uint16(b[off+2:])
		if group != 0x0002 {
			return "", false
		}
		vr := string(b[off+4 : off+6])
		hdr, n := 8, int(binary.LittleEndian.Uint16(b[off+6:]))
		if longVR(vr) {
			if off+12 > len(b) {
				return "", false
			}
			hdr, n = 12, int(binary.LittleEndian.Uint32(b[off+8:]))
		}
		if n < 0 || off+hdr+n > len(b) {
			return "", false
		}
		if elem == 0x0002 {
			return string(bytes.TrimRight(b[off+hdr:off+hdr+n], "\x00 ")), true
		}
		off += hdr + n
	}
	return "", false
}

// maxFirstValue bounds the first element's length: groups 0002 and 0008
// open with short strings or a 4-byte group length.
const maxFirstValue = 4096

// plausibleStart reports whether b starts like a data set without preamble:
// a (0002,xxxx) or (0008,xxxx) element in explicit or implicit VR little
// endian with a sensible length, followed (when b holds it) by an element
// with a higher tag.
func plausibleStart(b []byte, size int64) bool {
	if len(b) < 8 {
		return false
	}
	group := binary.LittleEndian.Uint16(b)
	elem := binary.LittleEndian.Uint16(b[2:])
	if group != 0x0002 && group != 0x0008 {
		return false
	}
	if group == 0x0002 && elem > 0x0102 {
		return false
	}
	hdr, n := 8, int64(binary.LittleEndian.Uint32(b[4:])) // implicit VR
	if vr := string(b[4:6]); knownVR(vr) {
		hdr, n = 8, int64(binary.LittleEndian.Uint16(b[6:]))
		if longVR(vr) {
			if len(b) < 12 || b[6] != 0 || b[7] != 0 {
				return false
			}
			hdr, n = 12, int64(binary.LittleEndian.Uint32(b[8:]))
		}
	}
	if n > maxFirstValue || int64(hdr)+n > size {
		return false
	}
	next := hdr + int(n)
	if next+4 > len(b) {
		return true // nothing more to check against
	}
	g2 := binary.LittleEndian.Uint16(b[next:])
	e2 := binary.LittleEndian.Uint16(b[next+2:])
	return uint32(g2)<<16|uint32(e2) > uint32(group)<<16|uint32(elem)
}

// knownVR reports whether s is a value representation of PS3.5 §6.2.
func knownVR(s string) bool {
	switch s {
	case "AE", "AS", "AT", "CS", "DA", "DS", "DT", "FD", "FL", "IS", "LO", "LT", "PN", "SH", "SL", "SS",
		"ST", "TM", "UI", "UL", "US":
		return true
	}
	return longVR(s)
}

// longVR reports whether s is a VR with a 4-byte length in explicit VR.
func longVR(s string) bool {
	switch s {
	case "OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV":
		return true
	}
	return false
}
