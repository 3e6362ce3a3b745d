package dicomweb

import (
	"net/http/httptest"
	"testing"

	"github.com/pacslite/pacslite/store/index"
)

func TestAcceptableParsesWhatClientsSend(t *testing.T) {
	tests := []struct {
		name   string
		header string
		query  string
		want   []mediaRange
	}{
		{"absent", "", "", []mediaRange{{typ: "*/*", q: 1}}},
		{"quoted type", `multipart/related; type="application/dicom"; transfer-syntax=*`, "",
			[]mediaRange{{typ: "multipart/related", params: map[string]string{"type": "application/dicom", "transfer-syntax": "*"}, q: 1}}},
		{"unquoted type (OHIF omitQuotationForMultipartRequest)", `multipart/related; type=application/octet-stream; transfer-syntax=*`, "",
			[]mediaRange{{typ: "multipart/related", params: map[string]string{"type": "application/octet-stream", "transfer-syntax": "*"}, q: 1}}},
		{"OHIF combined list", `application/dicom+json, multipart/related; type=application/octet-stream`, "",
			[]mediaRange{
				{typ: "application/dicom+json", params: map[string]string{}, q: 1},
				{typ: "multipart/related", params: map[string]string{"type": "application/octet-stream"}, q: 1},
			}},
		{"q-values reorder", `application/dicom+xml;q=0.5, application/dicom+json`, "",
			[]mediaRange{
				{typ: "application/dicom+json", params: map[string]string{}, q: 1},
				{typ: "application/dicom+xml", params: map[string]string{}, q: 0.5},
			}},
		{"q=0 refuses", `application/dicom+xml;q=0`, "", []mediaRange{{typ: "*/*", q: 1}}},
		{"comma inside quotes does not split", `multipart/related; type="application/dicom, x"`, "",
			[]mediaRange{{typ: "multipart/related", params: map[string]string{"type": "application/dicom, x"}, q: 1}}},
		{"accept query parameter wins", `application/dicom+xml`, `accept=application/dicom%2Bjson`,
			[]mediaRange{{typ: "application/dicom+json", params: map[string]string{}, q: 1}}},
		{"garbage entries are dropped", `nonsense, ;;, application/json`, "",
			[]mediaRange{{typ: "application/json", params: map[string]string{}, q: 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/x?"+tt.query, nil)
			if tt.header != "" {
				r.Header.Set("Accept", tt.header)
			}
			got := acceptable(r)
			if len(got) != len(tt.want) {
				t.Fatalf("acceptable(%q) = %+v, want %+v", tt.header, got, tt.want)
			}
			for i := range got {
				g, w := got[i], tt.want[i]
				if g.typ != w.typ || g.q != w.q || len(g.params) != len(w.params) {
					t.Fatalf("acceptable(%q)[%d] = %+v, want %+v", tt.header, i, g, w)
				}
				for k, v := range w.params {
					if g.params[k] != v {
						t.Errorf("acceptable(%q)[%d].params[%s] = %q, want %q", tt.header, i, k, g.params[k], v)
					}
				}
			}
		})
	}
}

func TestNegotiateRetrieve(t *testing.T) {
	implicit := []index.InstanceRef{{TransferSyntaxUID: "1.2.840.10008.1.2"}}
	jpeg := []index.InstanceRef{{TransferSyntaxUID: "1.2.840.10008.1.2.4.50"}}
	mpeg := []index.InstanceRef{{TransferSyntaxUID: "1.2.840.10008.1.2.4.100"}} // no decoder
	tests := []struct {
		name     string
		accept   string
		refs     []index.InstanceRef
		single   bool
		want     retrieval
		wantFail bool
	}{
		{"default converts to explicit LE", "", implicit, false, retrieval{syntax: "1.2.840.10008.1.2.1", multipart: true}, false},
		{"star keeps stored", `multipart/related; type="application/dicom"; transfer-syntax=*`, jpeg, false, retrieval{anySyntax: true, multipart: true}, false},
		{"unquoted type", `multipart/related; type=application/dicom; transfer-syntax=*`, jpeg, false, retrieval{anySyntax: true, multipart: true}, false},
		{"stored syntax named", `multipart/related; type="application/dicom"; transfer-syntax=1.2.840.10008.1.2.4.50`, jpeg, false, retrieval{syntax: "1.2.840.10008.1.2.4.50", multipart: true}, false},
		{"decodable compressed converts", `multipart/related; type="application/dicom"`, jpeg, false, retrieval{syntax: "1.2.840.10008.1.2.1", multipart: true}, false},
		{"compressed cannot be converted", `multipart/related; type="application/dicom"`, mpeg, false, retrieval{}, true},
		{"falls back to the next acceptable range", `multipart/related; type="application/dicom", multipart/related; type="application/dicom"; transfer-syntax=*;q=0.5`, mpeg, false, retrieval{anySyntax: true, multipart: true}, false},
		{"single part for one instance", `application/dicom; transfer-syntax=*`, jpeg, true, retrieval{anySyntax: true}, false},
		{"single part refused for a study", `application/dicom`, implicit, false, retrieval{}, true},
		{"other multipart type", `multipart/related; type="image/jpeg"`, jpeg, false, retrieval{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/x", nil)
			if tt.accept != "" {
				r.Header.Set("Accept", tt.accept)
			}
			got, err := negotiateRetrieve(r, tt.refs, tt.single)
			if (err != nil) != tt.wantFail {
				t.Fatalf("negotiateRetrieve(%q) error = %v, want failure %v", tt.accept, err, tt.wantFail)
			}
			if err == nil && got != tt.want {
				t.Errorf("negotiateRetrieve(%q) = %+v, want %+v", tt.accept, got, tt.want)
			}
			if err != nil {
				if he, ok := err.(*httpError); !ok || he.status != 406 {
					t.Errorf("negotiateRetrieve(%q) error = %v, want a 406", tt.accept, err)
				}
			}
		})
	}
}
