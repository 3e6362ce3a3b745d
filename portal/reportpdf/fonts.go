package reportpdf

import (
	"bytes"
	"embed"
	"fmt"

	"github.com/go-text/typesetting/font"
)

//go:embed fonts/*.ttf
var fontFS embed.FS

// fallbackOrder lists the embedded fonts in the order a character looks
// for a glyph: Latin (with Greek and Cyrillic) first, then the Indic
// scripts and Arabic, then Droid Sans Fallback for CJK and what else it
// has. Bold styles use the bold file where there is one.
var fallbackOrder = []struct{ regular, bold string }{
	{"NotoSans-Regular.ttf", "NotoSans-Bold.ttf"},
	{"NotoSansDevanagari-Regular.ttf", "NotoSansDevanagari-Bold.ttf"},
	{"NotoSansBengali-Regular.ttf", ""},
	{"NotoSansGujarati-Regular.ttf", ""},
	{"NotoSansGurmukhi-Regular.ttf", ""},
	{"NotoSansKannada-Regular.ttf", ""},
	{"NotoSansMalayalam-Regular.ttf", ""},
	{"NotoSansOriya-Regular.ttf", ""},
	{"NotoSansTamil-Regular.ttf", ""},
	{"NotoSansTelugu-Regular.ttf", ""},
	{"NotoSansArabic-Regular.ttf", ""},
	{"DroidSansFallbackFull.ttf", ""},
}

// embeddedFont is one font file: the face that shapes with it and the
// tables the PDF embeds.
type embeddedFont struct {
	name string // PostScript-like name for the PDF, e.g. "NotoSans-Bold"
	face *font.Face
	sfnt *sfnt
}

// fontSet holds every embedded font, parsed once.
type fontSet struct {
	regular, bold []*embeddedFont
}

func loadFonts() (*fontSet, error) {
	cache := map[string]*embeddedFont{}
	load := func(file string) (*embeddedFont, error) {
		if f, ok := cache[file]; ok {
			return f, nil
		}
		b, err := fontFS.ReadFile("fonts/" + file)
		if err != nil {
			return nil, fmt.Errorf("reportpdf: %w", err)
		}
		face, err := font.ParseTTF(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("reportpdf: parse %s: %w", file, err)
		}
		s, err := parseSFNT(b)
		if err != nil {
			return nil, fmt.Errorf("reportpdf: %s: %w", file, err)
		}
		f := &embeddedFont{name: file[:len(file)-len(".ttf")], face: face, sfnt: s}
		cache[file] = f
		return f, nil
	}
	fs := &fontSet{}
	for _, o := range fallbackOrder {
		r, err := load(o.regular)
		if err != nil {
			return nil, err
		}
		b := r
		if o.bold != "" {
			if b, err = load(o.bold); err != nil {
				return nil, err
			}
		}
		fs.regular = append(fs.regular, r)
		fs.bold = append(fs.bold, b)
	}
	return fs, nil
}

// fontmap picks, for each character, the first font of a style that has a
// glyph for it (shaping.Fontmap).
type fontmap struct {
	fonts []*embeddedFont
	byRun map[rune]*font.Face
}

func newFontmap(fonts []*embeddedFont) *fontmap {
	return &fontmap{fonts: fonts, byRun: map[rune]*font.Face{}}
}

func (m *fontmap) ResolveFace(r rune) *font.Face {
	if f, ok := m.byRun[r]; ok {
		return f
	}
	f := m.fonts[0].face
	for _, e := range m.fonts {
		if _, ok := e.face.NominalGlyph(r); ok {
			f = e.face
			break
		}
	}
	m.byRun[r] = f
	return f
}

// byFace finds the embedded font of a face.
func (fs *fontSet) byFace(face *font.Face) *embeddedFont {
	for _, list := range [][]*embeddedFont{fs.regular, fs.bold} {
		for _, f := range list {
			if f.face == face {
				return f
			}
		}
	}
	return fs.regular[0]
}
