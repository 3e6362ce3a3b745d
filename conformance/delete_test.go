package conformance

import (
	"bytes"
	"net/http"
	"os"
	"testing"
)

// TestDelete removes an instance, a series and a study, and checks that
// searches, metadata and retrieve no longer see them, that counts of what
// remains are updated and that their files are gone.
func TestDelete(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ct, mr := corpusFile("crafted/muller_utf8_ct.dcm"), corpusFile("crafted/muller_utf8_mr.dcm")
	third := ct.instance[:len(ct.instance)-1] + "7" // a second instance in the CT series
	other, keep := corpusFile("crafted/muller_latin1.dcm"), corpusFile("pydicom/CT_small.dcm")
	s.stowFiles(t, ct.path, mr.path, other.path, keep.path)
	s.stowBytes(t, patchUID(t, readTestdata(t, ct.path), ct.instance, third))
	if n := len(blobFiles(t, s.DataDir)); n != 5 {
		t.Fatalf("%d blob files for 5 instances", n)
	}
	del := func(path string) *response {
		t.Helper()
		return s.request(t, http.MethodDelete, path, nil)
	}
	gone := func(what, path string) {
		t.Helper()
		if r := s.get(t, path, acceptDICOMAny); r.Status != http.StatusNotFound {
			t.Errorf("%s: retrieve %s: status %d, want 404", what, path, r.Status)
		}
		if r := s.get(t, path+"/metadata", acceptDICOMJSON); r.Status != http.StatusNotFound {
			t.Errorf("%s: metadata %s: status %d, want 404", what, path, r.Status)
		}
	}
	study := func() dcmObject {
		t.Helper()
		res := s.qido(t, "/studies?StudyInstanceUID="+ct.study)
		if len(res) != 1 {
			t.Fatalf("QIDO finds %d studies %s, want 1", len(res), ct.study)
		}
		return res[0]
	}

	// An instance: the series and study keep the rest.
	mrPath := "/studies/" + ct.study + "/series/" + mr.series + "/instances/" + mr.instance
	if r := del(mrPath); r.Status != http.StatusNoContent {
		t.Fatalf("DELETE instance: status %d, want 204; %.200q", r.Status, r.Body)
	}
	gone("deleted instance", mrPath)
	gone("series of the deleted instance", "/studies/"+ct.study+"/series/"+mr.series)
	if n := len(s.qido(t, "/instances?SOPInstanceUID="+mr.instance)); n != 0 {
		t.Errorf("QIDO still finds the deleted instance")
	}
	checkValues(t, study(), map[string]string{tagStudyRelatedInstances: "2", tagStudyRelatedSeries: "1", tagModalitiesInStudy: "CT"})
	if n := len(blobFiles(t, s.DataDir)); n != 4 {
		t.Errorf("%d blob files after deleting one of 5 instances, want 4", n)
	}

	// A series: its study, now empty, is gone too.
	seriesPath := "/studies/" + ct.study + "/series/" + ct.series
	if r := del(seriesPath); r.Status != http.StatusNoContent {
		t.Fatalf("DELETE series: status %d, want 204; %.200q", r.Status, r.Body)
	}
	gone("deleted series", seriesPath)
	gone("instance of the deleted series", seriesPath+"/instances/"+third)
	if n := len(s.qido(t, "/studies/"+ct.study+"/instances")); n != 0 {
		t.Errorf("QIDO finds %d instances of the deleted series' study", n)
	}
	if n := len(s.qido(t, "/studies?StudyInstanceUID="+ct.study)); n != 0 {
		t.Errorf("QIDO still lists the study whose only series was deleted")
	}
	if n := len(blobFiles(t, s.DataDir)); n != 2 {
		t.Errorf("%d blob files after deleting the series, want 2", n)
	}

	// A study.
	before := blobFiles(t, s.DataDir)
	studyPath := "/studies/" + other.study
	if r := del(studyPath); r.Status != http.StatusNoContent {
		t.Fatalf("DELETE study: status %d, want 204; %.200q", r.Status, r.Body)
	}
	gone("deleted study", studyPath)
	if n := len(s.qido(t, "/studies?PatientID=PID-0002")); n != 0 {
		t.Errorf("QIDO still finds the deleted study")
	}
	after := blobFiles(t, s.DataDir)
	if len(after) != 1 {
		t.Fatalf("blob files after deleting the study: %q, want only CT_small's", after)
	}
	for _, b := range before {
		if b != after[0] {
			if _, err := os.Stat(b); err == nil {
				t.Errorf("blob %s of the deleted study is still there", b)
			}
		}
	}

	// Deleting again, or what never existed, is 404; malformed UIDs 400.
	wantRefusal(t, del(studyPath), http.StatusNotFound, "DELETE deleted study")
	wantRefusal(t, del("/studies/1.2.3.4.5"), http.StatusNotFound, "DELETE unknown study")
	wantRefusal(t, del("/studies/"+keep.study+"/series/1.2.3"), http.StatusNotFound, "DELETE unknown series")
	wantRefusal(t, del("/studies/not-a-uid"), http.StatusBadRequest, "DELETE malformed study UID")
	wantRefusal(t, del("/studies/"+keep.study+"/series/..%2F.."), http.StatusBadRequest, "DELETE traversal in series UID")

	// What was not deleted is intact.
	r := s.get(t, "/studies/"+keep.study+"/series/"+keep.series+"/instances/"+keep.instance, acceptDICOMAny)
	wantStatus(t, r, http.StatusOK, "retrieve the instance kept")
	if parts := readParts(t, r, "application/dicom"); len(parts) != 1 || !bytes.Equal(parts[0].Body, readTestdata(t, keep.path)) {
		t.Errorf("the instance kept did not come back intact")
	}
	if n := len(s.qido(t, "/studies")); n != 1 {
		t.Errorf("QIDO lists %d studies, want the one kept", n)
	}
}
