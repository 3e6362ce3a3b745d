package dataset

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/suyashkumar/dicom"
)

// TestCrossCheckLibrary compares Parse with github.com/suyashkumar/dicom on
// every test file that library reads: the same top-level elements in the
// same order, the same VRs (except where the two readers deliberately
// resolve implicit VRs differently, see vrDifference) and the same text.
func TestCrossCheckLibrary(t *testing.T) {
	compared := 0
	for _, path := range allTestFiles(t) {
		name := strings.TrimPrefix(path, testdataDir+"/")
		t.Run(name, func(t *testing.T) {
			data := readFile(t, path)
			lib, err := dicom.Parse(bytes.NewReader(data), int64(len(data)), nil)
			if err != nil {
				t.Skipf("library cannot parse it: %v", err)
			}
			f, err := Parse(bytes.NewReader(data), Options{})
			if werr := wantErr[name]; werr != nil && errors.Is(err, werr) {
				t.Skipf("Parse = %v as intended; the library reads it anyway", err)
			}
			if err != nil {
				t.Fatalf("Parse = %v, the library parses it", err)
			}
			compared++
			ours := append(append([]*Element{}, f.Meta.Elements...), f.Dataset.Elements...)
			if len(ours) != len(lib.Elements) {
				t.Fatalf("%d elements, library %d", len(ours), len(lib.Elements))
			}
			cs := f.Charset()
			for i, le := range lib.Elements {
				e := ours[i]
				if got, want := e.Tag, Tag(le.Tag.Uint32()); got != want {
					t.Fatalf("element %d: tag %s, library %s", i, got, want)
				}
				if e.VR != le.RawValueRepresentation {
					if why := vrDifference(f, e, le.RawValueRepresentation); why != "" {
						t.Logf("%s: VR %s, library %s: %s", e.Tag, e.VR, le.RawValueRepresentation, why)
					} else {
						t.Errorf("%s: VR %s, library %s", e.Tag, e.VR, le.RawValueRepresentation)
					}
				}
				if !IsTextVR(e.VR) || e.VR != le.RawValueRepresentation {
					continue
				}
				theirs, ok := le.Value.GetValue().([]string)
				if !ok {
					t.Errorf("%s: library value %T, want []string", e.Tag, le.Value.GetValue())
					continue
				}
				got, want := normText(e.Strings(cs)), normText(theirs)
				if got != want {
					if isASCII(e.Value) || !libDecodes(cs) {
						t.Errorf("%s %s: %q, library %q", e.Tag, e.VR, got, want)
					} else {
						t.Logf("%s %s: %q, library %q (library decodes this character set differently)", e.Tag, e.VR, got, want)
					}
				}
			}
		})
	}
	if compared < 40 {
		t.Errorf("compared %d files with the library, want at least 40", compared)
	}
}

// vrDifference explains a VR that differs from the library's, or returns ""
// when there is no accepted reason. All reasons concern implicit VR, where
// the VR comes from a dictionary rule rather than from the file.
func vrDifference(f *File, e *Element, theirs string) string {
	switch {
	case !f.Implicit || e.Tag.Group() == 0x0002:
		return ""
	case e.Tag.isPrivateCreator() && e.VR == "LO" && theirs == "UN":
		return "private creator elements are LO (PS3.5 7.8.1); the library does not know"
	case e.Tag.Element() == 0 && e.VR == "UL" && theirs == "UN":
		return "group length of an odd group"
	case e.VR == "SS" && theirs == "US" && isAmbiguousUS(e.Tag):
		return "US or SS resolved by Pixel Representation"
	case e.VR == "OW" && theirs == "OB" && DictionaryVR(e.Tag) == "OW":
		return "OB or OW is OW in implicit VR (PS3.5 A.1)"
	case e.VR == "SQ" && e.Length == undefinedLength && theirs == "UN":
		return "an undefined length can only be a sequence"
	}
	return ""
}

// normText joins values for comparison, ignoring what the readers treat
// differently on purpose: the library trims the whole value but keeps
// spaces around components, and splits ST and UR on backslashes.
func normText(vals []string) string {
	var parts []string
	for _, v := range vals {
		for _, p := range strings.Split(v, `\`) {
			parts = append(parts, strings.Trim(p, " \x00"))
		}
	}
	s := strings.Join(parts, `\`)
	if strings.Trim(s, `\`) == "" && len(parts) <= 1 {
		return ""
	}
	return s
}

// libDecodes reports character sets whose decoding by the library is not
// compared: it has no ISO 2022 escape handling.
func libDecodes(cs *Charset) bool {
	return cs != nil && (cs.escapes || cs.whole != nil || cs.utf8 || cs.g1 != setNone)
}
