package dataset

import (
	"sync"

	"github.com/suyashkumar/dicom/pkg/tag"
)

//go:generate go run gen_dicttags.go

// lookup finds t in the suyashkumar/dicom data dictionary. Repeating groups
// (50xx curves, 60xx overlays) are listed there under their first group.
func lookup(t Tag) (tag.Info, bool) {
	g := t.Group()
	if (g&0xFF00 == 0x5000 || g&0xFF00 == 0x6000) && g%2 == 0 {
		g &= 0xFF00
	}
	info, err := tag.Find(tag.Tag{Group: g, Element: t.Element()})
	if err != nil {
		return tag.Info{}, false
	}
	return info, true
}

// DictionaryVR returns the VR the data dictionary gives t, as an implicit VR
// reader must assume it: "UL" for group lengths, "LO" for private creators,
// "UN" for unknown and other private tags, "" for the item and delimitation
// tags, which have none. Tags the dictionary lists with several VRs resolve
// to one: "OB or OW" to OW (the only choice in implicit VR, PS3.5 A.1), "US
// or SS" (and the LUT data variants) to US; Parse picks SS instead when
// Pixel Representation (0028,0103) is 1.
func DictionaryVR(t Tag) string {
	switch {
	case t.Element() == 0x0000:
		return "UL"
	case t.isPrivateCreator():
		return "LO"
	case t.IsPrivate():
		return "UN"
	}
	info, ok := lookup(t)
	if !ok || len(info.VRs) == 0 {
		return "UN"
	}
	if len(info.VRs) > 1 {
		if info.VRs[0] == "OB" {
			return "OW"
		}
		return info.VRs[0]
	}
	if info.VRs[0] == "NA" { // item and delimitation tags
		return ""
	}
	return info.VRs[0]
}

// isAmbiguousUS reports whether the dictionary lists t as "US or SS", the
// tags whose VR follows Pixel Representation (PS3.5 A.1 c).
func isAmbiguousUS(t Tag) bool {
	info, ok := lookup(t)
	return ok && len(info.VRs) >= 2 && info.VRs[0] == "US" && info.VRs[1] == "SS"
}

// Keyword returns the dictionary keyword of t ("PatientName"), or "" when
// the tag is not in the dictionary.
func (t Tag) Keyword() string {
	if t.IsPrivate() {
		return ""
	}
	info, ok := lookup(t)
	if !ok {
		return ""
	}
	return info.Keyword
}

// keywords is the keyword index of the data dictionary. It is the one piece
// of package-level state: the dictionary offers keyword lookup only as a scan
// over thousands of entries, so the index is built once, on first use, and
// only read afterwards (safe for concurrent use).
var keywords struct {
	once sync.Once
	m    map[string]Tag
}

// TagForKeyword returns the tag whose dictionary keyword is kw
// ("StudyInstanceUID"); false when there is none.
func TagForKeyword(kw string) (Tag, bool) {
	keywords.once.Do(func() {
		keywords.m = make(map[string]Tag, len(dictionaryTags))
		for _, t := range dictionaryTags {
			if info, ok := lookup(t); ok && info.Keyword != "" {
				keywords.m[info.Keyword] = t
			}
		}
	})
	t, ok := keywords.m[kw]
	return t, ok
}
