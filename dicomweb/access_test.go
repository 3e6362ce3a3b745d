package dicomweb

import (
	"bytes"
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pacslite/pacslite/dicomweb/dicomjson"
)

const (
	ctStudy = "1.3.6.1.4.1.5962.1.2.1.20040119072730.12322"
	mrStudy = "1.3.6.1.4.1.5962.1.2.4.20040826185059.5457"
)

func storeAs(t *testing.T, h *Handler, a *Access, files ...string) *httptest.ResponseRecorder {
	t.Helper()
	var parts []part
	for _, f := range files {
		parts = append(parts, dicomPart(t, f))
	}
	body, ct := stowBody(parts...)
	r := httptest.NewRequest("POST", "/dicomweb/studies", bytes.NewReader(body))
	r.Header.Set("Content-Type", ct)
	if a != nil {
		r = r.WithContext(WithAccess(r.Context(), a))
	}
	return serve(h, r)
}

func getAs(h *Handler, a *Access, path string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("GET", path, nil)
	if a != nil {
		r = r.WithContext(WithAccess(r.Context(), a))
	}
	return serve(h, r)
}

func TestAccessLimitsWhatARequestSees(t *testing.T) {
	h := newTestHandler(t)
	if w := storeAs(t, h, nil, "pydicom/CT_small.dcm", "pydicom/MR_small.dcm"); w.Code != 200 {
		t.Fatalf("store = %d %s", w.Code, w.Body)
	}
	onlyCT := &Access{Studies: map[string]bool{ctStudy: true}, ReadOnly: true}

	w := getAs(h, onlyCT, "/dicomweb/studies")
	objs, err := dicomjson.DecodeArray(w.Body)
	if err != nil || len(objs) != 1 || objs[0].String(0x0020000D) != ctStudy {
		t.Fatalf("QIDO with access to one study = %d objects (%v), want only %s", len(objs), err, ctStudy)
	}
	w = getAs(h, onlyCT, "/dicomweb/studies?StudyInstanceUID="+mrStudy)
	if strings.TrimSpace(w.Body.String()) != "[]" {
		t.Errorf("QIDO for a study outside the access = %s, want []", w.Body)
	}
	w = getAs(h, onlyCT, "/dicomweb/instances")
	if objs, _ := dicomjson.DecodeArray(w.Body); len(objs) != 1 {
		t.Errorf("instance QIDO with access to one study = %d objects, want 1", len(objs))
	}
	for _, path := range []string{"/dicomweb/studies/" + mrStudy, "/dicomweb/studies/" + mrStudy + "/metadata", "/dicomweb/studies/" + mrStudy + "/series"} {
		if w := getAs(h, onlyCT, path); w.Code != 404 {
			t.Errorf("GET %s outside the access = %d, want 404", path, w.Code)
		}
	}
	if w := getAs(h, onlyCT, "/dicomweb/studies/"+ctStudy+"/metadata"); w.Code != 200 {
		t.Errorf("GET metadata inside the access = %d, want 200", w.Code)
	}
	if w := getAs(h, &Access{Studies: map[string]bool{}}, "/dicomweb/studies"); strings.TrimSpace(w.Body.String()) != "[]" {
		t.Errorf("QIDO with access to no study = %s, want []", w.Body)
	}

	if w := storeAs(t, h, onlyCT, "pydicom/CT_small.dcm"); w.Code != 403 {
		t.Errorf("STOW with read-only access = %d, want 403", w.Code)
	}
	r := httptest.NewRequest("DELETE", "/dicomweb/studies/"+ctStudy, nil)
	r = r.WithContext(WithAccess(r.Context(), &Access{Studies: map[string]bool{ctStudy: true}}))
	if w := serve(h, r); w.Code != 403 {
		t.Errorf("DELETE without CanDelete = %d, want 403", w.Code)
	}
}

func TestAccessStoreIntoOwnAndForeignStudies(t *testing.T) {
	h := newTestHandler(t)
	if w := storeAs(t, h, nil, "pydicom/MR_small.dcm"); w.Code != 200 {
		t.Fatalf("store = %d", w.Code)
	}
	var stored []string
	patient := &Access{Studies: map[string]bool{}, Stored: func(_ context.Context, study, _, _ string) {
		stored = append(stored, study)
	}}
	// A new study is accepted and reported; an existing foreign one refused.
	w := storeAs(t, h, patient, "pydicom/CT_small.dcm", "pydicom/MR_small_implicit.dcm")
	if w.Code != 202 {
		t.Fatalf("STOW of a new and a foreign study = %d, want 202; %s", w.Code, w.Body)
	}
	var resp dicomjson.Object
	if err := resp.UnmarshalJSON(w.Body.Bytes()); err != nil {
		t.Fatal(err)
	}
	failed, _ := resp.Get(0x00081198)
	if len(failed.Values) != 1 || failed.Values[0].(dicomjson.Object).String(0x00081197) != "292" {
		t.Errorf("failed items = %v, want one with reason 0x0124 (292)", failed.Values)
	}
	if len(stored) != 1 || stored[0] != ctStudy || !patient.Studies[ctStudy] {
		t.Errorf("Stored calls = %v, Studies = %v; want the CT study once", stored, patient.Studies)
	}
}
