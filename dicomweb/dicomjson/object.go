package dicomjson

import (
	"slices"
	"strings"
)

// PersonName is one value of a PN attribute, by component group. Each group
// keeps its components separated by '^' as in DICOM ("Doe^John").
type PersonName struct {
	Alphabetic  string `json:"Alphabetic,omitempty"`
	Ideographic string `json:"Ideographic,omitempty"`
	Phonetic    string `json:"Phonetic,omitempty"`
}

// IsZero reports whether all three component groups are empty: an empty
// value, encoded as null.
func (p PersonName) IsZero() bool {
	return p.Alphabetic == "" && p.Ideographic == "" && p.Phonetic == ""
}

// Attribute is one attribute of an Object. Exactly one of Values,
// BulkDataURI and InlineBinary is used; none of them means an empty value
// (encoded as {"vr": "XX"}). Should several be set, the encoder uses
// BulkDataURI, else InlineBinary, else Values.
type Attribute struct {
	Tag uint32
	VR  string
	// Values by VR: string for text VRs (AE AS CS DA DT LO LT SH ST TM UC UI UR UT
	// and AT as 8 hex digits), Number for DS IS SL SS UL US SV UV FL FD
	// (the literal number text), PersonName for PN, Object for SQ items.
	// A nil entry is an empty value inside a multi-valued attribute (JSON null);
	// so are "" and a zero PersonName. Values of any other type are encoded
	// as null.
	Values       []any
	BulkDataURI  string
	InlineBinary []byte
}

// Object is a DICOM JSON object: attributes kept in ascending tag order.
// The zero value is an empty object ready to use.
//
// Like a slice, an Object refers to its attributes: copies share them, so
// Clone an Object before changing a copy that others still use.
type Object struct {
	attrs []Attribute
}

// search returns the index of tag in o, or where it would be inserted.
func (o *Object) search(tag uint32) (int, bool) {
	// Attributes mostly arrive in ascending order: check the end first.
	if n := len(o.attrs); n == 0 || o.attrs[n-1].Tag < tag {
		return n, false
	}
	return slices.BinarySearchFunc(o.attrs, tag, func(a Attribute, t uint32) int {
		switch {
		case a.Tag < t:
			return -1
		case a.Tag > t:
			return 1
		}
		return 0
	})
}

// Set inserts a, or replaces the attribute with the same tag.
func (o *Object) Set(a Attribute) {
	i, found := o.search(a.Tag)
	if found {
		o.attrs[i] = a
		return
	}
	o.attrs = slices.Insert(o.attrs, i, a)
}

// Get returns the attribute with the given tag; false when there is none.
func (o Object) Get(tag uint32) (Attribute, bool) {
	i, found := o.search(tag)
	if !found {
		return Attribute{}, false
	}
	return o.attrs[i], true
}

// Delete removes the attribute with the given tag, if any.
func (o *Object) Delete(tag uint32) {
	if i, found := o.search(tag); found {
		o.attrs = slices.Delete(o.attrs, i, i+1)
	}
}

// Len returns the number of attributes.
func (o Object) Len() int { return len(o.attrs) }

// Attributes returns a copy of the attributes in ascending tag order.
func (o Object) Attributes() []Attribute { return slices.Clone(o.attrs) }

// Clone returns a copy of o whose attribute list can be changed without
// affecting o. Values (and sequence items) are shared.
func (o Object) Clone() Object { return Object{attrs: slices.Clone(o.attrs)} }

// Merge copies other's attributes into o; where both have a tag, other's
// attribute wins.
func (o *Object) Merge(other Object) {
	if len(other.attrs) == 0 {
		return
	}
	merged := make([]Attribute, 0, len(o.attrs)+len(other.attrs))
	a, b := o.attrs, other.attrs
	for len(a) > 0 && len(b) > 0 {
		switch {
		case a[0].Tag < b[0].Tag:
			merged, a = append(merged, a[0]), a[1:]
		case a[0].Tag > b[0].Tag:
			merged, b = append(merged, b[0]), b[1:]
		default:
			merged, a, b = append(merged, b[0]), a[1:], b[1:]
		}
	}
	merged = append(merged, a...)
	o.attrs = append(merged, b...)
}

// Filter returns a new Object holding the attributes whose tag keep accepts.
func (o Object) Filter(keep func(tag uint32) bool) Object {
	var out Object
	for _, a := range o.attrs {
		if keep(a.Tag) {
			out.attrs = append(out.attrs, a)
		}
	}
	return out
}

// String returns the first value of the attribute with the given tag as
// text (the Alphabetic group for PN), or "" when it is absent or empty.
func (o Object) String(tag uint32) string {
	a, ok := o.Get(tag)
	if !ok || len(a.Values) == 0 {
		return ""
	}
	return valueText(a.Values[0])
}

// Strings returns the values as text: strings as they are, numbers as their
// literal, PN values as their Alphabetic group and empty values as "".
// It returns nil for sequences and binary attributes.
func (a Attribute) Strings() []string {
	if len(a.Values) == 0 || a.VR == "SQ" {
		return nil
	}
	out := make([]string, len(a.Values))
	for i, v := range a.Values {
		out[i] = valueText(v)
	}
	return out
}

func valueText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case Number:
		return string(v)
	case PersonName:
		return v.Alphabetic
	}
	return ""
}

// String returns an attribute of a text, numeric or PN VR with values given
// as DICOM text, so that index rows can be turned into attributes without
// knowing each VR's type:
// for numeric VRs (DS IS SL SS UL US SV UV FL FD) the values become Numbers,
// for PN they are split into component groups at '='. An empty string is an
// empty value; when all values are empty the attribute is empty.
func String(tag uint32, vr string, values ...string) Attribute {
	a := Attribute{Tag: tag, VR: vr}
	if allEmpty(values) {
		return a
	}
	a.Values = make([]any, len(values))
	for i, s := range values {
		switch {
		case s == "":
			// nil: an empty value
		case isNumericVR(vr):
			if n := canonicalNumber(s); n != "" {
				a.Values[i] = n
			}
		case vr == "PN":
			if p := parsePersonName(s); !p.IsZero() {
				a.Values[i] = p
			}
		default:
			a.Values[i] = s
		}
	}
	return dropEmpty(a)
}

func allEmpty(values []string) bool {
	for _, s := range values {
		if s != "" {
			return false
		}
	}
	return true
}

// parsePersonName splits a PN value in DICOM form ("Alphabetic=Ideographic=
// Phonetic") into its component groups.
func parsePersonName(s string) PersonName {
	var p PersonName
	p.Alphabetic, s, _ = strings.Cut(s, "=")
	p.Ideographic, p.Phonetic, _ = strings.Cut(s, "=")
	return p
}

// Num returns an attribute of a numeric VR. Values are normalised as
// AppendJSON would write them; "" is an empty value.
func Num(tag uint32, vr string, values ...Number) Attribute {
	a := Attribute{Tag: tag, VR: vr, Values: make([]any, len(values))}
	for i, n := range values {
		if n := canonicalNumber(string(n)); n != "" {
			a.Values[i] = n
		}
	}
	return dropEmpty(a)
}

// PN returns a PN attribute. Zero PersonNames are empty values.
func PN(tag uint32, names ...PersonName) Attribute {
	a := Attribute{Tag: tag, VR: "PN", Values: make([]any, len(names))}
	for i, p := range names {
		if !p.IsZero() {
			a.Values[i] = p
		}
	}
	return dropEmpty(a)
}

// dropEmpty clears a.Values when no value is set, so that an attribute
// whose values are all empty is an empty attribute (PS3.18 F.2.5).
func dropEmpty(a Attribute) Attribute {
	for _, v := range a.Values {
		if !isEmptyValue(v) {
			return a
		}
	}
	a.Values = nil
	return a
}

// isEmptyValue reports whether v is encoded as null.
func isEmptyValue(v any) bool {
	switch v := v.(type) {
	case string:
		return v == ""
	case Number:
		return isBlank(string(v))
	case PersonName:
		return v.IsZero()
	case Object:
		return false // an empty item is still an item
	}
	return true
}

// Seq returns an SQ attribute with the given items; with none it is an
// empty sequence.
func Seq(tag uint32, items ...Object) Attribute {
	a := Attribute{Tag: tag, VR: "SQ"}
	if len(items) > 0 {
		a.Values = make([]any, len(items))
		for i, it := range items {
			a.Values[i] = it
		}
	}
	return a
}

// Items returns the items of an SQ attribute.
func (a Attribute) Items() []Object {
	var out []Object
	for _, v := range a.Values {
		if it, ok := v.(Object); ok {
			out = append(out, it)
		}
	}
	return out
}
