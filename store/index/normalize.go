package index

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// The index stores matching forms of values next to the original JSON:
// person names in lower case (PN matching is case-insensitive), a folded
// token string for fuzzy matching, dates as YYYYMMDD and times padded to
// HHMMSS.FFFFFF, so that every comparison is a plain string comparison that
// an index can serve.

// pnGroups splits a PN value into its alphabetic, ideographic and phonetic
// component groups.
func pnGroups(v string) [3]string {
	var g [3]string
	for i, s := range strings.SplitN(v, "=", 3) {
		g[i] = s
	}
	return g
}

// pnTrim drops the trailing component delimiters and padding that PS3.5
// allows ("Doe^John^^^" is "Doe^John").
func pnTrim(v string) string {
	return strings.TrimRight(v, "^ ")
}

// pnLower is the case-insensitive matching form of one PN component group.
func pnLower(v string) string {
	return strings.ToLower(norm.NFC.String(pnTrim(v)))
}

// fold removes case and accents: "Müller" and "MULLER" both become
// "muller". Decomposing (NFD) splits accents off as nonspacing marks
// (Mn), which are dropped.
func fold(v string) string {
	ascii := true
	for i := 0; i < len(v); i++ {
		if v[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(v)
	}
	var b strings.Builder
	for _, r := range norm.NFD.String(v) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return strings.ToLower(norm.NFC.String(b.String()))
}

// foldTokens is the fuzzy matching form of a PN value: the folded
// components of all its groups, each preceded by one space, so that
// " muller hans" matches a key at the start of any component with the
// pattern "* key*".
func foldTokens(groups ...string) string {
	var b strings.Builder
	for _, g := range groups {
		for _, tok := range strings.FieldsFunc(fold(g), isNameSep) {
			b.WriteByte(' ')
			b.WriteString(tok)
		}
	}
	return b.String()
}

// foldKey is the fuzzy form of a query key: folded, with component and
// group delimiters reduced to single spaces, so "Müller^H*" becomes
// "muller h*".
func foldKey(v string) string {
	return strings.Join(strings.FieldsFunc(fold(v), isNameSep), " ")
}

func isNameSep(r rune) bool { return r == '^' || r == '=' || unicode.IsSpace(r) }

// normDate returns a DA value as YYYYMMDD (the ACR-NEMA form YYYY.MM.DD is
// accepted) and whether it was valid.
func normDate(v string) (string, bool) {
	v = strings.ReplaceAll(strings.TrimSpace(v), ".", "")
	if len(v) != 8 || !allDigits(v) {
		return "", false
	}
	return v, true
}

// normTime returns a TM value padded to HHMMSS.FFFFFF: missing parts are
// filled with zeros (floor) or with their largest values (ceil), so that a
// range bound "1200" includes the whole minute 12:00 and a stored "1030"
// sorts as 10:30:00. The ACR-NEMA form HH:MM:SS is accepted.
func normTime(v string, ceil bool) (string, bool) {
	v = strings.ReplaceAll(strings.TrimSpace(v), ":", "")
	whole, frac, hasFrac := strings.Cut(v, ".")
	if n := len(whole); n == 0 || n > 6 || n%2 != 0 || !allDigits(whole) ||
		len(frac) > 6 || !allDigits(frac) || (hasFrac && (n != 6 || frac == "")) {
		return "", false
	}
	if whole[:2] > "23" || (len(whole) >= 4 && whole[2:4] > "59") || (len(whole) == 6 && whole[4:6] > "60") {
		return "", false
	}
	pad, fpad := "000000", "000000"
	if ceil {
		pad, fpad = "005959", "999999"
	}
	return whole + pad[len(whole):] + "." + frac + fpad[len(frac):], true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// globPattern translates a DICOM wildcard value ('*' any run, '?' one
// character) into a GLOB pattern, escaping GLOB's own '[', and returns the
// literal prefix before the first wildcard. GLOB is case-sensitive and
// treats '%', '_' and '\' as ordinary characters.
func globPattern(v string) (pattern, prefix string) {
	var b strings.Builder
	prefixEnd := -1
	for _, r := range v {
		switch r {
		case '*', '?':
			if prefixEnd < 0 {
				prefixEnd = b.Len()
			}
			b.WriteRune(r)
		case '[':
			b.WriteString("[[]")
		default:
			b.WriteRune(r)
		}
	}
	pattern = b.String()
	if prefixEnd < 0 {
		prefixEnd = len(pattern)
	}
	return pattern, strings.ReplaceAll(pattern[:prefixEnd], "[[]", "[")
}

// isUniversal reports whether a wildcard value matches everything.
func isUniversal(v string) bool {
	return strings.Trim(v, "*") == ""
}

// hasWildcard reports whether v contains a DICOM wildcard.
func hasWildcard(v string) bool {
	return strings.ContainsAny(v, "*?")
}

// prefixEnd returns the smallest string greater than every string that
// starts with p, for an index range "col >= p AND col < prefixEnd(p)", or
// "" when there is none.
func prefixEnd(p string) string {
	b := []byte(p)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1])
		}
	}
	return ""
}
