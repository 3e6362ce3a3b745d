package dataset

import (
	"strings"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
)

const esc = 0x1B

// gset is a graphic character set that ISO 2022 designates to G0 (bytes
// 0x21-0x7E) or G1 (bytes 0xA1-0xFE).
type gset uint8

const (
	setNone        gset = iota
	setASCII            // ISO-IR 6, G0
	setJISRoman         // ISO-IR 14 (JIS X 0201 Romaji), G0
	setJISKatakana      // ISO-IR 13 (JIS X 0201 Katakana), G1
	setLatin1           // ISO-IR 100 .. setLatin9: ISO 8859 right halves, G1
	setLatin2
	setLatin3
	setLatin4
	setCyrillic
	setArabic
	setGreek
	setHebrew
	setLatin5
	setThai
	setLatin9
	setJISX0208 // ISO-IR 87, G0, two bytes
	setJISX0212 // ISO-IR 159, G0, two bytes
	setKSX1001  // ISO-IR 149, G1, two bytes
	setGB2312   // ISO-IR 58, G1, two bytes
)

// termSets maps a normalised defined term (see normTerm) of Specific
// Character Set to the sets it designates (PS3.3 tables C.12-2 to C.12-4).
// The ISO_IR and ISO 2022 IR forms designate the same sets.
func termSets(key string) (g0, g1 gset, ok bool) {
	key = strings.TrimPrefix(strings.TrimPrefix(key, "ISOIR"), "ISO2022IR")
	switch key {
	case "", "6":
		return setASCII, setNone, true
	case "100":
		return setASCII, setLatin1, true
	case "101":
		return setASCII, setLatin2, true
	case "109":
		return setASCII, setLatin3, true
	case "110":
		return setASCII, setLatin4, true
	case "144":
		return setASCII, setCyrillic, true
	case "127":
		return setASCII, setArabic, true
	case "126":
		return setASCII, setGreek, true
	case "138":
		return setASCII, setHebrew, true
	case "148":
		return setASCII, setLatin5, true
	case "166":
		return setASCII, setThai, true
	case "203":
		return setASCII, setLatin9, true
	case "13":
		return setJISRoman, setJISKatakana, true
	case "87":
		return setJISX0208, setNone, true
	case "159":
		return setJISX0212, setNone, true
	case "149":
		return setASCII, setKSX1001, true
	case "58":
		return setASCII, setGB2312, true
	}
	return setNone, setNone, false
}

// parseEscape reads the escape sequence at the start of b (b[0] is ESC) and
// returns its length, the register it designates (0 or 1) and the set; n is
// 0 when the sequence is not one DICOM uses.
func parseEscape(b []byte) (n int, g int, set gset) {
	if len(b) >= 3 {
		switch string(b[1:3]) {
		case "(B":
			return 3, 0, setASCII
		case "(J":
			return 3, 0, setJISRoman
		case ")I":
			return 3, 1, setJISKatakana
		case "$B", "$@":
			return 3, 0, setJISX0208
		}
		if b[1] == '-' {
			if s, ok := latinFinal(b[2]); ok {
				return 3, 1, s
			}
		}
	}
	if len(b) >= 4 {
		switch string(b[1:4]) {
		case "$(D":
			return 4, 0, setJISX0212
		case "$)C":
			return 4, 1, setKSX1001
		case "$)A":
			return 4, 1, setGB2312
		}
	}
	return 0, 0, setNone
}

// latinFinal maps the final byte of ESC 02/13 F (a 96-character set into G1).
func latinFinal(f byte) (gset, bool) {
	switch f {
	case 'A':
		return setLatin1, true
	case 'B':
		return setLatin2, true
	case 'C':
		return setLatin3, true
	case 'D':
		return setLatin4, true
	case 'L':
		return setCyrillic, true
	case 'G':
		return setArabic, true
	case 'F':
		return setGreek, true
	case 'H':
		return setHebrew, true
	case 'M':
		return setLatin5, true
	case 'T':
		return setThai, true
	case 'b':
		return setLatin9, true
	}
	return setNone, false
}

// charmapOf returns the single-byte table of a G1 set.
func charmapOf(s gset) *charmap.Charmap {
	switch s {
	case setLatin1:
		return charmap.ISO8859_1
	case setLatin2:
		return charmap.ISO8859_2
	case setLatin3:
		return charmap.ISO8859_3
	case setLatin4:
		return charmap.ISO8859_4
	case setCyrillic:
		return charmap.ISO8859_5
	case setArabic:
		return charmap.ISO8859_6
	case setGreek:
		return charmap.ISO8859_7
	case setHebrew:
		return charmap.ISO8859_8
	case setLatin5:
		return charmap.ISO8859_9
	case setThai:
		return charmap.Windows874 // TIS-620 plus a few C1 positions
	case setLatin9:
		return charmap.ISO8859_15
	}
	return nil
}

// multiByte returns the decoder for a run of two-byte characters of s,
// given in EUC form (both bytes with the high bit set), and the prefix EUC
// puts before each character.
func multiByte(s gset) (encoding.Encoding, byte) {
	switch s {
	case setJISX0208:
		return japanese.EUCJP, 0
	case setJISX0212:
		return japanese.EUCJP, 0x8F
	case setKSX1001:
		return korean.EUCKR, 0
	case setGB2312:
		return simplifiedchinese.GBK, 0
	}
	return nil, 0
}

// decoder2022 is the state of one ISO 2022 decoding pass.
type decoder2022 struct {
	out    strings.Builder
	run    []byte // pending two-byte characters in EUC form
	runSet gset
	g0, g1 gset
}

func (d *decoder2022) flush() {
	if len(d.run) == 0 {
		return
	}
	enc, _ := multiByte(d.runSet)
	s, err := enc.NewDecoder().Bytes(d.run)
	if err != nil {
		d.out.WriteString(strings.Repeat("\uFFFD", len(d.run)/2))
	} else {
		d.out.Write(s)
	}
	d.run = d.run[:0]
}

func (d *decoder2022) char(s gset, c1, c2 byte) {
	if d.runSet != s {
		d.flush()
		d.runSet = s
	}
	if _, prefix := multiByte(s); prefix != 0 {
		d.run = append(d.run, prefix)
	}
	d.run = append(d.run, c1|0x80, c2|0x80)
}

func (d *decoder2022) rune(r rune) {
	d.flush()
	d.out.WriteRune(r)
}

// decode2022 runs the ISO 2022 state machine over one text value. Escape
// sequences switch G0/G1 (only when c allows code extensions); CR, LF, FF,
// TAB, the value delimiter '\' and, for PN, '^' and '=' reset both to the
// sets of value 1, as PS3.5 6.1.2.5.3 requires a writer to do explicitly.
// While G0 holds a two-byte set the bytes 0x21-0x7E pair up as characters,
// so delimiters are only recognised while G0 holds a one-byte set.
func (c *Charset) decode2022(b []byte, pn bool) string {
	d := &decoder2022{g0: c.g0, g1: c.g1}
	d.out.Grow(len(b))
	for i := 0; i < len(b); {
		x := b[i]
		switch {
		case x == esc && c.escapes:
			n, g, s := parseEscape(b[i:])
			if n == 0 {
				d.rune(0xFFFD)
				i++
				continue
			}
			if g == 0 {
				d.g0 = s
			} else {
				d.g1 = s
			}
			i += n
			continue
		case x < 0x20:
			if x == '\r' || x == '\n' || x == '\f' || x == '\t' {
				d.g0, d.g1 = c.g0, c.g1
			}
			d.rune(rune(x))
		case x < 0x80:
			if (d.g0 == setJISX0208 || d.g0 == setJISX0212) && x != ' ' && x != 0x7F {
				if i+1 < len(b) && b[i+1] >= 0x21 && b[i+1] <= 0x7E {
					d.char(d.g0, x, b[i+1])
					i += 2
					continue
				}
				d.rune(0xFFFD)
				break
			}
			if x == '\\' || pn && (x == '^' || x == '=') {
				d.g0, d.g1 = c.g0, c.g1
			}
			d.rune(rune(x))
		default:
			i += d.high(b[i:])
			continue
		}
		i++
	}
	d.flush()
	return d.out.String()
}

// high decodes the G1 character at the start of b (b[0] >= 0x80) and
// returns how many bytes it used.
func (d *decoder2022) high(b []byte) int {
	x := b[0]
	switch d.g1 {
	case setNone:
		d.rune(rune(x)) // no G1 set: read as ISO 8859-1, like pydicom
	case setJISKatakana:
		if x >= 0xA1 && x <= 0xDF {
			d.rune(0xFF61 + rune(x-0xA1))
		} else {
			d.rune(0xFFFD)
		}
	case setKSX1001, setGB2312:
		if len(b) >= 2 && x >= 0xA1 && b[1] >= 0xA1 && x < 0xFF && b[1] < 0xFF {
			d.char(d.g1, x, b[1])
			return 2
		}
		d.rune(0xFFFD)
	default:
		d.rune(charmapOf(d.g1).DecodeByte(x))
	}
	return 1
}
