package dicomjson

import (
	"encoding/base64"
	"unicode/utf8"
)

// AppendJSON appends the canonical DICOM JSON encoding of o to dst and
// returns the extended buffer. The encoding (PS3.18 F.2) is:
//   - keys of 8 upper-case hex digits in ascending order, no white space;
//   - each attribute as {"vr":"XX"} followed by one of "BulkDataURI",
//     "InlineBinary" (standard base64) or "Value", or by none of them when
//     the attribute is empty;
//   - PN values as {"Alphabetic":..,"Ideographic":..,"Phonetic":..} with
//     empty groups left out; sequence items as objects;
//   - null for an empty value inside a multi-valued attribute, and no
//     "Value" at all when every value is empty;
//   - Numbers as described at Number: JSON number literals where the value
//     is numerically meaningful, otherwise JSON strings;
//   - strings escaped per RFC 8259 (quote, backslash and control characters
//     only; no HTML escaping), invalid UTF-8 replaced by U+FFFD.
//
// The output is always valid JSON, whatever o holds.
func (o Object) AppendJSON(dst []byte) []byte {
	dst = append(dst, '{')
	for i := range o.attrs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendAttribute(dst, &o.attrs[i])
	}
	return append(dst, '}')
}

// MarshalJSON returns o.AppendJSON(nil). It never fails. Note that
// encoding/json re-escapes '<', '>' and '&' in what MarshalJSON returns
// unless the Encoder has SetEscapeHTML(false); call AppendJSON directly to
// get the canonical bytes.
func (o Object) MarshalJSON() ([]byte, error) {
	return o.AppendJSON(nil), nil
}

const hexDigits = "0123456789ABCDEF"

// appendTag appends t as 8 upper-case hex digits.
func appendTag(dst []byte, t uint32) []byte {
	return append(dst,
		hexDigits[t>>28], hexDigits[t>>24&0xF], hexDigits[t>>20&0xF], hexDigits[t>>16&0xF],
		hexDigits[t>>12&0xF], hexDigits[t>>8&0xF], hexDigits[t>>4&0xF], hexDigits[t&0xF])
}

func appendAttribute(dst []byte, a *Attribute) []byte {
	dst = append(dst, '"')
	dst = appendTag(dst, a.Tag)
	dst = append(dst, `":{"vr":`...)
	if len(a.VR) == 2 && isUpper(a.VR[0]) && isUpper(a.VR[1]) {
		dst = append(dst, '"', a.VR[0], a.VR[1], '"')
	} else {
		dst = appendString(dst, a.VR)
	}
	switch {
	case a.BulkDataURI != "":
		dst = append(dst, `,"BulkDataURI":`...)
		dst = appendString(dst, a.BulkDataURI)
	case len(a.InlineBinary) > 0:
		dst = append(dst, `,"InlineBinary":"`...)
		dst = base64.StdEncoding.AppendEncode(dst, a.InlineBinary)
		dst = append(dst, '"')
	case hasValue(a.Values):
		dst = append(dst, `,"Value":[`...)
		for i, v := range a.Values {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendValue(dst, v)
		}
		dst = append(dst, ']')
	}
	return append(dst, '}')
}

func isUpper(c byte) bool { return 'A' <= c && c <= 'Z' }

func hasValue(values []any) bool {
	for _, v := range values {
		if !isEmptyValue(v) {
			return true
		}
	}
	return false
}

func appendValue(dst []byte, v any) []byte {
	switch v := v.(type) {
	case string:
		if v != "" {
			return appendString(dst, v)
		}
	case Number:
		if v != "" {
			return appendNumber(dst, v)
		}
	case PersonName:
		if !v.IsZero() {
			return appendPersonName(dst, v)
		}
	case Object:
		return v.AppendJSON(dst)
	}
	return append(dst, "null"...)
}

// appendNumber appends n as a JSON number, or as a string when it is not
// numerically meaningful (see Number).
func appendNumber(dst []byte, n Number) []byte {
	c := canonicalNumber(string(n))
	switch {
	case c == "":
		return append(dst, "null"...)
	case writeAsNumber(string(c)):
		return append(dst, c...)
	}
	return appendString(dst, string(c))
}

func appendPersonName(dst []byte, p PersonName) []byte {
	dst = append(dst, '{')
	sep := false
	for _, g := range [...]struct{ key, val string }{
		{`"Alphabetic":`, p.Alphabetic},
		{`"Ideographic":`, p.Ideographic},
		{`"Phonetic":`, p.Phonetic},
	} {
		if g.val == "" {
			continue
		}
		if sep {
			dst = append(dst, ',')
		}
		dst = append(dst, g.key...)
		dst = appendString(dst, g.val)
		sep = true
	}
	return append(dst, '}')
}

// safeASCII marks the ASCII bytes that appear unescaped in a JSON string.
var safeASCII = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// appendString appends s as a JSON string (RFC 8259 section 7): quote,
// backslash and control characters escaped, everything else as UTF-8,
// invalid bytes replaced by U+FFFD.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0 // s[start:i] is pending, known safe
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if safeASCII[c] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, "\uFFFD"...)
			i++
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
