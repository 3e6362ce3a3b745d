package reportpdf

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
)

// sfnt is what the PDF needs of a TrueType (glyf) font: its tables and a
// few metrics for the font descriptor.
type sfnt struct {
	tables     map[string][]byte
	upem       int
	longLoca   bool
	numGlyphs  int
	bbox       [4]int16 // xMin, yMin, xMax, yMax in font units
	ascent     int16
	descent    int16
	capHeight  int16
	italicFlag bool
}

var errFont = errors.New("not a TrueType font with glyf outlines")

func parseSFNT(b []byte) (*sfnt, error) {
	if len(b) < 12 || binary.BigEndian.Uint32(b) != 0x00010000 {
		return nil, errFont
	}
	n := int(binary.BigEndian.Uint16(b[4:]))
	if len(b) < 12+16*n {
		return nil, errFont
	}
	f := &sfnt{tables: map[string][]byte{}}
	for i := range n {
		rec := b[12+16*i:]
		off, length := binary.BigEndian.Uint32(rec[8:]), binary.BigEndian.Uint32(rec[12:])
		if uint64(off)+uint64(length) > uint64(len(b)) {
			return nil, fmt.Errorf("table %q outside the file", rec[:4])
		}
		f.tables[string(rec[:4])] = b[off : off+length]
	}
	head, hhea, maxp := f.tables["head"], f.tables["hhea"], f.tables["maxp"]
	if len(head) < 54 || len(hhea) < 36 || len(maxp) < 6 || f.tables["glyf"] == nil || f.tables["loca"] == nil || f.tables["hmtx"] == nil {
		return nil, errFont
	}
	f.upem = int(binary.BigEndian.Uint16(head[18:]))
	for i := range 4 {
		f.bbox[i] = int16(binary.BigEndian.Uint16(head[36+2*i:]))
	}
	f.italicFlag = binary.BigEndian.Uint16(head[44:])&2 != 0
	f.longLoca = binary.BigEndian.Uint16(head[50:]) == 1
	f.ascent = int16(binary.BigEndian.Uint16(hhea[4:]))
	f.descent = int16(binary.BigEndian.Uint16(hhea[6:]))
	f.numGlyphs = int(binary.BigEndian.Uint16(maxp[4:]))
	f.capHeight = f.ascent
	if os2 := f.tables["OS/2"]; len(os2) >= 90 && binary.BigEndian.Uint16(os2) >= 2 {
		f.capHeight = int16(binary.BigEndian.Uint16(os2[88:]))
	}
	if f.upem == 0 || f.numGlyphs == 0 {
		return nil, errFont
	}
	return f, nil
}

// glyph returns the outline data of a glyph (empty for blank glyphs).
func (f *sfnt) glyph(gid int) []byte {
	loca, glyf := f.tables["loca"], f.tables["glyf"]
	var start, end int
	if f.longLoca {
		if 4*gid+8 > len(loca) {
			return nil
		}
		start, end = int(binary.BigEndian.Uint32(loca[4*gid:])), int(binary.BigEndian.Uint32(loca[4*gid+4:]))
	} else {
		if 2*gid+4 > len(loca) {
			return nil
		}
		start, end = 2*int(binary.BigEndian.Uint16(loca[2*gid:])), 2*int(binary.BigEndian.Uint16(loca[2*gid+2:]))
	}
	if start >= end || end > len(glyf) {
		return nil
	}
	return glyf[start:end]
}

// components lists the glyphs a composite glyph is built of.
func components(g []byte) []int {
	if len(g) < 10 || int16(binary.BigEndian.Uint16(g)) >= 0 {
		return nil
	}
	var out []int
	for p := 10; p+4 <= len(g); {
		flags := binary.BigEndian.Uint16(g[p:])
		out = append(out, int(binary.BigEndian.Uint16(g[p+2:])))
		p += 4
		if flags&0x0001 != 0 { // ARG_1_AND_2_ARE_WORDS
			p += 4
		} else {
			p += 2
		}
		switch {
		case flags&0x0008 != 0: // WE_HAVE_A_SCALE
			p += 2
		case flags&0x0040 != 0: // WE_HAVE_AN_X_AND_Y_SCALE
			p += 4
		case flags&0x0080 != 0: // WE_HAVE_A_TWO_BY_TWO
			p += 8
		}
		if flags&0x0020 == 0 { // MORE_COMPONENTS
			break
		}
	}
	return out
}

// subset returns a font program with the outlines of the used glyphs only
// (and of the glyphs composites are made of). Glyph IDs do not change, so
// the PDF's CID-to-glyph map stays the identity; unused glyphs are empty
// and cost only their loca entry, which compresses to almost nothing.
func (f *sfnt) subset(used map[uint16]bool) []byte {
	keep := map[int]bool{}
	queue := []int{0} // .notdef
	for g := range used {
		queue = append(queue, int(g))
	}
	for len(queue) > 0 {
		g := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		if g >= f.numGlyphs || keep[g] {
			continue
		}
		keep[g] = true
		for _, c := range components(f.glyph(g)) {
			if !keep[c] {
				queue = append(queue, c)
			}
		}
	}
	loca := make([]byte, 4*(f.numGlyphs+1))
	var glyf []byte
	for g := range f.numGlyphs {
		binary.BigEndian.PutUint32(loca[4*g:], uint32(len(glyf)))
		if keep[g] {
			glyf = append(glyf, f.glyph(g)...)
			for len(glyf)%4 != 0 {
				glyf = append(glyf, 0)
			}
		}
	}
	binary.BigEndian.PutUint32(loca[4*f.numGlyphs:], uint32(len(glyf)))
	head := append([]byte(nil), f.tables["head"]...)
	binary.BigEndian.PutUint32(head[8:], 0)  // checkSumAdjustment
	binary.BigEndian.PutUint16(head[50:], 1) // long loca
	out := map[string][]byte{"head": head, "loca": loca, "glyf": glyf}
	for _, t := range []string{"hhea", "maxp", "hmtx", "cvt ", "fpgm", "prep"} {
		if b, ok := f.tables[t]; ok {
			out[t] = b
		}
	}
	return writeSFNT(out)
}

// writeSFNT assembles tables into a font file.
func writeSFNT(tables map[string][]byte) []byte {
	tags := make([]string, 0, len(tables))
	for t := range tables {
		tags = append(tags, t)
	}
	sort.Strings(tags)
	n := len(tags)
	entrySelector := 0
	for 1<<(entrySelector+1) <= n {
		entrySelector++
	}
	searchRange := 16 << entrySelector
	b := make([]byte, 12+16*n)
	binary.BigEndian.PutUint32(b, 0x00010000)
	binary.BigEndian.PutUint16(b[4:], uint16(n))
	binary.BigEndian.PutUint16(b[6:], uint16(searchRange))
	binary.BigEndian.PutUint16(b[8:], uint16(entrySelector))
	binary.BigEndian.PutUint16(b[10:], uint16(16*n-searchRange))
	for i, t := range tags {
		data := tables[t]
		rec := b[12+16*i:]
		copy(rec, t)
		binary.BigEndian.PutUint32(rec[4:], checksum(data))
		binary.BigEndian.PutUint32(rec[8:], uint32(len(b)))
		binary.BigEndian.PutUint32(rec[12:], uint32(len(data)))
		b = append(b, data...)
		for len(b)%4 != 0 {
			b = append(b, 0)
		}
	}
	return b
}

func checksum(b []byte) uint32 {
	var sum uint32
	for i := 0; i < len(b); i += 4 {
		var w [4]byte
		copy(w[:], b[i:])
		sum += binary.BigEndian.Uint32(w[:])
	}
	return sum
}
