package conformance

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
)

// The QIDO fixture: crafted/*.dcm (see testdata/crafted/make.sh) plus
// pydicom's CT_small and MR_small.
//
//	study   patient            charset     id        date      time    modalities  accession  description
//	S1      Müller^Jürgen      ISO_IR 192  PID-0001  20200115  101500  CT, MR      ACC-1001   CT Thorax
//	S2      Müller^Jürgen      ISO_IR 100  PID-0002  20210320  140000  MR          ACC-2002   MR Brain
//	S3      Muller^Jurgen      ISO_IR 100  PID-0003  20191231  235959  CR          XR-77      Chest X-ray
//	S4      Doe^John           ISO_IR 100  12345     20220601  091500  US          A-0042     Abdomen US
//	S5      Smith^Jane         ISO_IR 100  JS-9      20230710  080000  CT          ACC-3003   CT Head
//	CT      CompressedSamples^CT1          1CT1      20040119  072730  CT                     e+1
//	MR      CompressedSamples^MR1          4MR1      20040826  185059  MR
var (
	qidoFiles = []string{
		"crafted/muller_utf8_ct.dcm", "crafted/muller_utf8_mr.dcm", "crafted/muller_latin1.dcm",
		"crafted/muller_ascii.dcm", "crafted/doe.dcm", "crafted/smith.dcm",
		"pydicom/CT_small.dcm", "pydicom/MR_small.dcm",
	}
	fxS1CT, fxS1MR = corpusFile("crafted/muller_utf8_ct.dcm"), corpusFile("crafted/muller_utf8_mr.dcm")
	fxS2, fxS3     = corpusFile("crafted/muller_latin1.dcm"), corpusFile("crafted/muller_ascii.dcm")
	fxS4, fxS5     = corpusFile("crafted/doe.dcm"), corpusFile("crafted/smith.dcm")
	fxCT           = corpusFile("pydicom/CT_small.dcm")
	fxMR           = corpusFile("pydicom/MR_small.dcm")
)

// qidoServer starts an archive holding the QIDO fixture. Each test gets
// its own (a second to start and fill); its subtests only read.
func qidoServer(t *testing.T) *server {
	t.Helper()
	s := startServer(t)
	s.stowFiles(t, qidoFiles...)
	return s
}

type qidoCase struct {
	query string
	want  []string // the expected UIDs at the query's level, any order
}

// runQIDO runs each query and compares the UIDs (tag) of the results.
func runQIDO(t *testing.T, s *server, tag string, cases []qidoCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			t.Parallel()
			got := uids(s.qido(t, c.query), tag)
			sort.Strings(got)
			want := append([]string{}, c.want...)
			sort.Strings(want)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("QIDO %s:\ngot  %q\nwant %q", c.query, got, want)
			}
		})
	}
}

func esc(s string) string { return url.QueryEscape(s) }

// TestQidoStudyMatching covers every matching type of PS3.4 C.2.2.2 at
// the study level.
func TestQidoStudyMatching(t *testing.T) {
	t.Parallel()
	s := qidoServer(t)
	S1, S2, S3, S4, S5, CT, MR := fxS1CT.study, fxS2.study, fxS3.study, fxS4.study, fxS5.study, fxCT.study, fxMR.study
	all := []string{S1, S2, S3, S4, S5, CT, MR}
	runQIDO(t, s, tagStudyInstanceUID, []qidoCase{
		{"/studies", all},
		// Single value, by keyword and by tag.
		{"/studies?PatientID=PID-0001", []string{S1}},
		{"/studies?00100020=PID-0001", []string{S1}},
		{"/studies?AccessionNumber=XR-77", []string{S3}},
		{"/studies?PatientName=Doe^John", []string{S4}},
		{"/studies?PatientName=Doe%5EJohn", []string{S4}},
		{"/studies?PatientName=" + esc("Müller^Jürgen"), []string{S1, S2}},
		{"/studies?PatientName=Muller^Jurgen", []string{S3}},
		{"/studies?PatientName=muller", nil},
		{"/studies?PatientID=nobody", nil},
		// UID lists, comma and backslash separated.
		{"/studies?StudyInstanceUID=" + S1, []string{S1}},
		{"/studies?StudyInstanceUID=" + S1 + "," + S2, []string{S1, S2}},
		{"/studies?StudyInstanceUID=" + S1 + "%5C" + S4, []string{S1, S4}},
		{"/studies?0020000D=" + S5 + "," + CT + "," + "1.2.3.4", []string{S5, CT}},
		// Wildcards, PN case-insensitive, '?' is one character (ü too).
		{"/studies?PatientName=*smith*", []string{S5}},
		{"/studies?PatientName=*SMITH*", []string{S5}},
		{"/studies?PatientName=*doe*", []string{S4}},
		{"/studies?PatientName=" + esc("*üller*"), []string{S1, S2}},
		{"/studies?PatientName=" + esc("*MÜLLER*"), []string{S1, S2}},
		{"/studies?PatientName=M%3Fller*", []string{S1, S2, S3}},
		{"/studies?PatientName=*jurgen", []string{S3}},
		{"/studies?PatientName=*", all},
		{"/studies?00100020=*PID*", []string{S1, S2, S3}},
		{"/studies?PatientID=PID-000%3F", []string{S1, S2, S3}},
		{"/studies?AccessionNumber=*ACC*", []string{S1, S2, S5}},
		{"/studies?StudyDescription=*CT*", []string{S1, S5}},
		{"/studies?StudyDescription=Chest*", []string{S3}},
		{"/studies?ModalitiesInStudy=CT", []string{S1, S5, CT}},
		{"/studies?ModalitiesInStudy=MR", []string{S1, S2, MR}},
		{"/studies?ModalitiesInStudy=US", []string{S4}},
		// Dates and times: single, closed and open ranges.
		{"/studies?StudyDate=20220601", []string{S4}},
		{"/studies?StudyDate=20200101-20211231", []string{S1, S2}},
		{"/studies?StudyDate=-20191231", []string{S3, CT, MR}},
		{"/studies?StudyDate=20220601-", []string{S4, S5}},
		{"/studies?StudyDate=20200115-20200115", []string{S1}},
		{"/studies?StudyTime=100000-150000", []string{S1, S2}},
		{"/studies?StudyTime=-090000", []string{S5, CT}},
		{"/studies?StudyTime=2300-", []string{S3}},
		{"/studies?StudyTime=101500", []string{S1}},
		// Fuzzy matching of person names: case and accents ignored, a key
		// matches a name component.
		{"/studies?PatientName=Muller^Jurgen&fuzzymatching=true", []string{S1, S2, S3}},
		{"/studies?PatientName=" + esc("MÜLLER^JÜRGEN") + "&fuzzymatching=true", []string{S1, S2, S3}},
		{"/studies?PatientName=jurgen&fuzzymatching=true", []string{S1, S2, S3}},
		{"/studies?PatientName=doe&fuzzymatching=true", []string{S4}},
		{"/studies?PatientName=Muller^Jurgen&fuzzymatching=false", []string{S3}},
		// Several keys together.
		{"/studies?StudyDate=20200101-20231231&ModalitiesInStudy=CT", []string{S1, S5}},
		{"/studies?PatientName=" + esc("*üller*") + "&StudyDate=20210101-", []string{S2}},
		{"/studies?PatientID=PID-0001&StudyInstanceUID=" + S2, nil},
	})
}

// TestQidoSeriesMatching queries series, across studies and within one,
// with series and study keys.
func TestQidoSeriesMatching(t *testing.T) {
	t.Parallel()
	s := qidoServer(t)
	runQIDO(t, s, tagSeriesInstanceUID, []qidoCase{
		{"/series", []string{fxS1CT.series, fxS1MR.series, fxS2.series, fxS3.series, fxS4.series, fxS5.series, fxCT.series, fxMR.series}},
		{"/studies/" + fxS1CT.study + "/series", []string{fxS1CT.series, fxS1MR.series}},
		{"/studies/" + fxS1CT.study + "/series?Modality=CT", []string{fxS1CT.series}},
		{"/studies/" + fxS1CT.study + "/series?SeriesNumber=2", []string{fxS1MR.series}},
		{"/studies/" + fxS4.study + "/series?Modality=CT", nil},
		{"/series?Modality=MR", []string{fxS1MR.series, fxS2.series, fxMR.series}},
		{"/series?00080060=CT", []string{fxS1CT.series, fxS5.series, fxCT.series}},
		{"/series?SeriesInstanceUID=" + fxS1CT.series + "," + fxS4.series, []string{fxS1CT.series, fxS4.series}},
		{"/series?SeriesDescription=T*", []string{fxS1MR.series, fxS2.series}},
		{"/series?SeriesDate=20200101-20211231", []string{fxS1CT.series, fxS1MR.series, fxS2.series}},
		// Study keys in a series query (PS3.18 table 10.6.1-5).
		{"/series?PatientName=*smith*", []string{fxS5.series}},
		{"/series?StudyInstanceUID=" + fxS1CT.study, []string{fxS1CT.series, fxS1MR.series}},
		{"/series?StudyDate=20200101-20211231&Modality=MR", []string{fxS1MR.series, fxS2.series}},
	})
}

// TestQidoInstanceMatching queries instances at every scope.
func TestQidoInstanceMatching(t *testing.T) {
	t.Parallel()
	s := qidoServer(t)
	crafted := []string{fxS1CT.instance, fxS1MR.instance, fxS2.instance, fxS3.instance, fxS4.instance, fxS5.instance}
	runQIDO(t, s, tagSOPInstanceUID, []qidoCase{
		{"/instances", append(append([]string{}, crafted...), fxCT.instance, fxMR.instance)},
		{"/studies/" + fxS1CT.study + "/instances", []string{fxS1CT.instance, fxS1MR.instance}},
		{"/studies/" + fxS1CT.study + "/series/" + fxS1MR.series + "/instances", []string{fxS1MR.instance}},
		{"/instances?SOPInstanceUID=" + fxS4.instance, []string{fxS4.instance}},
		{"/instances?SOPInstanceUID=" + fxS4.instance + "," + fxS5.instance, []string{fxS4.instance, fxS5.instance}},
		{"/instances?SOPClassUID=1.2.840.10008.5.1.4.1.1.7", crafted},
		{"/instances?InstanceNumber=1&PatientID=PID-0001", []string{fxS1CT.instance, fxS1MR.instance}},
		{"/instances?Modality=MR", []string{fxS1MR.instance, fxS2.instance, fxMR.instance}},
		{"/studies/" + fxS1CT.study + "/instances?Modality=CT", []string{fxS1CT.instance}},
		{"/studies/" + fxS1CT.study + "/series/" + fxS1CT.series + "/instances?SOPInstanceUID=" + fxS1MR.instance, nil},
	})
}

// TestQidoOHIF sends the requests OHIF's study list sends and checks what
// it reads; empty lists on wildcard queries are a known interop bug of
// other servers.
func TestQidoOHIF(t *testing.T) {
	t.Parallel()
	s := qidoServer(t)
	const list = "/studies?limit=101&offset=0&fuzzymatching=false&includefield=00081030,00080060"
	all := s.qido(t, list)
	if len(all) != 7 {
		t.Fatalf("OHIF study list returned %d studies, want 7", len(all))
	}
	for _, st := range all {
		for _, tag := range []string{tagStudyInstanceUID, tagStudyDate, tagStudyTime, tagAccessionNumber, tagPatientName, tagPatientID, tagStudyRelatedInstances, tagModalitiesInStudy} {
			if !st.has(tag) {
				t.Errorf("study %s lacks %s, which OHIF reads", st.str(tagStudyInstanceUID), tag)
			}
		}
		if st.str(tagStudyInstanceUID) == fxS1CT.study {
			if got := st.str(tagStudyDescription); got != "CT Thorax" {
				t.Errorf("StudyDescription %q, want \"CT Thorax\"", got)
			}
			if got := strings.Join(st.strs(tagModalitiesInStudy), `\`); got != `CT\MR` {
				t.Errorf("ModalitiesInStudy %q, want CT\\MR", got)
			}
			if got := st.str(tagStudyRelatedInstances); got != "2" {
				t.Errorf("NumberOfStudyRelatedInstances %q, want 2", got)
			}
		}
	}
	runQIDO(t, s, tagStudyInstanceUID, []qidoCase{
		{list + "&PatientName=" + esc("*müller*"), []string{fxS1CT.study, fxS2.study}},
		{list + "&PatientName=*jurgen*", []string{fxS3.study}},
		{list + "&00100020=*PID*", []string{fxS1CT.study, fxS2.study, fxS3.study}},
		{list + "&AccessionNumber=*ACC*", []string{fxS1CT.study, fxS2.study, fxS5.study}},
		{list + "&StudyDescription=*Head*", []string{fxS5.study}},
		{list + "&ModalitiesInStudy=CT", []string{fxS1CT.study, fxS5.study, fxCT.study}},
		{list + "&StudyDate=20200101-20221231", []string{fxS1CT.study, fxS2.study, fxS4.study}},
		{list + "&StudyInstanceUID=" + fxS1CT.study + "%5C" + fxS3.study, []string{fxS1CT.study, fxS3.study}},
	})
	series := s.qido(t, "/studies/"+fxS1CT.study+"/series?includefield=00080021,00080031,0008103E,00200011")
	if len(series) != 2 {
		t.Fatalf("OHIF series query returned %d series, want 2", len(series))
	}
	for _, se := range series {
		for _, tag := range []string{"00080021", "00080031", tagSeriesDescription, tagSeriesNumber, tagModality, tagSeriesInstanceUID} {
			if se.str(tag) == "" {
				t.Errorf("series %s: %s is empty or missing", se.str(tagSeriesInstanceUID), tag)
			}
		}
	}
}

// TestQidoEmptyResult: nothing matches is 200 with an empty array.
func TestQidoEmptyResult(t *testing.T) {
	t.Parallel()
	s := qidoServer(t)
	for _, q := range []string{
		"/studies?PatientID=nobody",
		"/series?Modality=XA",
		"/instances?SOPInstanceUID=1.2.3.4",
		"/studies/" + fxS1CT.study + "/series?Modality=US",
	} {
		r := s.get(t, q, "")
		wantStatus(t, r, http.StatusOK, q)
		if body := strings.TrimSpace(string(r.Body)); body != "[]" {
			t.Errorf("%s: body %q, want []", q, body)
		}
		if ct := r.ContentType(); ct != "application/dicom+json" {
			t.Errorf("%s: Content-Type %q, want application/dicom+json", q, ct)
		}
	}
}
