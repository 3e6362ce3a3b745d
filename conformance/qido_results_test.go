package conformance

import (
	"net/http"
	"strings"
	"testing"
)

// TestQidoIncludefield asks for attributes by keyword and tag, comma
// separated and repeated, "all", and attributes the level does not keep
// (read from an instance).
func TestQidoIncludefield(t *testing.T) {
	t.Parallel()
	s := qidoServer(t)
	series := "/studies/" + fxS1CT.study + "/series"
	thickness := map[string]string{fxS1CT.series: "5", fxS1MR.series: "2.5"}
	for _, c := range []struct {
		query string
		want  []string // attributes every result must have with a value
	}{
		{series + "?includefield=SliceThickness", []string{tagSliceThickness}},
		{series + "?includefield=00180050", []string{tagSliceThickness}},
		{series + "?includefield=SliceThickness,ConversionType", []string{tagSliceThickness, "00080064"}},
		{series + "?includefield=SliceThickness&includefield=00080064", []string{tagSliceThickness, "00080064"}},
		{"/studies?StudyInstanceUID=" + fxS1CT.study + "&includefield=PatientSex,PatientBirthDate", []string{"00100040", tagPatientBirthDate}},
		{"/studies?StudyInstanceUID=" + fxS1CT.study + "&includefield=00080201", []string{"00080201"}},
		{"/studies/" + fxS1CT.study + "/instances?includefield=InstanceCreationDate", []string{"00080012"}},
		// Universal matching returns the attribute.
		{"/studies/" + fxS1CT.study + "/instances?InstanceCreationDate=", []string{"00080012"}},
		{"/studies?StudyInstanceUID=" + fxS1CT.study + "&PatientBirthDate=", []string{tagPatientBirthDate}},
		// "all" at the instance level includes the instance's attributes.
		{"/studies/" + fxS1CT.study + "/instances?includefield=all", []string{"00080012", tagSliceThickness, tagRows}},
	} {
		t.Run(c.query, func(t *testing.T) {
			t.Parallel()
			res := s.qido(t, c.query)
			if len(res) == 0 {
				t.Fatal("no results")
			}
			for _, o := range res {
				for _, tag := range c.want {
					if o.str(tag) == "" {
						t.Errorf("result %s%s lacks %s", o.str(tagSeriesInstanceUID), o.str(tagSOPInstanceUID), tag)
					}
				}
				if o.has(tagSliceThickness) && o.str(tagSeriesInstanceUID) != "" {
					if want := thickness[o.str(tagSeriesInstanceUID)]; want != "" && o.str(tagSliceThickness) != want {
						t.Errorf("series %s: SliceThickness %q, want %q", o.str(tagSeriesInstanceUID), o.str(tagSliceThickness), want)
					}
				}
			}
		})
	}
}

// TestQidoRequiredAttributes checks the attributes PS3.18 tables 10.6.3-3
// to -5 require at each level, their values, and that every RetrieveURL is
// absolute and returns what it names.
func TestQidoRequiredAttributes(t *testing.T) {
	t.Parallel()
	s := qidoServer(t)

	studies := s.qido(t, "/studies?StudyInstanceUID="+fxS1CT.study+","+fxS2.study+","+fxMR.study)
	if len(studies) != 3 {
		t.Fatalf("%d studies, want 3", len(studies))
	}
	for _, st := range studies {
		uid := st.str(tagStudyInstanceUID)
		for _, tag := range []string{tagStudyDate, tagStudyTime, tagAccessionNumber, tagRetrieveAvailability, tagModalitiesInStudy,
			"00080090", tagRetrieveURL, tagPatientName, tagPatientID, tagPatientBirthDate, "00100040", tagStudyInstanceUID,
			"00200010", tagStudyRelatedSeries, tagStudyRelatedInstances} {
			if !st.has(tag) {
				t.Errorf("study %s lacks required %s", uid, tag)
			}
		}
		if got, want := st.str(tagRetrieveURL), s.Root+"/studies/"+uid; got != want {
			t.Errorf("study RetrieveURL %q, want %q", got, want)
		}
		if got := st.str(tagRetrieveAvailability); got != "ONLINE" {
			t.Errorf("study %s: InstanceAvailability %q, want ONLINE", uid, got)
		}
		switch uid {
		case fxS1CT.study:
			checkValues(t, st, map[string]string{tagModalitiesInStudy: `CT\MR`, tagStudyRelatedSeries: "2", tagStudyRelatedInstances: "2",
				tagPatientName: "Müller^Jürgen", tagPatientID: "PID-0001", tagStudyDate: "20200115", tagAccessionNumber: "ACC-1001"})
		case fxS2.study:
			checkValues(t, st, map[string]string{tagModalitiesInStudy: "MR", tagStudyRelatedSeries: "1", tagStudyRelatedInstances: "1",
				tagPatientName: "Müller^Jürgen", tagStudyTime: "140000"})
		case fxMR.study:
			checkValues(t, st, map[string]string{tagPatientName: "CompressedSamples^MR1", tagPatientID: "4MR1", "00100040": "F"})
		}
		// Non-ASCII names need the character set to be stated.
		if uid != fxMR.study && !st.has(tagSpecificCharacterSet) {
			t.Errorf("study %s has a non-ASCII name but no SpecificCharacterSet", uid)
		}
	}

	series := s.qido(t, "/studies/"+fxS1CT.study+"/series")
	for _, se := range series {
		uid := se.str(tagSeriesInstanceUID)
		for _, tag := range []string{tagModality, tagSeriesDescription, tagSeriesInstanceUID, tagSeriesNumber, tagSeriesRelatedInstances,
			tagRetrieveURL, tagRetrieveAvailability, "00400244", "00400245"} {
			if !se.has(tag) {
				t.Errorf("series %s lacks required %s", uid, tag)
			}
		}
		if got, want := se.str(tagRetrieveURL), s.Root+"/studies/"+fxS1CT.study+"/series/"+uid; got != want {
			t.Errorf("series RetrieveURL %q, want %q", got, want)
		}
		if got := se.str(tagSeriesRelatedInstances); got != "1" {
			t.Errorf("series %s: NumberOfSeriesRelatedInstances %q, want 1", uid, got)
		}
	}
	checkRetrieveURLs(t, s, series, 1)

	instances := s.qido(t, "/studies/"+fxS1CT.study+"/series/"+fxS1CT.series+"/instances")
	if len(instances) != 1 {
		t.Fatalf("%d instances, want 1", len(instances))
	}
	in := instances[0]
	for _, tag := range []string{tagSOPClassUID, tagSOPInstanceUID, tagInstanceNumber, tagRetrieveURL, tagRetrieveAvailability, tagRows, tagColumns, "00280100"} {
		if !in.has(tag) {
			t.Errorf("instance lacks required %s", tag)
		}
	}
	checkValues(t, in, map[string]string{tagSOPClassUID: "1.2.840.10008.5.1.4.1.1.7", tagSOPInstanceUID: fxS1CT.instance,
		tagInstanceNumber: "1", tagRows: "32", tagColumns: "32", "00280100": "8",
		tagRetrieveURL: s.Root + "/studies/" + fxS1CT.study + "/series/" + fxS1CT.series + "/instances/" + fxS1CT.instance})
	checkRetrieveURLs(t, s, instances, 1)
	checkRetrieveURLs(t, s, s.qido(t, "/studies?StudyInstanceUID="+fxS1CT.study), 2)
}

// checkValues compares attributes with their expected text values (multiple
// values joined with a backslash).
func checkValues(t *testing.T, o dcmObject, want map[string]string) {
	t.Helper()
	for tag, w := range want {
		if got := strings.Join(o.strs(tag), `\`); got != w {
			t.Errorf("%s = %q, want %q", tag, got, w)
		}
	}
}

// checkRetrieveURLs fetches each result's RetrieveURL and counts the
// instances returned.
func checkRetrieveURLs(t *testing.T, s *server, objs []dcmObject, want int) {
	t.Helper()
	for _, o := range objs {
		u := o.str(tagRetrieveURL)
		if !strings.HasPrefix(u, s.Root+"/studies/") {
			t.Errorf("RetrieveURL %q is not an absolute URL under %s", u, s.Root)
			continue
		}
		r := s.get(t, u, acceptDICOMAny)
		wantStatus(t, r, http.StatusOK, "GET "+u)
		if n := len(readParts(t, r, "application/dicom")); n != want {
			t.Errorf("%s returned %d instances, want %d", u, n, want)
		}
	}
}

// TestQidoBadRequests: unknown attributes and malformed values are 400
// with a reason naming them.
func TestQidoBadRequests(t *testing.T) {
	t.Parallel()
	s := qidoServer(t)
	for _, c := range []struct{ query, names string }{
		{"/studies?FooBar=1", "FooBar"},
		{"/studies?0010XXXX=1", "0010XXXX"},
		{"/studies?includefield=NotAnAttribute", "NotAnAttribute"},
		{"/series?includefield=00180050,Bogus", "Bogus"},
		{"/studies?StudyDate=2020-01-01", "StudyDate"},
		{"/studies?StudyDate=abcdefgh", "StudyDate"},
		{"/studies?StudyDate=2020011", "StudyDate"},
		{"/studies?StudyDate=20201301", "StudyDate"},
		{"/studies?StudyDate=20200230-", "StudyDate"},
		{"/studies?00080020=2020*", "00080020"},
		{"/studies?StudyTime=256000", "StudyTime"},
		{"/studies?StudyTime=10h30", "StudyTime"},
		{"/studies?StudyInstanceUID=1.2.abc", "StudyInstanceUID"},
		{"/instances?InstanceNumber=one", "InstanceNumber"},
		{"/studies?limit=-1", "limit"},
		{"/studies?limit=ten", "limit"},
		{"/studies?offset=-5", "offset"},
		{"/studies?fuzzymatching=maybe", "fuzzymatching"},
	} {
		t.Run(c.query, func(t *testing.T) {
			t.Parallel()
			r := s.get(t, c.query, "")
			wantRefusal(t, r, http.StatusBadRequest, "QIDO "+c.query)
			if !strings.Contains(string(r.Body), c.names) {
				t.Errorf("reason %.200q does not name %s", r.Body, c.names)
			}
		})
	}
}

// TestQidoXML asks for results as multipart/related; type=application/dicom+xml.
func TestQidoXML(t *testing.T) {
	t.Parallel()
	s := qidoServer(t)
	for _, accept := range []string{acceptXMLParts, "multipart/related; type=application/dicom+xml"} {
		r := s.get(t, "/studies?PatientID=PID-0001", accept)
		wantStatus(t, r, http.StatusOK, "QIDO as XML")
		parts := readParts(t, r, "application/dicom+xml")
		if len(parts) != 1 {
			t.Fatalf("%d parts, want 1", len(parts))
		}
		if mt := strings.TrimSpace(strings.Split(parts[0].ContentType, ";")[0]); mt != "application/dicom+xml" {
			t.Errorf("part Content-Type %q, want application/dicom+xml", parts[0].ContentType)
		}
		m := decodeXML(t, parts[0].Body)
		if got := xmlText(m.Attrs, tagStudyInstanceUID); got != fxS1CT.study {
			t.Errorf("StudyInstanceUID %q, want %q", got, fxS1CT.study)
		}
		pn, ok := findXML(m.Attrs, tagPatientName)
		if !ok || len(pn.PersonNames) != 1 || pn.PersonNames[0].Alphabetic == nil {
			t.Fatalf("PatientName %+v, want one PersonName with an Alphabetic group", pn)
		}
		if a := pn.PersonNames[0].Alphabetic; a.FamilyName != "Müller" || a.GivenName != "Jürgen" {
			t.Errorf("PatientName family %q given %q, want Müller and Jürgen", a.FamilyName, a.GivenName)
		}
	}
	r := s.get(t, "/studies", acceptXMLParts)
	wantStatus(t, r, http.StatusOK, "all studies as XML")
	if n := len(readParts(t, r, "application/dicom+xml")); n != 7 {
		t.Errorf("%d XML parts, want 7", n)
	}
	if r := s.get(t, "/studies", "image/png"); r.Status != http.StatusNotAcceptable {
		t.Errorf("QIDO with Accept image/png: status %d, want 406", r.Status)
	}
}
