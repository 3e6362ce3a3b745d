package reportpdf

import (
	"bytes"
	"compress/zlib"
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"
	"unicode/utf16"

	"github.com/go-text/typesetting/font"
)

// pdfFile assembles numbered objects and the cross-reference table.
type pdfFile struct {
	buf     bytes.Buffer
	offsets []int // by object number - 1
}

func newPDFFile() *pdfFile {
	p := &pdfFile{}
	// The binary comment tells transfer tools the file is not text.
	p.buf.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	return p
}

// reserve returns the number of a new object, written later.
func (p *pdfFile) reserve() int {
	p.offsets = append(p.offsets, -1)
	return len(p.offsets)
}

func (p *pdfFile) object(n int, body string) {
	p.offsets[n-1] = p.buf.Len()
	fmt.Fprintf(&p.buf, "%d 0 obj\n%s\nendobj\n", n, body)
}

// stream writes a compressed stream object; dict is the inside of its
// dictionary without Length and Filter.
func (p *pdfFile) stream(n int, dict string, data []byte) {
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.DefaultCompression)
	zw.Write(data)
	zw.Close()
	p.offsets[n-1] = p.buf.Len()
	fmt.Fprintf(&p.buf, "%d 0 obj\n<<%s /Length %d /Filter /FlateDecode>>\nstream\n", n, dict, z.Len())
	p.buf.Write(z.Bytes())
	p.buf.WriteString("\nendstream\nendobj\n")
}

// finish writes the cross-reference table and trailer. The file ID is a
// hash of the content, so that equal reports give equal files.
func (p *pdfFile) finish(root, info int) []byte {
	sum := sha256.Sum256(p.buf.Bytes())
	xref := p.buf.Len()
	fmt.Fprintf(&p.buf, "xref\n0 %d\n0000000000 65535 f \n", len(p.offsets)+1)
	for _, off := range p.offsets {
		fmt.Fprintf(&p.buf, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&p.buf, "trailer\n<</Size %d /Root %d 0 R /Info %d 0 R /ID [<%x> <%x>]>>\nstartxref\n%d\n%%%%EOF\n",
		len(p.offsets)+1, root, info, sum[:16], sum[:16], xref)
	return p.buf.Bytes()
}

// fontUse records what a document uses of one embedded font.
type fontUse struct {
	font      *embeddedFont
	resource  string          // "F1"
	glyphs    map[uint16]bool // glyph IDs drawn
	toUnicode map[uint16]rune // glyphs that stand for exactly one character
}

// writeFont writes a Type0 font with Identity-H encoding (character codes
// are glyph IDs), its subset font program, widths and a ToUnicode map for
// viewers that ignore /ActualText. It returns the font's object number.
func (p *pdfFile) writeFont(u *fontUse) int {
	f := u.font.sfnt
	gids := make([]int, 0, len(u.glyphs))
	for g := range u.glyphs {
		gids = append(gids, int(g))
	}
	slices.Sort(gids)
	// A subset's name starts with six capital letters naming the subset.
	h := sha256.Sum256(fmt.Append(nil, u.font.name, gids))
	tag := make([]byte, 6)
	for i := range tag {
		tag[i] = 'A' + h[i]%26
	}
	name := string(tag) + "+" + u.font.name
	scale := func(v int16) int { return int(v) * 1000 / f.upem }

	var w strings.Builder
	for _, g := range gids {
		fmt.Fprintf(&w, "%d [%d] ", g, int(u.font.face.HorizontalAdvance(font.GID(g)))*1000/f.upem)
	}
	file := p.reserve()
	p.stream(file, "", f.subset(u.glyphs))
	desc := p.reserve()
	flags := 4 // symbolic: glyphs outside the standard Latin set
	if f.italicFlag {
		flags |= 64
	}
	p.object(desc, fmt.Sprintf("<</Type /FontDescriptor /FontName /%s /Flags %d /FontBBox [%d %d %d %d] /ItalicAngle 0 "+
		"/Ascent %d /Descent %d /CapHeight %d /StemV 80 /FontFile2 %d 0 R>>",
		name, flags, scale(f.bbox[0]), scale(f.bbox[1]), scale(f.bbox[2]), scale(f.bbox[3]),
		scale(f.ascent), scale(f.descent), scale(f.capHeight), file))
	cid := p.reserve()
	p.object(cid, fmt.Sprintf("<</Type /Font /Subtype /CIDFontType2 /BaseFont /%s /CIDSystemInfo <</Registry (Adobe) /Ordering (Identity) /Supplement 0>> "+
		"/FontDescriptor %d 0 R /CIDToGIDMap /Identity /DW 0 /W [%s]>>", name, desc, w.String()))
	cmap := p.reserve()
	p.stream(cmap, "", toUnicodeCMap(u.toUnicode))
	font := p.reserve()
	p.object(font, fmt.Sprintf("<</Type /Font /Subtype /Type0 /BaseFont /%s /Encoding /Identity-H /DescendantFonts [%d 0 R] /ToUnicode %d 0 R>>",
		name, cid, cmap))
	return font
}

func toUnicodeCMap(m map[uint16]rune) []byte {
	gids := make([]int, 0, len(m))
	for g := range m {
		gids = append(gids, int(g))
	}
	slices.Sort(gids)
	var b bytes.Buffer
	b.WriteString("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n" +
		"/CIDSystemInfo <</Registry (Adobe) /Ordering (UCS) /Supplement 0>> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n" +
		"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n")
	for len(gids) > 0 {
		n := min(len(gids), 100) // at most 100 entries per block
		fmt.Fprintf(&b, "%d beginbfchar\n", n)
		for _, g := range gids[:n] {
			fmt.Fprintf(&b, "<%04X> <%s>\n", g, utf16Hex(string(m[uint16(g)])))
		}
		b.WriteString("endbfchar\n")
		gids = gids[n:]
	}
	b.WriteString("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")
	return b.Bytes()
}

// utf16Hex is s in UTF-16BE as hexadecimal digits.
func utf16Hex(s string) string {
	var b strings.Builder
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", u)
	}
	return b.String()
}

// textString is a PDF text string (UTF-16BE with a byte order mark).
func textString(s string) string { return "<FEFF" + utf16Hex(s) + ">" }
