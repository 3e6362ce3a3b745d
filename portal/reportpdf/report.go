package reportpdf

import (
	"fmt"
	"io"
	"sync"
)

// Report is what a report PDF shows, already worded: the portal decides
// the labels, dates and which sections appear.
type Report struct {
	Site     string  // the hospital or clinic, in the header
	Title    string  // e.g. "Radiology report"
	Patient  []Field // name, patient ID, birth date, sex
	Study    []Field // date, modality, description, accession, referrer
	Notice   string  // a line in red under the details, e.g. "Amended report"; "" for none
	Sections []Section
	Signed   string // e.g. "Electronically signed by Dr A Rao on 2 Jan 2026, 10:04"
	Footer   string // small print at the bottom of every page
}

// Field is a label and its value.
type Field struct{ Label, Value string }

// Section is a titled block of text; Note is small print under it (who
// signed an addendum and when).
type Section struct{ Heading, Text, Note string }

// Renderer renders reports. Fonts are parsed on first use; a Renderer is
// safe for concurrent use (renders take turns: the shaper's font caches
// are not safe to share).
type Renderer struct {
	once  sync.Once
	fonts *fontSet
	err   error
	mu    sync.Mutex
}

// New returns a renderer.
func New() *Renderer { return &Renderer{} }

var (
	titleStyle   = style{size: 17, bold: true, color: black, lead: 1.25}
	siteStyle    = style{size: 10, bold: true, color: brand, lead: 1.3}
	labelStyle   = style{size: 7.5, bold: true, color: grey, lead: 1.35}
	valueStyle   = style{size: 10, color: black, lead: 1.35}
	headingStyle = style{size: 9, bold: true, color: brand, lead: 1.5}
	bodyStyle    = style{size: 10.5, color: black, lead: 1.45}
	noteStyle    = style{size: 8.5, color: grey, lead: 1.4}
	noticeStyle  = style{size: 10, bold: true, color: red, lead: 1.4}
)

// Render writes the report as a PDF to w.
func (r *Renderer) Render(w io.Writer, rep Report) error {
	r.once.Do(func() { r.fonts, r.err = loadFonts() })
	if r.err != nil {
		return r.err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	d := newDoc(r.fonts)
	d.header = func() {
		d.text(rep.Site, siteStyle, margin, contentW)
		d.y -= 2
		d.rule(margin, pageW-margin, 0.6, brand)
		d.y -= 12
	}
	d.newPage()
	d.text(rep.Title, titleStyle, margin, contentW)
	d.y -= 8
	d.fields(rep.Patient)
	d.fields(rep.Study)
	if rep.Notice != "" {
		d.text(rep.Notice, noticeStyle, margin, contentW)
	}
	d.y -= 4
	d.rule(margin, pageW-margin, 0.4, grey)
	d.y -= 14
	for _, s := range rep.Sections {
		head := d.lines(s.Heading, headingStyle, contentW)
		body := d.lines(s.Text, bodyStyle, contentW)
		// Keep a heading with the first lines of its text.
		d.need(headingStyle.height(len(head)) + bodyStyle.height(min(len(body), 2)))
		d.drawLines(head, headingStyle, margin)
		d.drawLines(body, bodyStyle, margin)
		if s.Note != "" {
			d.text(s.Note, noteStyle, margin, contentW)
		}
		d.y -= 10
	}
	if rep.Signed != "" {
		sig := d.lines(rep.Signed, valueStyle, contentW)
		d.need(valueStyle.height(len(sig)) + 12)
		d.y -= 4
		d.rule(margin, margin+200, 0.4, grey)
		d.y -= 6
		d.drawLines(sig, style{size: 10, bold: true, color: black, lead: 1.4}, margin)
	}
	for i, p := range d.pages {
		d.page = p
		for _, l := range d.lines(fmt.Sprintf("%s · Page %d of %d", rep.Footer, i+1, len(d.pages)), noteStyle, contentW)[:1] {
			d.drawLine(l, noteStyle, margin, bottom-28)
		}
	}
	subject := ""
	for _, f := range rep.Study {
		if f.Value != "" {
			subject += f.Label + ": " + f.Value + "; "
		}
	}
	_, err := w.Write(d.finish(rep.Title, subject))
	return err
}

// fields draws label/value pairs in three columns (four for four).
func (d *doc) fields(fs []Field) {
	cols := 3
	if len(fs) == 4 {
		cols = 4
	}
	colW := contentW / float64(cols)
	for i := 0; i < len(fs); i += cols {
		row := fs[i:min(i+cols, len(fs))]
		var h float64
		cells := make([][]line, len(row))
		for j, f := range row {
			v := f.Value
			if v == "" {
				v = "—"
			}
			cells[j] = d.lines(v, valueStyle, colW-10)
			h = max(h, labelStyle.height(1)+valueStyle.height(len(cells[j])))
		}
		d.need(h + 6)
		top := d.y
		for j, f := range row {
			d.y = top
			x := margin + float64(j)*colW
			d.text(f.Label, labelStyle, x, colW-10)
			d.drawLines(cells[j], valueStyle, x)
		}
		d.y = top - h - 6
	}
}
