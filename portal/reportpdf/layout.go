package reportpdf

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/go-text/typesetting/di"
	"github.com/go-text/typesetting/language"
	"github.com/go-text/typesetting/shaping"
	"golang.org/x/image/math/fixed"
)

// Page geometry in points: A4 with 2 cm margins.
const (
	pageW, pageH = 595.28, 841.89
	margin       = 56.7
	bottom       = 70.0 // the footer sits below this
	contentW     = pageW - 2*margin
)

// style is how a piece of text looks.
type style struct {
	size  float64
	bold  bool
	color [3]float64
	lead  float64 // line height as a multiple of size
}

var (
	black = [3]float64{0.08, 0.13, 0.17}
	grey  = [3]float64{0.36, 0.42, 0.47}
	brand = [3]float64{0.06, 0.46, 0.43}
	red   = [3]float64{0.73, 0.11, 0.11}
)

// doc lays out text on pages, shaping it with HarfBuzz (go-text).
type doc struct {
	fonts  *fontSet
	maps   [2]*fontmap // regular, bold
	shaper shaping.HarfbuzzShaper
	seg    shaping.Segmenter
	wrap   shaping.LineWrapper
	pages  []*bytes.Buffer
	page   *bytes.Buffer
	y      float64 // the top of the free space on the page
	uses   []*fontUse
	header func()
}

func newDoc(fs *fontSet) *doc {
	return &doc{fonts: fs, maps: [2]*fontmap{newFontmap(fs.regular), newFontmap(fs.bold)}}
}

func (d *doc) newPage() {
	d.page = &bytes.Buffer{}
	d.pages = append(d.pages, d.page)
	d.y = pageH - margin
	if d.header != nil {
		d.header()
	}
}

// need starts a new page unless h points fit above the bottom margin.
func (d *doc) need(h float64) {
	if d.page == nil || d.y-h < bottom {
		d.newPage()
	}
}

// line is one wrapped line of a paragraph, ready to draw.
type line struct {
	runs  shaping.Line
	text  []rune
	width float64
}

// lines shapes text and wraps it into lines no wider than width. Each
// "\n" starts a paragraph; an empty paragraph is an empty line.
func (d *doc) lines(text string, st style, width float64) []line {
	var out []line
	for _, para := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		runes := []rune(strings.TrimRight(para, " \t"))
		if len(runes) == 0 {
			out = append(out, line{})
			continue
		}
		m := d.maps[0]
		if st.bold {
			m = d.maps[1]
		}
		in := shaping.Input{Text: runes, RunEnd: len(runes), Direction: di.DirectionLTR, Face: m.fonts[0].face,
			Size: fixed.Int26_6(st.size * 64), Script: language.Latin, Language: language.NewLanguage("en")}
		var outs []shaping.Output
		for _, run := range d.seg.Split(in, m) {
			outs = append(outs, d.shaper.Shape(run))
		}
		wrapped, _ := d.wrap.WrapParagraph(shaping.WrapConfig{Direction: di.DirectionLTR}, int(width), runes, shaping.NewSliceIterator(outs))
		for _, l := range wrapped {
			// The wrapper reuses its buffers on the next paragraph: copy.
			runs := make(shaping.Line, len(l))
			var w fixed.Int26_6
			for i, r := range l {
				r.Glyphs = slices.Clone(r.Glyphs)
				runs[i] = r
				w += r.Advance
			}
			out = append(out, line{runs: runs, text: runes, width: float64(w) / 64})
		}
	}
	return out
}

// height is the vertical space n lines take.
func (st style) height(n int) float64 { return float64(n) * st.size * st.lead }

// drawLines draws lines with their left end at x, starting at the current
// y, breaking pages as needed, and moves y below them.
func (d *doc) drawLines(ls []line, st style, x float64) {
	for _, l := range ls {
		d.need(st.size * st.lead)
		d.drawLine(l, st, x, d.y-st.size)
		d.y -= st.size * st.lead
	}
}

// text draws a paragraph at x within width.
func (d *doc) text(s string, st style, x, width float64) {
	d.drawLines(d.lines(s, st, width), st, x)
}

// drawLine draws one line with its baseline at y. Each run is wrapped in
// an /ActualText span with its exact text, so that extraction gives back
// what was written even where shaping reordered or merged characters.
func (d *doc) drawLine(l line, st style, x, y float64) {
	runs := slices.Clone(l.runs)
	slices.SortStableFunc(runs, func(a, b shaping.Output) int { return int(a.VisualIndex - b.VisualIndex) })
	fmt.Fprintf(d.page, "%.3f %.3f %.3f rg\n", st.color[0], st.color[1], st.color[2])
	pen := x
	for _, r := range runs {
		u := d.use(r)
		text := string(l.text[r.Runes.Offset : r.Runes.Offset+r.Runes.Count])
		fmt.Fprintf(d.page, "/Span <</ActualText %s>> BDC\nBT /%s %.2f Tf\n", textString(text), u.resource, st.size)
		for _, g := range r.Glyphs {
			gid := uint16(g.GlyphID)
			u.glyphs[gid] = true
			if g.RuneCount == 1 && g.GlyphCount == 1 && g.ClusterIndex < len(l.text) {
				if _, ok := u.toUnicode[gid]; !ok {
					u.toUnicode[gid] = l.text[g.ClusterIndex]
				}
			}
			fmt.Fprintf(d.page, "1 0 0 1 %.2f %.2f Tm <%04X> Tj\n", pen+float64(g.XOffset)/64, y+float64(g.YOffset)/64, gid)
			pen += float64(g.Advance) / 64
		}
		d.page.WriteString("ET\nEMC\n")
	}
}

// use returns the record of the font a run is shaped with.
func (d *doc) use(r shaping.Output) *fontUse {
	f := d.fonts.byFace(r.Face)
	for _, u := range d.uses {
		if u.font == f {
			return u
		}
	}
	u := &fontUse{font: f, resource: fmt.Sprintf("F%d", len(d.uses)+1), glyphs: map[uint16]bool{}, toUnicode: map[uint16]rune{}}
	d.uses = append(d.uses, u)
	return u
}

// rule draws a horizontal line at the current y.
func (d *doc) rule(x1, x2, width float64, color [3]float64) {
	fmt.Fprintf(d.page, "%.3f %.3f %.3f RG %.2f w %.2f %.2f m %.2f %.2f l S\n", color[0], color[1], color[2], width, x1, d.y, x2, d.y)
}

// box fills a rectangle whose top left corner is at (x, top).
func (d *doc) box(x, top, w, h float64, color [3]float64) {
	fmt.Fprintf(d.page, "%.3f %.3f %.3f rg %.2f %.2f %.2f %.2f re f\n", color[0], color[1], color[2], x, top-h, w, h)
}

// finish writes the pages, fonts and document information.
func (d *doc) finish(title, subject string) []byte {
	p := newPDFFile()
	catalog, pagesObj, info := p.reserve(), p.reserve(), p.reserve()
	var fonts strings.Builder
	for _, u := range d.uses {
		fmt.Fprintf(&fonts, "/%s %d 0 R ", u.resource, p.writeFont(u))
	}
	var kids strings.Builder
	for _, content := range d.pages {
		c := p.reserve()
		p.stream(c, "", content.Bytes())
		pg := p.reserve()
		p.object(pg, fmt.Sprintf("<</Type /Page /Parent %d 0 R /MediaBox [0 0 %.2f %.2f] /Resources <</Font <<%s>>>> /Contents %d 0 R>>",
			pagesObj, pageW, pageH, fonts.String(), c))
		fmt.Fprintf(&kids, "%d 0 R ", pg)
	}
	p.object(pagesObj, fmt.Sprintf("<</Type /Pages /Kids [%s] /Count %d>>", kids.String(), len(d.pages)))
	p.object(catalog, fmt.Sprintf("<</Type /Catalog /Pages %d 0 R /Lang (en) /MarkInfo <</Marked true>> /ViewerPreferences <</DisplayDocTitle true>>>>", pagesObj))
	p.object(info, fmt.Sprintf("<</Title %s /Subject %s /Producer (pacslite)>>", textString(title), textString(subject)))
	return p.finish(catalog, info)
}
