package dataset

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Find returns the element with tag t, or nil when d has none.
func (d *Dataset) Find(t Tag) *Element {
	if d == nil {
		return nil
	}
	for _, e := range d.Elements {
		if e.Tag == t {
			return e
		}
	}
	return nil
}

// PersonName is one value of a PN element split into its component groups
// (PS3.5 6.2.1), each decoded to UTF-8 with its '^' component delimiters
// kept as they were.
type PersonName struct {
	Alphabetic, Ideographic, Phonetic string
}

// IsTextVR reports whether vr holds character data (the VRs Strings decodes).
func IsTextVR(vr string) bool {
	switch vr {
	case "AE", "AS", "CS", "DA", "DS", "DT", "IS", "LO", "LT", "PN",
		"SH", "ST", "TM", "UC", "UI", "UR", "UT":
		return true
	}
	return false
}

// singleValued reports the text VRs whose value is never split on '\'.
func singleValued(vr string) bool {
	return vr == "LT" || vr == "ST" || vr == "UT" || vr == "UR"
}

// leadingInsignificant reports the VRs whose leading spaces are padding
// (PS3.5 table 6.2-1).
func leadingInsignificant(vr string) bool {
	switch vr {
	case "AE", "CS", "DS", "IS", "LO", "SH", "DA", "DT", "TM":
		return true
	}
	return false
}

// Strings returns the values of a text element (AE AS CS DA DS DT IS LO LT
// PN SH ST TM UC UI UR UT) decoded to UTF-8 with c (nil: default
// repertoire), split on '\' except for LT ST UT UR, without padding: trailing
// spaces and NULs always, leading spaces where PS3.5 table 6.2-1 calls them
// insignificant. An empty value gives nil; an empty value between two
// backslashes gives "". Other VRs and values not kept in memory (Bulk) give
// nil. PN values come back whole; see PersonNames.
func (e *Element) Strings(c *Charset) []string {
	if e == nil || !IsTextVR(e.VR) || len(e.Value) == 0 {
		return nil
	}
	s := c.decode(e.Value, e.VR == "PN")
	var parts []string
	if singleValued(e.VR) {
		parts = []string{s}
	} else {
		parts = strings.Split(s, `\`)
	}
	for i, p := range parts {
		p = strings.TrimRight(p, " \x00")
		if leadingInsignificant(e.VR) {
			p = strings.TrimLeft(p, " ")
		}
		parts[i] = p
	}
	if len(parts) == 1 && parts[0] == "" {
		return nil
	}
	return parts
}

// PersonNames returns the values of a PN element, each split into its '='
// component groups and decoded with c (nil: default repertoire). The groups
// of one name may use different ISO 2022 code extensions. Empty values
// between backslashes give a zero PersonName; an empty element gives nil.
func (e *Element) PersonNames(c *Charset) []PersonName {
	if e == nil || e.VR != "PN" {
		return nil
	}
	values := e.Strings(c)
	if values == nil {
		return nil
	}
	names := make([]PersonName, len(values))
	for i, v := range values {
		groups := strings.SplitN(v, "=", 3)
		for j := range groups {
			groups[j] = strings.TrimRight(groups[j], " ")
		}
		names[i].Alphabetic = groups[0]
		if len(groups) > 1 {
			names[i].Ideographic = groups[1]
		}
		if len(groups) > 2 {
			names[i].Phonetic = groups[2]
		}
	}
	return names
}

// numberSize returns the byte size of one value of a binary numeric VR.
func numberSize(vr string) int {
	switch vr {
	case "US", "SS":
		return 2
	case "UL", "SL", "FL":
		return 4
	case "SV", "UV", "FD":
		return 8
	}
	return 0
}

// Numbers returns the values of a binary numeric element (US SS UL SL SV UV
// FL FD) as decimal text, as a JSON number would be written: integers in
// full, FL and FD in the shortest form that reads back to the same float,
// non-finite floats as "NaN", "Infinity" and "-Infinity". bo is the byte
// order of the file (File.ByteOrder). An empty value gives nil; a length that
// is not a multiple of the value size, another VR or a Bulk value is an error.
func (e *Element) Numbers(bo binary.ByteOrder) ([]string, error) {
	size := numberSize(e.VR)
	if size == 0 {
		return nil, fmt.Errorf("dataset: %s: VR %s is not numeric", e.Tag, e.VR)
	}
	if e.Bulk {
		return nil, fmt.Errorf("dataset: %s: value not kept in memory", e.Tag)
	}
	if len(e.Value)%size != 0 {
		return nil, fmt.Errorf("%w: %s: %s value of %d bytes", ErrMalformed, e.Tag, e.VR, len(e.Value))
	}
	if len(e.Value) == 0 {
		return nil, nil
	}
	out := make([]string, 0, len(e.Value)/size)
	for b := e.Value; len(b) > 0; b = b[size:] {
		var s string
		switch e.VR {
		case "US":
			s = strconv.FormatUint(uint64(bo.Uint16(b)), 10)
		case "SS":
			s = strconv.FormatInt(int64(int16(bo.Uint16(b))), 10)
		case "UL":
			s = strconv.FormatUint(uint64(bo.Uint32(b)), 10)
		case "SL":
			s = strconv.FormatInt(int64(int32(bo.Uint32(b))), 10)
		case "UV":
			s = strconv.FormatUint(bo.Uint64(b), 10)
		case "SV":
			s = strconv.FormatInt(int64(bo.Uint64(b)), 10)
		case "FL":
			s = formatFloat(float64(math.Float32frombits(bo.Uint32(b))), 32)
		case "FD":
			s = formatFloat(math.Float64frombits(bo.Uint64(b)), 64)
		}
		out = append(out, s)
	}
	return out, nil
}

func formatFloat(f float64, bits int) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return strconv.FormatFloat(f, 'g', -1, bits)
}

// Tags returns the values of an AT element. bo is the byte order of the
// file; each value is a group then an element number.
func (e *Element) Tags(bo binary.ByteOrder) ([]Tag, error) {
	if e.VR != "AT" {
		return nil, fmt.Errorf("dataset: %s: VR %s is not AT", e.Tag, e.VR)
	}
	if e.Bulk {
		return nil, fmt.Errorf("dataset: %s: value not kept in memory", e.Tag)
	}
	if len(e.Value)%4 != 0 {
		return nil, fmt.Errorf("%w: %s: AT value of %d bytes", ErrMalformed, e.Tag, len(e.Value))
	}
	if len(e.Value) == 0 {
		return nil, nil
	}
	out := make([]Tag, 0, len(e.Value)/4)
	for b := e.Value; len(b) > 0; b = b[4:] {
		out = append(out, Tag(uint32(bo.Uint16(b))<<16|uint32(bo.Uint16(b[2:]))))
	}
	return out, nil
}
