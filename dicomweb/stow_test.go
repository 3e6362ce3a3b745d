package dicomweb

import (
	"bytes"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pacslite/pacslite/dicomweb/dicomjson"
)

func TestStoreStatusAndReasons(t *testing.T) {
	h := newTestHandler(t)
	good := dicomPart(t, "pydicom/CT_small.dcm")
	corrupt := part{"application/dicom", []byte("this is not DICOM at all, just text pretending")}
	truncated := dicomPart(t, "pydicom/MR_truncated.dcm")
	tests := []struct {
		name       string
		path       string
		parts      []part
		wantStatus int
		wantStored int
		wantFailed map[string]int // failure reason -> count
	}{
		{"all stored", "/dicomweb/studies", []part{good}, 200, 1, nil},
		{"one corrupt part among good ones", "/dicomweb/studies", []part{good, corrupt, dicomPart(t, "pydicom/MR_small.dcm")}, 202, 2, map[string]int{"49152": 1}},
		{"none stored", "/dicomweb/studies", []part{corrupt, truncated}, 409, 0, map[string]int{"49152": 2}},
		{"study in path does not match", "/dicomweb/studies/1.2.3.4", []part{good}, 409, 0, map[string]int{"43264": 1}},
		{"part of another media type", "/dicomweb/studies", []part{{"application/pdf", []byte("%PDF-1.4")}, good}, 202, 1, map[string]int{"49152": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, ct := stowBody(tt.parts...)
			r := httptest.NewRequest("POST", tt.path, bytes.NewReader(body))
			r.Header.Set("Content-Type", ct)
			w := serve(h, r)
			if w.Code != tt.wantStatus {
				t.Fatalf("POST %s status = %d, want %d; body %s", tt.path, w.Code, tt.wantStatus, w.Body)
			}
			if ct := w.Header().Get("Content-Type"); ct != "application/dicom+json" {
				t.Errorf("Content-Type = %q, want application/dicom+json", ct)
			}
			var resp dicomjson.Object
			if err := resp.UnmarshalJSON(w.Body.Bytes()); err != nil {
				t.Fatalf("response is not one DICOM JSON object: %v\n%s", err, w.Body)
			}
			stored, _ := resp.Get(0x00081199)
			if len(stored.Values) != tt.wantStored {
				t.Errorf("ReferencedSOPSequence has %d items, want %d", len(stored.Values), tt.wantStored)
			}
			for _, it := range stored.Values {
				item := it.(dicomjson.Object)
				if u := item.String(0x00081190); !strings.HasPrefix(u, "http://example.com/dicomweb/studies/") || !strings.Contains(u, "/instances/"+item.String(0x00081155)) {
					t.Errorf("instance RetrieveURL = %q, want an absolute URL of the instance", u)
				}
			}
			failed, _ := resp.Get(0x00081198)
			got := map[string]int{}
			for _, it := range failed.Values {
				got[it.(dicomjson.Object).String(0x00081197)]++
			}
			if len(got) != len(tt.wantFailed) {
				t.Errorf("failure reasons = %v, want %v", got, tt.wantFailed)
			}
			for k, n := range tt.wantFailed {
				if got[k] != n {
					t.Errorf("failure reasons = %v, want %v", got, tt.wantFailed)
				}
			}
		})
	}
}

func TestStoreRefusesBadRequests(t *testing.T) {
	h := newTestHandler(t)
	body, ct := stowBody(dicomPart(t, "pydicom/CT_small.dcm"))
	tests := []struct {
		name        string
		path        string
		contentType string
		body        []byte
		want        int
	}{
		{"not multipart", "/dicomweb/studies", "application/dicom", body, 415},
		{"multipart of JSON", "/dicomweb/studies", `multipart/related; type="application/dicom+json"; boundary=x`, body, 415},
		{"no boundary", "/dicomweb/studies", `multipart/related; type="application/dicom"`, body, 400},
		{"wrong boundary", "/dicomweb/studies", `multipart/related; type="application/dicom"; boundary=nope`, body, 400},
		{"empty body", "/dicomweb/studies", ct, nil, 400},
		{"malformed study UID in path", "/dicomweb/studies/1.2.x", ct, body, 400},
		{"no content type", "/dicomweb/studies", "", body, 415},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", tt.path, bytes.NewReader(tt.body))
			if tt.contentType != "" {
				r.Header.Set("Content-Type", tt.contentType)
			}
			w := serve(h, r)
			if w.Code != tt.want {
				t.Fatalf("status = %d, want %d; body %s", w.Code, tt.want, w.Body)
			}
			if w.Header().Get("Warning") == "" || w.Body.Len() == 0 {
				t.Errorf("refusal has no Warning header or no reason in the body")
			}
		})
	}
}

// FuzzSTOWMultipart sends arbitrary bodies to STOW-RS: the answer is always
// a 2xx/4xx with a reason, never a 5xx or a panic.
func FuzzSTOWMultipart(f *testing.F) {
	good, ct := stowBody(dicomPart(f, "pydicom/MR_small.dcm"))
	boundary := ct[strings.Index(ct, "boundary=")+len("boundary="):]
	f.Add(good, boundary)
	f.Add([]byte("--b\r\nContent-Type: application/dicom\r\n\r\nDICM\r\n--b--\r\n"), "b")
	f.Add(good[:len(good)/2], boundary)
	h := newTestHandler(f)
	f.Fuzz(func(t *testing.T, body []byte, boundary string) {
		r := httptest.NewRequest("POST", "/dicomweb/studies", bytes.NewReader(body))
		r.Header.Set("Content-Type", `multipart/related; type="application/dicom"; boundary="`+strings.ReplaceAll(boundary, `"`, "")+`"`)
		w := serve(h, r)
		if w.Code >= 500 {
			t.Fatalf("status %d for a hostile body: %s", w.Code, w.Body)
		}
	})
}
