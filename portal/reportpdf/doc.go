// Package reportpdf renders a radiology report as a PDF whose text prints
// correctly in any script a patient's name or a report may use (Latin with
// accents, Devanagari and the other Indic scripts, Arabic, CJK) and can be
// copied, searched and extracted as the same Unicode text.
//
// Text is shaped with go-text/typesetting, a Go port of HarfBuzz, so that
// Devanagari conjuncts, reordered vowel signs and Arabic joining come out
// as a reader expects. The PDF itself is written here: no Go PDF library
// takes shaped glyphs (fpdf and gopdf map one rune to one glyph, which
// breaks Devanagari), and the one that shapes (tdewolff/canvas) maps glyphs
// back to text through the font's cmap, so that "प्रिया" extracts as "या".
// Each shaped run is wrapped in an /ActualText span carrying its exact
// text, and fonts are embedded as subsets (glyph IDs kept) of the Noto and
// Droid Sans Fallback fonts in fonts/ (OFL 1.1 and Apache 2.0).
//
// Output is deterministic: the same report gives the same bytes, so the
// PDF stored in the archive can be compared with the one downloaded.
package reportpdf
