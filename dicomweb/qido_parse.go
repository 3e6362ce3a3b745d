package dicomweb

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pacslite/pacslite/dicomweb/dataset"
	"github.com/pacslite/pacslite/store/index"
)

// searchRequest is a parsed QIDO-RS request.
type searchRequest struct {
	query index.Query
	// include lists attributes asked for by includefield or by a key with
	// universal matching (an empty value) or one the index cannot match on.
	include    []uint32
	includeAll bool
	// ignored are keys the index cannot match on, reported in a Warning
	// header (PS3.18 8.3.4.1: unsupported keys are ignored, not refused).
	ignored []string
	// capped is true when the client's limit (or its absence) was lowered
	// to the maximum.
	capped bool
}

// parseSearch turns the query string into a search at the given level,
// scoped by the path. Unknown attributes and malformed values are errors
// that name the culprit.
func parseSearch(params url.Values, level index.Level, scope pathUIDs, maxLimit int) (searchRequest, error) {
	s := searchRequest{query: index.Query{
		Level:             level,
		StudyInstanceUID:  scope.study,
		SeriesInstanceUID: scope.series,
		Limit:             maxLimit,
	}}
	limitSet := false
	for key, vals := range params {
		switch strings.ToLower(key) {
		case "limit":
			n, err := nonNegative(key, vals)
			if err != nil {
				return s, err
			}
			limitSet = true
			if n == 0 || n > maxLimit {
				s.capped = true // 0 means "no limit": the maximum applies
			} else {
				s.query.Limit = n
			}
		case "offset":
			n, err := nonNegative(key, vals)
			if err != nil {
				return s, err
			}
			s.query.Offset = n
		case "fuzzymatching":
			switch strings.ToLower(vals[len(vals)-1]) {
			case "true":
				s.query.FuzzyNames = true
			case "false", "":
			default:
				return s, errorf(http.StatusBadRequest, "fuzzymatching must be true or false, not %q", truncate(vals[len(vals)-1], 40))
			}
		case "includefield":
			for _, v := range vals {
				for _, f := range strings.Split(v, ",") {
					f = strings.TrimSpace(f)
					if f == "" {
						continue
					}
					if strings.EqualFold(f, "all") {
						s.includeAll = true
						continue
					}
					tag, err := attributeTag(f)
					if err != nil {
						return s, err
					}
					s.include = append(s.include, tag)
				}
			}
		case "accept", "charset":
			// Content negotiation, handled by the response writer.
		default:
			if err := s.addKey(key, vals); err != nil {
				return s, err
			}
		}
	}
	if !limitSet {
		// No limit asked for: answer at most the maximum, and say when
		// more exist like for any other truncation.
		s.capped = true
	}
	return s, nil
}

func nonNegative(key string, vals []string) (int, error) {
	v := vals[len(vals)-1]
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, errorf(http.StatusBadRequest, "%s must be a non-negative integer, not %q", key, truncate(v, 40))
	}
	return n, nil
}

// attributeTag resolves a keyword ("PatientName") or tag ("00100010").
func attributeTag(s string) (uint32, error) {
	if t, ok := dataset.TagForKeyword(s); ok {
		return uint32(t), nil
	}
	if len(s) == 8 {
		if t, err := dataset.ParseTag(s); err == nil {
			return uint32(t), nil
		}
	}
	return 0, errorf(http.StatusBadRequest, "unknown attribute %q: use a DICOM keyword or an 8-digit hex tag", truncate(s, 64))
}

// addKey adds one matching key.
func (s *searchRequest) addKey(key string, vals []string) error {
	if strings.Contains(key, ".") {
		// Sequence matching (e.g. 00081032.00080100) is not supported:
		// check the path names real attributes, then ignore it.
		for _, p := range strings.Split(key, ".") {
			if _, err := attributeTag(p); err != nil {
				return err
			}
		}
		s.ignored = append(s.ignored, key)
		return nil
	}
	tag, err := attributeTag(key)
	if err != nil {
		return err
	}
	if len(vals) > 1 {
		return errorf(http.StatusBadRequest, "attribute %s appears %d times; give it once (use a list value for UIDs)", key, len(vals))
	}
	value := vals[0]
	if value == "" {
		// Universal matching: return the attribute, match everything.
		s.include = append(s.include, tag)
		return nil
	}
	if !index.Supports(s.query.Level, tag) {
		s.include = append(s.include, tag)
		s.ignored = append(s.ignored, key)
		return nil
	}
	f, err := buildFilter(key, tag, dataset.DictionaryVR(dataset.Tag(tag)), value)
	if err != nil {
		return err
	}
	s.query.Filters = append(s.query.Filters, f)
	s.include = append(s.include, tag)
	return nil
}

// buildFilter picks the PS3.4 C.2.2.2 matching type from the VR and value.
func buildFilter(key string, tag uint32, vr, value string) (index.Filter, error) {
	f := index.Filter{Tag: tag}
	bad := func(why string) (index.Filter, error) {
		return f, errorf(http.StatusBadRequest, "bad value %q for %s: %s", truncate(value, 64), key, why)
	}
	if len(value) > 1024 {
		return bad("longer than 1024 characters")
	}
	switch vr {
	case "UI":
		uids := strings.FieldsFunc(value, func(r rune) bool { return r == ',' || r == '\\' })
		if len(uids) == 0 {
			return bad("no UID")
		}
		for _, u := range uids {
			if !validUID(strings.TrimSpace(u)) {
				return bad("not a UID (digits and dots, at most 64 characters)")
			}
		}
		for i := range uids {
			uids[i] = strings.TrimSpace(uids[i])
		}
		f.Kind, f.Values = index.MatchList, uids
		if len(uids) == 1 {
			f.Kind = index.MatchSingle
		}
		return f, nil
	case "DA", "TM", "DT":
		if strings.ContainsAny(value, "*?") {
			return bad("dates and times match by value or range (A-B, -B, A-), not wildcards")
		}
		// A '-' always makes a range; a DT with a negative UTC offset
		// cannot be matched exactly (rare in queries; ranges cover it).
		lo, hi, isRange := strings.Cut(value, "-")
		for _, v := range []string{lo, hi} {
			if v != "" && !validTemporal(vr, v) {
				return bad("not a valid " + vr + " value")
			}
		}
		if isRange {
			if lo == "" && hi == "" {
				return bad("a range needs at least one bound")
			}
			f.Kind, f.Lo, f.Hi = index.MatchRange, lo, hi
			return f, nil
		}
		f.Kind, f.Values = index.MatchSingle, []string{value}
		return f, nil
	case "IS", "US", "SS", "UL", "SL":
		if _, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64); err != nil {
			return bad("not an integer")
		}
		f.Kind, f.Values = index.MatchSingle, []string{strings.TrimSpace(value)}
		return f, nil
	}
	if strings.ContainsAny(value, "*?") {
		f.Kind, f.Values = index.MatchWildcard, []string{value}
		return f, nil
	}
	if vr == "CS" && strings.Contains(value, "\\") {
		// Several code strings, e.g. ModalitiesInStudy=CT\MR: any of them.
		f.Kind, f.Values = index.MatchList, strings.Split(value, "\\")
		return f, nil
	}
	f.Kind, f.Values = index.MatchSingle, []string{value}
	return f, nil
}

// validTemporal checks DA (YYYYMMDD, a real calendar date), TM
// (HH[MM[SS[.F{1,6}]]], in range) and DT values; separators of the old
// ACR-NEMA forms are refused.
func validTemporal(vr, v string) bool {
	if !temporalShape(vr, v) {
		return false
	}
	switch vr {
	case "DA":
		_, err := time.Parse("20060102", v)
		return err == nil
	case "TM":
		return validClock(v)
	default:
		if i := strings.IndexAny(v, "+-"); i > 0 {
			v = v[:i]
		}
		if len(v) >= 8 {
			if _, err := time.Parse("20060102", v[:8]); err != nil {
				return false
			}
		} else if len(v) == 6 {
			if _, err := time.Parse("200601", v); err != nil {
				return false
			}
		}
		return len(v) <= 8 || validClock(v[8:])
	}
}

// validClock checks the HH, MM and SS of a TM value are in range (SS may be
// 60, a leap second).
func validClock(v string) bool {
	whole, _, _ := strings.Cut(v, ".")
	limits := []int{23, 59, 60}
	for i := 0; i+2 <= len(whole); i += 2 {
		n, _ := strconv.Atoi(whole[i : i+2])
		if n > limits[i/2] {
			return false
		}
	}
	return true
}

// temporalShape checks the digits and lengths of a DA, TM or DT value.
func temporalShape(vr, v string) bool {
	digits := func(s string) bool {
		for i := 0; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				return false
			}
		}
		return s != ""
	}
	switch vr {
	case "DA":
		return len(v) == 8 && digits(v)
	case "TM":
		whole, frac, hasFrac := strings.Cut(v, ".")
		if hasFrac && (len(whole) != 6 || len(frac) > 6 || !digits(frac)) {
			return false
		}
		return (len(whole) == 2 || len(whole) == 4 || len(whole) == 6) && digits(whole)
	default: // DT: YYYY[MM[DD[HH[MM[SS[.F]]]]]][&ZZXX]
		if i := strings.IndexAny(v, "+-"); i > 0 {
			v = v[:i]
		}
		whole, frac, hasFrac := strings.Cut(v, ".")
		if hasFrac && (len(whole) != 14 || len(frac) > 6 || !digits(frac)) {
			return false
		}
		return len(whole) >= 4 && len(whole) <= 14 && len(whole)%2 == 0 && digits(whole)
	}
}
