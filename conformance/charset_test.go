package conformance

import (
	"net/http"
	"testing"
	"unicode/utf8"
)

// charsetNames are the patient names of testdata/charset as pydicom 2.3.1
// decodes them (PersonName.components), by component group.
var charsetNames = []struct {
	file                              string
	alphabetic, ideographic, phonetic string
}{
	{"charset/chrArab.dcm", "قباني^لنزار", "", ""},
	{"charset/chrFren.dcm", "Buc^Jérôme", "", ""},
	{"charset/chrFrenMulti.dcm", "Buc^Jérôme", "", ""},
	{"charset/chrGerm.dcm", "Äneas^Rüdiger", "", ""},
	{"charset/chrGreek.dcm", "Διονυσιος", "", ""},
	{"charset/chrH31.dcm", "Yamada^Tarou", "山田^太郎", "やまだ^たろう"},
	{"charset/chrH32.dcm", "ﾔﾏﾀﾞ^ﾀﾛｳ", "山田^太郎", "やまだ^たろう"},
	{"charset/chrHbrw.dcm", "שרון^דבורה", "", ""},
	{"charset/chrI2.dcm", "Hong^Gildong", "洪^吉洞", "홍^길동"},
	{"charset/chrJapMulti.dcm", "やまだ^たろう", "", ""},
	{"charset/chrJapMultiExplicitIR6.dcm", "やまだ^たろう", "", ""},
	{"charset/chrKoreanMulti.dcm", "김희중", "", ""},
	{"charset/chrRuss.dcm", "Люкceмбypг", "", ""},
	{"charset/chrX1.dcm", "Wang^XiaoDong", "王^小東", ""},
	{"charset/chrX2.dcm", "Wang^XiaoDong", "王^小东", ""},
}

// TestCharsetNames stores each character set example and checks that QIDO
// and metadata return the patient name decoded exactly as pydicom decodes
// it, in valid UTF-8, and that a query with the decoded name finds it.
// Files sharing UIDs replace each other in the one archive, so each is
// checked right after it is stored.
func TestCharsetNames(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	for _, c := range charsetNames {
		t.Run(c.file, func(t *testing.T) {
			f := corpusFile(c.file)
			s.stowFiles(t, c.file)
			want := dcmPN{Alphabetic: c.alphabetic, Ideographic: c.ideographic, Phonetic: c.phonetic}
			check := func(what string, r *response) {
				t.Helper()
				wantStatus(t, r, http.StatusOK, what)
				if !utf8.Valid(r.Body) {
					t.Errorf("%s: the JSON is not valid UTF-8", what)
				}
			}

			r := s.get(t, "/studies?StudyInstanceUID="+f.study, acceptDICOMJSON)
			check("QIDO", r)
			res := decodeArray(t, r.Body)
			if len(res) != 1 {
				t.Fatalf("QIDO found %d studies, want 1", len(res))
			}
			if got := res[0].pn(tagPatientName); got != want {
				t.Errorf("QIDO PatientName = %+v, want %+v", got, want)
			}

			r = s.get(t, "/studies/"+f.study+"/series/"+f.series+"/instances/"+f.instance+"/metadata", acceptDICOMJSON)
			check("metadata", r)
			md := decodeArray(t, r.Body)
			if len(md) != 1 {
				t.Fatalf("metadata has %d objects, want 1", len(md))
			}
			if got := md[0].pn(tagPatientName); got != want {
				t.Errorf("metadata PatientName = %+v, want %+v", got, want)
			}

			q := "/studies?StudyInstanceUID=" + f.study + "&PatientName=" + esc(c.alphabetic)
			if n := len(s.qido(t, q)); n != 1 {
				t.Errorf("QIDO by the decoded name %q found %d studies, want 1", c.alphabetic, n)
			}
		})
	}
}
