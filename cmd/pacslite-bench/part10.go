package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/pacslite/pacslite/dicomweb/dataset"
)

// implementationUID identifies files this command writes (a 2.25 UUID UID).
const implementationUID = "2.25.268573591204387112958727303473126545417"

// elem is one element the generator writes in place of (or in addition to)
// the template's.
type elem struct {
	tag   dataset.Tag
	vr    string
	value []byte
}

func text(tag dataset.Tag, vr string, values ...string) elem {
	return elem{tag: tag, vr: vr, value: []byte(strings.Join(values, `\`))}
}

func us(tag dataset.Tag, v int) elem {
	return elem{tag: tag, vr: "US", value: binary.LittleEndian.AppendUint16(nil, uint16(v))}
}

func ds(tag dataset.Tag, vs ...float64) elem {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = strconv.FormatFloat(v, 'f', -1, 64)
	}
	return text(tag, "DS", s...)
}

// longVR are the VRs with a 4-byte length in explicit VR (PS3.5 7.1.2).
func longVR(vr string) bool {
	switch vr {
	case "OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV":
		return true
	}
	return false
}

// writeElem encodes one element in explicit or implicit VR little endian,
// padding odd values as PS3.5 requires (NUL for UI and binary, else space).
func writeElem(w byteWriter, e elem, implicit bool) {
	n := len(e.value) + len(e.value)%2
	var h [12]byte
	binary.LittleEndian.PutUint16(h[0:], e.tag.Group())
	binary.LittleEndian.PutUint16(h[2:], e.tag.Element())
	switch {
	case implicit:
		binary.LittleEndian.PutUint32(h[4:], uint32(n))
		w.Write(h[:8])
	case longVR(e.vr):
		copy(h[4:], e.vr)
		binary.LittleEndian.PutUint32(h[8:], uint32(n))
		w.Write(h[:12])
	default:
		copy(h[4:], e.vr)
		binary.LittleEndian.PutUint16(h[6:], uint16(n))
		w.Write(h[:8])
	}
	w.Write(e.value)
	if len(e.value)%2 == 1 {
		if e.vr == "UI" || e.vr == "OB" || e.vr == "OW" || e.vr == "US" {
			w.WriteByte(0)
		} else {
			w.WriteByte(' ')
		}
	}
}

// render writes a Part 10 file: a new meta group, then the template's
// dataset with the elements of set (sorted by tag) replacing or joining
// the template's. It returns the bytes written.
func (t *template) render(dst io.Writer, sopClass, sopUID string, set []elem) (int64, error) {
	cw := &countingWriter{w: dst}
	w := bufio.NewWriterSize(cw, 64<<10)
	w.Write(make([]byte, 128))
	w.WriteString("DICM")

	var meta bytes.Buffer
	writeElem(&meta, elem{tag: 0x00020001, vr: "OB", value: []byte{0, 1}}, false)
	writeElem(&meta, text(0x00020002, "UI", sopClass), false)
	writeElem(&meta, text(0x00020003, "UI", sopUID), false)
	writeElem(&meta, text(0x00020010, "UI", t.ts), false)
	writeElem(&meta, text(0x00020012, "UI", implementationUID), false)
	writeElem(&meta, text(0x00020013, "SH", "PACSLITE_BENCH"), false)
	writeElem(w, elem{tag: 0x00020000, vr: "UL", value: binary.LittleEndian.AppendUint32(nil, uint32(meta.Len()))}, false)
	w.Write(meta.Bytes())

	set = slices.Clone(set)
	slices.SortFunc(set, func(a, b elem) int { return int(int64(a.tag) - int64(b.tag)) })
	i := 0
	for _, s := range t.elems {
		for i < len(set) && set[i].tag < s.tag {
			writeElem(w, set[i], t.implicit)
			i++
		}
		if i < len(set) && set[i].tag == s.tag {
			writeElem(w, set[i], t.implicit)
			i++
			continue
		}
		w.Write(t.data[s.start:s.end])
	}
	for ; i < len(set); i++ {
		writeElem(w, set[i], t.implicit)
	}
	err := w.Flush()
	return cw.n, err
}

type byteWriter interface {
	io.Writer
	io.ByteWriter
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
