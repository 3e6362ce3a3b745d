package dicomjson

import (
	"cmp"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"slices"
	"strconv"
)

// ErrInvalid reports input that is not DICOM JSON: malformed JSON, a key
// that is not a tag, an unknown VR or member, a value of the wrong JSON
// type for its VR, or more than one of Value, BulkDataURI and InlineBinary.
// Decoding errors wrap it.
var ErrInvalid = errors.New("dicomjson: invalid DICOM JSON")

// maxDepth bounds sequence nesting when decoding; real objects nest a few
// levels.
const maxDepth = 64

// UnmarshalJSON decodes one DICOM JSON object into o, replacing its
// contents. It is strict about the model (see ErrInvalid) and lenient about
// forms the standard allows or real servers send: keys in lower-case hex,
// members in any order, numbers written as JSON strings, any number
// literal. Numbers keep their literal text; empty strings and nulls become
// empty values (nil), and an attribute whose values are all empty becomes
// an empty attribute, as AppendJSON would write it. JSON null leaves o
// unchanged.
func (o *Object) UnmarshalJSON(data []byte) error {
	s := scanner{data: data}
	if s.literal("null") && s.atEnd() {
		return nil
	}
	s.pos = 0
	obj, err := s.object(0)
	if err == nil && !s.atEnd() {
		err = s.errorf("data after the object")
	}
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	*o = obj
	return nil
}

// DecodeArray decodes a JSON array of DICOM JSON objects, as WADO-RS
// metadata and QIDO-RS responses carry, reading r to its end.
func DecodeArray(r io.Reader) ([]Object, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("dicomjson: read: %w", err)
	}
	s := scanner{data: data}
	objs, err := s.array()
	if err == nil && !s.atEnd() {
		err = s.errorf("data after the array")
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return objs, nil
}

func (s *scanner) array() ([]Object, error) {
	if err := s.expect('[', "an array"); err != nil {
		return nil, err
	}
	objs := []Object{}
	if s.consume(']') {
		return objs, nil
	}
	for {
		o, err := s.object(0)
		if err != nil {
			return nil, fmt.Errorf("object %d: %w", len(objs)+1, err)
		}
		objs = append(objs, o)
		if s.consume(',') {
			continue
		}
		return objs, s.expect(']', `"," or "]"`)
	}
}

// object reads a DICOM JSON object. Errors do not wrap ErrInvalid; the
// exported functions add it once.
func (s *scanner) object(depth int) (Object, error) {
	if depth > maxDepth {
		return Object{}, s.errorf("sequences nested too deep")
	}
	if err := s.expect('{', "an object"); err != nil {
		return Object{}, err
	}
	if s.consume('}') {
		return Object{}, nil
	}
	var attrs []Attribute
	for {
		key, err := s.str()
		if err != nil {
			return Object{}, err
		}
		t, err := parseTag(key)
		if err != nil {
			return Object{}, fmt.Errorf("key %q is not 8 hex digits", key)
		}
		if err := s.expect(':', `":"`); err != nil {
			return Object{}, err
		}
		a, err := s.attribute(t, depth)
		if err != nil {
			return Object{}, fmt.Errorf("attribute %08X: %w", t, err)
		}
		attrs = append(attrs, a)
		if s.consume(',') {
			continue
		}
		if err := s.expect('}', `"," or "}"`); err != nil {
			return Object{}, err
		}
		break
	}
	byTag := func(a, b Attribute) int { return cmp.Compare(a.Tag, b.Tag) }
	if !slices.IsSortedFunc(attrs, byTag) {
		slices.SortStableFunc(attrs, byTag)
	}
	for i := 1; i < len(attrs); i++ {
		if attrs[i].Tag == attrs[i-1].Tag {
			return Object{}, fmt.Errorf("attribute %08X: duplicate key", attrs[i].Tag)
		}
	}
	return Object{attrs: attrs}, nil
}

// parseTag parses 8 hex digits (either case).
func parseTag(s string) (uint32, error) {
	if len(s) != 8 {
		return 0, strconv.ErrSyntax
	}
	t, err := strconv.ParseUint(s, 16, 32)
	return uint32(t), err
}

// Members of an attribute object, as bits.
const (
	memberVR = 1 << iota
	memberValue
	memberBulkDataURI
	memberInlineBinary
)

// attribute reads the attribute object of tag t.
func (s *scanner) attribute(t uint32, depth int) (Attribute, error) {
	a := Attribute{Tag: t}
	if err := s.expect('{', "an attribute object"); err != nil {
		return a, err
	}
	var kind vrKind
	seen := 0
	valuePos := -1 // where "Value" starts when it came before "vr"
	for !s.consume('}') {
		if seen != 0 {
			if err := s.expect(',', `"," or "}"`); err != nil {
				return a, err
			}
		}
		name, err := s.str()
		if err != nil {
			return a, err
		}
		var bit int
		switch name {
		case "vr":
			bit = memberVR
		case "Value":
			bit = memberValue
		case "BulkDataURI":
			bit = memberBulkDataURI
		case "InlineBinary":
			bit = memberInlineBinary
		default:
			return a, fmt.Errorf("unknown member %q", name)
		}
		if seen&bit != 0 {
			return a, fmt.Errorf("duplicate member %q", name)
		}
		seen |= bit
		if err := s.expect(':', `":"`); err != nil {
			return a, err
		}
		switch bit {
		case memberVR:
			if s.peek() != '"' {
				return a, errors.New(`"vr" is not a string`)
			}
			if a.VR, err = s.str(); err != nil {
				return a, err
			}
			if kind = kindOf(a.VR); kind == 0 {
				return a, fmt.Errorf("unknown vr %q", a.VR)
			}
		case memberValue:
			switch kind {
			case 0:
				valuePos = s.pos
				err = s.skip(0)
			case kindBinary:
				err = fmt.Errorf("vr %s cannot have a Value", a.VR)
			default:
				a.Values, err = s.values(a.VR, kind, depth)
			}
		case memberBulkDataURI:
			if a.BulkDataURI, err = s.str(); err == nil && a.BulkDataURI == "" {
				err = errors.New("BulkDataURI is empty")
			}
		case memberInlineBinary:
			var b64 string
			if b64, err = s.str(); err == nil {
				a.InlineBinary, err = base64.StdEncoding.DecodeString(b64)
			}
			if err != nil {
				err = fmt.Errorf("InlineBinary: %w", err)
			}
		}
		if err != nil {
			return a, err
		}
	}
	switch {
	case seen&memberVR == 0:
		return a, errors.New(`no "vr"`)
	case seen&memberValue != 0 && kind == kindBinary:
		return a, fmt.Errorf("vr %s cannot have a Value", a.VR)
	case seen&memberBulkDataURI != 0 && !bulkDataVR(a.VR):
		return a, fmt.Errorf("vr %s cannot have a BulkDataURI", a.VR)
	case seen&memberInlineBinary != 0 && kind != kindBinary:
		return a, fmt.Errorf("vr %s cannot have InlineBinary", a.VR)
	case bits.OnesCount(uint(seen)) > 2:
		return a, errors.New("more than one of Value, BulkDataURI and InlineBinary")
	}
	if valuePos >= 0 {
		end := s.pos
		s.pos = valuePos
		var err error
		if a.Values, err = s.values(a.VR, kind, depth); err != nil {
			return a, err
		}
		s.pos = end
	}
	if len(a.InlineBinary) == 0 {
		a.InlineBinary = nil
	}
	return dropEmpty(a), nil
}

// values reads a Value array.
func (s *scanner) values(vr string, kind vrKind, depth int) ([]any, error) {
	if s.peek() != '[' {
		return nil, errors.New("Value is not an array")
	}
	s.pos++
	if s.consume(']') {
		return nil, nil
	}
	var values []any
	for {
		v, err := s.value(vr, kind, depth)
		if err != nil {
			return nil, fmt.Errorf("value %d: %w", len(values)+1, err)
		}
		values = append(values, v)
		if s.consume(',') {
			continue
		}
		return values, s.expect(']', `"," or "]"`)
	}
}

// value reads one element of a Value array.
func (s *scanner) value(vr string, kind vrKind, depth int) (any, error) {
	if s.literal("null") {
		if kind == kindSQ {
			return nil, errors.New("null sequence item")
		}
		return nil, nil
	}
	switch kind {
	case kindText:
		if s.peek() != '"' {
			return nil, errors.New("not a string")
		}
		v, err := s.str()
		if err != nil || v == "" {
			return nil, err
		}
		if vr == "AT" {
			if _, err := parseTag(v); err != nil {
				return nil, fmt.Errorf("AT value %q is not 8 hex digits", v)
			}
		}
		return v, nil
	case kindNumber:
		switch c := s.peek(); {
		case c == '"':
			v, err := s.str()
			if err != nil || isBlank(v) {
				return nil, err
			}
			return Number(v), nil
		case c == '-' || '0' <= c && c <= '9':
			lit, err := s.number()
			return Number(lit), err
		}
		return nil, errors.New("not a number or string")
	case kindPN:
		p, err := s.personName()
		if err != nil || p.IsZero() {
			return nil, err
		}
		return p, nil
	}
	item, err := s.object(depth + 1)
	if err != nil {
		return nil, fmt.Errorf("item: %w", err)
	}
	return item, nil
}

// personName reads a PN value object.
func (s *scanner) personName() (PersonName, error) {
	var p PersonName
	if s.peek() != '{' {
		return p, errors.New("PN value is not an object")
	}
	s.pos++
	var seen [3]bool
	for first := true; !s.consume('}'); first = false {
		if !first {
			if err := s.expect(',', `"," or "}"`); err != nil {
				return p, err
			}
		}
		name, err := s.str()
		if err != nil {
			return p, err
		}
		if err := s.expect(':', `":"`); err != nil {
			return p, err
		}
		var i int
		var dst *string
		switch name {
		case "Alphabetic":
			i, dst = 0, &p.Alphabetic
		case "Ideographic":
			i, dst = 1, &p.Ideographic
		case "Phonetic":
			i, dst = 2, &p.Phonetic
		default:
			return p, fmt.Errorf("unknown PN component group %q", name)
		}
		if seen[i] {
			return p, fmt.Errorf("duplicate PN component group %q", name)
		}
		seen[i] = true
		if s.peek() != '"' {
			return p, fmt.Errorf("PN %s is not a string", name)
		}
		if *dst, err = s.str(); err != nil {
			return p, err
		}
	}
	return p, nil
}
