package dataset

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// ErrUnknownCharset reports a Specific Character Set term this package does
// not know. NewCharset still returns a usable Charset alongside it.
var ErrUnknownCharset = errors.New("dataset: unknown specific character set")

// Charset decodes text values as Specific Character Set (0008,0005) says
// (PS3.3 C.12.1.1.2, PS3.5 6.1): single-byte sets, the multi-byte sets
// without code extensions (ISO_IR 192 UTF-8, GB18030, GBK) and ISO 2022 code
// extensions switched by escape sequences. A nil *Charset is the default
// repertoire. A Charset is immutable and safe for concurrent use.
type Charset struct {
	terms []string
	// whole decodes every value in one go when the character set allows no
	// code extensions: nil for the ISO 2022 state machine.
	whole encoding.Encoding
	utf8  bool // ISO_IR 192: the bytes are already UTF-8
	// g0 and g1 are the graphic sets active at the start of a value and
	// after every delimiter (value 1 of Specific Character Set).
	g0, g1 gset
	// escapes is true when escape sequences may switch sets (ISO 2022 terms).
	escapes bool
}

// NewCharset builds the decoder for the values of Specific Character Set
// (terms as Strings returns them; the first may be "" for the default
// repertoire). Unknown terms are ignored and reported in an error wrapping
// ErrUnknownCharset; the returned Charset is never nil and decodes what it
// can, falling back to the default repertoire (bytes above 0x7F read as
// UTF-8 when they form valid UTF-8, else as ISO 8859-1).
func NewCharset(terms []string) (*Charset, error) {
	c := &Charset{terms: append([]string(nil), terms...), g0: setASCII}
	var unknown []string
	for i, term := range terms {
		key := normTerm(term)
		switch key {
		case "ISOIR192":
			c.utf8 = true
			continue
		case "GB18030":
			c.whole = simplifiedchinese.GB18030
			continue
		case "GBK":
			c.whole = simplifiedchinese.GBK
			continue
		}
		g0, g1, ok := termSets(key)
		if !ok {
			unknown = append(unknown, term)
			continue
		}
		if strings.HasPrefix(key, "ISO2022") {
			c.escapes = true
		}
		if i == 0 && g0 != setJISX0208 && g0 != setJISX0212 {
			c.g0, c.g1 = g0, g1
		}
	}
	if len(terms) > 1 {
		c.escapes = true
	}
	if c.utf8 || c.whole != nil {
		// These sets forbid code extensions (PS3.3 C.12.1.1.2); readers
		// such as pydicom then ignore the other terms, and so do we.
		c.escapes = false
	}
	if len(unknown) > 0 {
		return c, fmt.Errorf("%w: %q", ErrUnknownCharset, unknown)
	}
	return c, nil
}

// Charset returns the character set of the main dataset: the default
// repertoire when Specific Character Set is absent. Unknown terms are
// ignored; call NewCharset on the element's values to report them.
func (f *File) Charset() *Charset {
	if f == nil || f.Dataset == nil {
		return nil
	}
	return charsetOf(f.Dataset, nil)
}

// ForItem returns the character set for the values of a sequence item: the
// item's own Specific Character Set when it has one (PS3.3 C.12.1.1.2
// allows it), otherwise c.
func (c *Charset) ForItem(item *Dataset) *Charset {
	return charsetOf(item, c)
}

func charsetOf(d *Dataset, inherited *Charset) *Charset {
	e := d.Find(TagSpecificCharacterSet)
	if e == nil || e.Bulk {
		return inherited
	}
	cs, _ := NewCharset(e.Strings(nil)) // cs is usable even on error
	return cs
}

// normTerm reduces a defined term to upper-case letters and digits so that
// common misspellings ("ISO-IR 100", "iso_ir 100", "ISO_IR100") match.
func normTerm(term string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(term) {
		if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// decode converts a text value to UTF-8. pn enables the person name
// delimiters '^' and '=' that reset code extensions.
func (c *Charset) decode(b []byte, pn bool) string {
	switch {
	case isASCII(b):
		return string(b)
	case c == nil:
		return decodeDefault(b)
	case c.utf8:
		return strings.ToValidUTF8(string(b), "\uFFFD")
	case c.whole != nil:
		s, err := c.whole.NewDecoder().Bytes(b)
		if err != nil {
			return decodeDefault(b)
		}
		return string(s)
	case c.g1 == setNone && !c.escapes:
		return decodeDefault(b)
	}
	return c.decode2022(b, pn)
}

// decodeDefault reads bytes outside the default repertoire as UTF-8 when
// they are valid UTF-8 (a common mistake of writers that omit Specific
// Character Set) and as ISO 8859-1 otherwise, so that no byte is lost.
func decodeDefault(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	var sb strings.Builder
	for _, x := range b {
		sb.WriteRune(rune(x))
	}
	return sb.String()
}

func isASCII(b []byte) bool {
	for _, x := range b {
		if x >= 0x80 || x == esc {
			return false
		}
	}
	return true
}
