package dicomjson

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Number is a numeric value kept as its literal text (e.g. "1.5", "-3",
// "1e-05") so that DS and IS values round-trip exactly.
//
// Numbers in DICOM and in JSON do not share a grammar. A DS value follows
// FORTRAN: "1.", ".5", "+3", " 5 " and "007" are valid DS but not JSON
// numbers. FL and FD may be NaN or infinite, which JSON cannot express at
// all. And files carry garbage ("1,5", "N/A") that no grammar accepts.
// PS3.18 F.2.3 (since CP-1861) lets DS, IS, SV and UV be a JSON Number or a
// JSON String, so the encoder writes a Number as:
//   - a valid JSON number literal as it is, unless its magnitude is beyond
//     float64 ("1e999"), which many JSON readers reject: that is quoted;
//   - a DICOM decimal that is not a JSON number, rewritten as the JSON
//     literal with the same digits ("+.5" -> 0.5, "1." -> 1, "007" -> 7,
//     "1.e3" -> 1e3, " 5 " -> 5);
//   - NaN and infinities (any case, "inf" or "infinity", any sign) as the
//     JSON strings "NaN", "Infinity" and "-Infinity", which JavaScript's
//     Number(), Python's float() and Go's strconv.ParseFloat read back;
//   - anything else as a JSON string holding the text (trimmed of spaces and
//     NULs, invalid UTF-8 replaced by U+FFFD), so no value is lost and the
//     output is always valid JSON;
//   - "" (or blank text) as null, an empty value.
//
// FromDataset, String and Num store Numbers in that form already, and the
// decoder keeps the literal it reads, so decoding an encoding gives back
// the same Numbers.
type Number string

// canonicalNumber returns the form of s that the encoder writes: a JSON
// number literal when s is numerically meaningful, "NaN", "Infinity" or
// "-Infinity", or else s trimmed (and made valid UTF-8), to be quoted.
// It returns "" for blank text. canonicalNumber(canonicalNumber(s)) ==
// canonicalNumber(s).
func canonicalNumber(s string) Number {
	if isJSONNumber(s) {
		return Number(s)
	}
	s = strings.Trim(s, " \x00")
	if lit, ok := normalizeDecimal(s); ok {
		return Number(lit)
	}
	if nf, ok := nonFinite(s); ok {
		return Number(nf)
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return Number(s)
}

// isBlank reports whether s holds nothing but spaces and NULs: a Number
// that canonicalNumber makes "", an empty value.
func isBlank(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != ' ' && s[i] != 0 {
			return false
		}
	}
	return true
}

// writeAsNumber reports whether the canonical number c is written as a
// JSON number: a number literal that float64 can hold (JSON readers such
// as encoding/json fail on "1e999"). Without an exponent only a literal of
// over 300 digits is that large, so short ones skip the costly check.
func writeAsNumber(c string) bool {
	if !isJSONNumber(c) {
		return false
	}
	if len(c) < 300 && !strings.ContainsAny(c, "eE") {
		return true
	}
	_, err := strconv.ParseFloat(c, 64)
	return err == nil
}

// isJSONNumber reports whether s is a number literal as RFC 8259 section 6
// defines it: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func isJSONNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i == len(s):
		return false
	case s[i] == '0':
		i++
	case '1' <= s[i] && s[i] <= '9':
		i = skipDigits(s, i+1)
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		j := skipDigits(s, i+1)
		if j == i+1 {
			return false
		}
		i = j
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := skipDigits(s, i)
		if j == i {
			return false
		}
		i = j
	}
	return i == len(s)
}

func skipDigits(s string, i int) int {
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	return i
}

// normalizeDecimal rewrites a decimal in the DS grammar
// ([+-]digits[.digits][(e|E)[+-]digits], with digits on at least one side
// of the point) as a JSON number literal with the same digits.
func normalizeDecimal(s string) (string, bool) {
	i := 0
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	intStart := i
	i = skipDigits(s, i)
	intPart := s[intStart:i]
	var frac string
	if i < len(s) && s[i] == '.' {
		j := skipDigits(s, i+1)
		frac = s[i+1 : j]
		i = j
	}
	if intPart == "" && frac == "" {
		return "", false
	}
	var exp string
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		k := skipDigits(s, j)
		if k == j {
			return "", false
		}
		exp = s[i:k]
		i = k
	}
	if i != len(s) {
		return "", false
	}
	intPart = strings.TrimLeft(intPart, "0")
	if intPart == "" {
		intPart = "0"
	}
	var b strings.Builder
	b.Grow(len(s) + 2)
	if neg {
		b.WriteByte('-')
	}
	b.WriteString(intPart)
	if frac != "" {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	b.WriteString(exp)
	return b.String(), true
}

// nonFinite recognises the spellings of NaN and the infinities.
func nonFinite(s string) (string, bool) {
	sign := ""
	if s != "" && (s[0] == '+' || s[0] == '-') {
		if s[0] == '-' {
			sign = "-"
		}
		s = s[1:]
	}
	switch {
	case strings.EqualFold(s, "nan"):
		return "NaN", true
	case strings.EqualFold(s, "inf"), strings.EqualFold(s, "infinity"):
		return sign + "Infinity", true
	}
	return "", false
}
