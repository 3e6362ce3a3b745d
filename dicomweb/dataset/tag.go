package dataset

import (
	"fmt"
	"strconv"
	"strings"
)

// String returns the tag as 8 upper-case hex digits, group first
// ("0020000D"): the attribute key of the DICOM JSON model.
func (t Tag) String() string {
	const hex = "0123456789ABCDEF"
	var b [8]byte
	for i := 7; i >= 0; i-- {
		b[i] = hex[t&0xF]
		t >>= 4
	}
	return string(b[:])
}

// ParseTag parses a tag written as 8 hex digits ("0020000D", any case) or
// as "(gggg,eeee)".
func ParseTag(s string) (Tag, error) {
	h := s
	if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") && len(s) == 11 && s[5] == ',' {
		h = s[1:5] + s[6:10]
	}
	if len(h) != 8 {
		return 0, fmt.Errorf("dataset: parse tag %q: want 8 hex digits or (gggg,eeee)", s)
	}
	v, err := strconv.ParseUint(h, 16, 32)
	if err != nil {
		return 0, fmt.Errorf("dataset: parse tag %q: not hexadecimal", s)
	}
	return Tag(v), nil
}

// IsPrivate reports whether t belongs to an odd (private) group.
func (t Tag) IsPrivate() bool { return t.Group()%2 == 1 }

// isPrivateCreator reports whether t is a private creator element
// (gggg,0010-00FF) of an odd group, whose VR is always LO.
func (t Tag) isPrivateCreator() bool {
	return t.IsPrivate() && t.Element() >= 0x0010 && t.Element() <= 0x00FF
}
