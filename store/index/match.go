package index

import (
	"fmt"
	"strconv"
	"strings"
)

// maxListValues bounds a list match so that it stays well under SQLite's
// limit on bound parameters.
const maxListValues = 10000

// cond is a WHERE condition with its arguments; the zero cond matches
// everything (universal matching).
type cond struct {
	sql  string
	args []any
}

func (c cond) and(d cond) cond {
	switch {
	case c.sql == "":
		return d
	case d.sql == "":
		return c
	}
	return cond{c.sql + " AND " + d.sql, append(append([]any{}, c.args...), d.args...)}
}

func invalid(format string, a ...any) error {
	return fmt.Errorf("index: %w: "+format, append([]any{ErrInvalid}, a...)...)
}

// condition translates one filter on key k into SQL, per PS3.4 C.2.2.2.
func condition(k key, f Filter, fuzzy bool) (cond, error) {
	switch f.Kind {
	case MatchSingle, MatchWildcard:
		if len(f.Values) == 0 {
			return cond{}, invalid("filter %08X has no value", f.Tag)
		}
		v := f.Values[0]
		wild := f.Kind == MatchWildcard && hasWildcard(v)
		if v == "" || (wild && isUniversal(v)) {
			return cond{}, nil
		}
		return k.single(v, wild, fuzzy)
	case MatchList:
		return k.list(f.Values, fuzzy)
	case MatchRange:
		return k.rangeCond(f.Lo, f.Hi)
	}
	return cond{}, invalid("filter %08X has unknown match kind %d", f.Tag, f.Kind)
}

// single matches one value, with wildcards if wild.
func (k key) single(v string, wild, fuzzy bool) (cond, error) {
	switch k.kind {
	case kText, kUID:
		if wild {
			return globCond(k.col, v), nil
		}
		return cond{k.col + " = ?", []any{v}}, nil
	case kPN:
		if fuzzy {
			return fuzzyCond(k.fold, v), nil
		}
		return k.pnCond(v, wild), nil
	case kModalities:
		if wild {
			c := globCond("modality", v)
			return cond{"st.id IN (SELECT study_id FROM series WHERE " + c.sql + ")", c.args}, nil
		}
		return cond{"st.id IN (SELECT study_id FROM series WHERE modality = ?)", []any{v}}, nil
	}
	if wild {
		return cond{}, invalid("wildcard %q on a date, time or number", v)
	}
	switch k.kind {
	case kDate:
		d, ok := normDate(v)
		if !ok {
			return cond{}, invalid("date %q is not YYYYMMDD", v)
		}
		return cond{k.col + " = ?", []any{d}}, nil
	case kTime:
		// A time matches the whole period it names: "1030" is 10:30:00-10:30:59.999999.
		return k.rangeCond(v, v)
	case kInt:
		n, err := parseIS(v)
		if err != nil {
			return cond{}, err
		}
		return cond{k.col + " = ?", []any{n}}, nil
	}
	return cond{}, invalid("key kind %d", k.kind)
}

// pnCond matches a PN key case-insensitively, component group by
// component group: a key without '=' is an alphabetic name; "=山田*"
// matches the ideographic group only. A group the index does not store
// separately (ReferringPhysicianName keeps only the alphabetic one) is
// matched against the name's components, as fuzzy matching does.
func (k key) pnCond(v string, wild bool) cond {
	var c cond
	for i, g := range pnGroups(v) {
		col := [3]string{k.col, k.ideo, k.phon}[i]
		switch {
		case g == "" || (wild && isUniversal(g)):
			continue
		case col == "":
			c = c.and(fuzzyCond(k.fold, g))
		case wild && hasWildcard(g):
			c = c.and(globCond(col, pnLower(g)))
		default:
			c = c.and(cond{col + " = ?", []any{pnLower(g)}})
		}
	}
	return c
}

// fuzzyCond matches a PN key, folded, against the start of any name
// component in any group (the fold column is " tok tok ..."); wildcards
// in the key keep their meaning.
func fuzzyCond(col, v string) cond {
	fk := foldKey(v)
	if isUniversal(fk) {
		return cond{}
	}
	pattern, _ := globPattern(fk)
	return cond{col + " GLOB ?", []any{"* " + pattern + "*"}}
}

// globCond matches col against a wildcard value. The literal prefix
// becomes an explicit range so an index on col serves it whatever the
// planner knows about the bound pattern.
func globCond(col, v string) cond {
	pattern, prefix := globPattern(v)
	if prefix == "" {
		return cond{col + " GLOB ?", []any{pattern}}
	}
	if end := prefixEnd(prefix); end != "" {
		return cond{"(" + col + " >= ? AND " + col + " < ? AND " + col + " GLOB ?)",
			[]any{prefix, end, pattern}}
	}
	return cond{"(" + col + " >= ? AND " + col + " GLOB ?)", []any{prefix, pattern}}
}

// list matches any of values (UID list matching, and value lists on the
// other keys as a convenience).
func (k key) list(values []string, fuzzy bool) (cond, error) {
	if len(values) > maxListValues {
		return cond{}, invalid("list of %d values (max %d)", len(values), maxListValues)
	}
	var args []any
	var ors []string
	for _, v := range values {
		if v == "" {
			continue
		}
		switch {
		case k.kind == kText || k.kind == kUID || k.kind == kModalities:
			args = append(args, v)
		case k.kind == kDate:
			d, ok := normDate(v)
			if !ok {
				return cond{}, invalid("date %q is not YYYYMMDD", v)
			}
			args = append(args, d)
		case k.kind == kInt:
			n, err := parseIS(v)
			if err != nil {
				return cond{}, err
			}
			args = append(args, n)
		default: // PN and TM: one condition per value
			c, err := k.single(v, false, fuzzy)
			if err != nil {
				return cond{}, err
			}
			if c.sql == "" {
				return cond{}, nil // one value matches everything
			}
			ors = append(ors, "("+c.sql+")")
			args = append(args, c.args...)
		}
	}
	switch {
	case len(args) == 0:
		return cond{}, nil
	case ors != nil:
		return cond{"(" + strings.Join(ors, " OR ") + ")", args}, nil
	}
	in := k.col + " IN (?" + strings.Repeat(", ?", len(args)-1) + ")"
	if k.kind == kModalities {
		in = "st.id IN (SELECT study_id FROM series WHERE " + in + ")"
	}
	return cond{in, args}, nil
}

// rangeCond matches lo <= value <= hi; an empty bound is open. Empty
// values never match a range.
func (k key) rangeCond(lo, hi string) (cond, error) {
	var norm func(v string, upper bool) (any, error)
	switch k.kind {
	case kDate:
		norm = func(v string, _ bool) (any, error) {
			d, ok := normDate(v)
			if !ok {
				return nil, invalid("date %q is not YYYYMMDD", v)
			}
			return d, nil
		}
	case kTime:
		norm = func(v string, upper bool) (any, error) {
			t, ok := normTime(v, upper)
			if !ok {
				return nil, invalid("time %q is not HHMMSS.FFFFFF", v)
			}
			return t, nil
		}
	case kInt:
		norm = func(v string, _ bool) (any, error) { return parseIS(v) }
	default:
		return cond{}, invalid("range matching on %s, which has no order", k.col)
	}
	var c cond
	if lo = strings.TrimSpace(lo); lo != "" {
		b, err := norm(lo, false)
		if err != nil {
			return cond{}, err
		}
		c = c.and(cond{k.col + " >= ?", []any{b}})
	} else if k.kind != kInt && hi != "" {
		c = c.and(cond{k.col + " > ''", nil})
	}
	if hi = strings.TrimSpace(hi); hi != "" {
		b, err := norm(hi, true)
		if err != nil {
			return cond{}, err
		}
		c = c.and(cond{k.col + " <= ?", []any{b}})
	}
	return c, nil
}

// parseIS parses an Integer String query value.
func parseIS(v string) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return 0, invalid("%q is not an integer", v)
	}
	return n, nil
}
