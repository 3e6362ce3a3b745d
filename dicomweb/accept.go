package dicomweb

import (
	"mime"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// mediaRange is one entry of an Accept header: a media type with its
// parameters and quality.
type mediaRange struct {
	typ    string            // lower-case "type/subtype", may contain '*'
	params map[string]string // lower-case keys, values unquoted
	q      float64
}

// acceptable returns the client's media ranges, most preferred first. The
// `accept` query parameter (PS3.18 8.3.3.1) wins over the header. Parsing is
// lenient where real clients are sloppy: quoted and unquoted parameter
// values, stray spaces, and the comma-separated lists OHIF sends, where a
// comma inside a quoted value must not split the entry.
func acceptable(r *http.Request) []mediaRange {
	vals := r.URL.Query()["accept"]
	if len(vals) == 0 {
		vals = r.Header.Values("Accept")
	}
	var out []mediaRange
	for _, v := range vals {
		for _, part := range splitOutsideQuotes(v, ',') {
			if mr, ok := parseMediaRange(part); ok {
				out = append(out, mr)
			}
		}
	}
	if len(out) == 0 {
		return []mediaRange{{typ: "*/*", q: 1}}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].q > out[j].q })
	return out
}

func parseMediaRange(s string) (mediaRange, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return mediaRange{}, false
	}
	fields := splitOutsideQuotes(s, ';')
	typ := strings.ToLower(strings.TrimSpace(fields[0]))
	if !strings.Contains(typ, "/") {
		if typ != "*" {
			return mediaRange{}, false
		}
		typ = "*/*"
	}
	mr := mediaRange{typ: typ, params: map[string]string{}, q: 1}
	for _, f := range fields[1:] {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		v = strings.Trim(strings.TrimSpace(v), `"`)
		if k == "q" {
			if q, err := strconv.ParseFloat(v, 64); err == nil {
				mr.q = q
			}
			continue
		}
		mr.params[k] = v
	}
	return mr, mr.q > 0
}

// splitOutsideQuotes splits s at sep, except inside double quotes.
func splitOutsideQuotes(s string, sep byte) []string {
	var parts []string
	quoted := false
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			quoted = !quoted
		case sep:
			if !quoted {
				parts = append(parts, s[start:i])
				start = i + 1
			}
		}
	}
	return append(parts, s[start:])
}

// matches reports whether the range accepts the concrete media type.
func (m mediaRange) matches(typ string) bool {
	if m.typ == "*/*" || m.typ == typ {
		return true
	}
	if strings.HasSuffix(m.typ, "/*") {
		return strings.HasPrefix(typ, strings.TrimSuffix(m.typ, "*"))
	}
	return false
}

// multipartType returns the `type` parameter of a multipart/related range
// (lower case), "" when absent.
func (m mediaRange) multipartType() string {
	return strings.ToLower(m.params["type"])
}

// contentTypeOf parses a Content-Type header; on error it returns "" so
// callers answer 415.
func contentTypeOf(h string) (string, map[string]string) {
	typ, params, err := mime.ParseMediaType(h)
	if err != nil {
		// Retry leniently: some clients send unquoted values with '/'
		// (type=application/dicom), which mime accepts, or stray ';'.
		mr, ok := parseMediaRange(h)
		if !ok {
			return "", nil
		}
		return mr.typ, mr.params
	}
	return strings.ToLower(typ), params
}
