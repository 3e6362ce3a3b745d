package dicomweb

import (
	"encoding/json"
	"encoding/xml"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/gorilla/mux"

	"github.com/pacslite/pacslite/dicomweb/dataset"
	"github.com/pacslite/pacslite/dicomweb/pixels/codec"
	"github.com/pacslite/pacslite/store/index"
)

// testCapabilities builds the capabilities of a handler's router.
func testCapabilities(t *testing.T) (*capabilities, *mux.Router) {
	t.Helper()
	h := newTestHandler(t)
	r := h.newRouter().(*mux.Router)
	return newCapabilities(h, r), r
}

// TestCapabilitiesDescribeEveryRoute: every registered path and method is
// in the description, as a standard (or named pacslite) transaction.
func TestCapabilitiesDescribeEveryRoute(t *testing.T) {
	c, r := testCapabilities(t)
	tree, _ := c.model()
	n := 0
	r.Walk(func(route *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		tpl, err := route.GetPathTemplate()
		if err != nil {
			return nil
		}
		methods, _ := route.GetMethods()
		segs := templateSegments(strings.TrimPrefix(tpl, "/dicomweb"))
		node := tree
		for _, s := range segs {
			i := slices.IndexFunc(node.Resource, func(c *wadlResource) bool { return c.Path == s })
			if i < 0 {
				t.Errorf("route %s: no resource %q in the description", tpl, s)
				return nil
			}
			node = node.Resource[i]
		}
		for _, m := range methods {
			n++
			i := slices.IndexFunc(node.Method, func(d *wadlMethod) bool { return d.Name == m })
			switch {
			case i < 0:
				t.Errorf("%s %s is not in the description", m, tpl)
			case m != http.MethodHead && node.Method[i].ID == "":
				t.Errorf("%s %s is described without a transaction: %+v", m, tpl, node.Method[i].Doc)
			}
		}
		return nil
	})
	if n < 40 {
		t.Errorf("walked %d route methods, want the whole DICOMweb surface (40 or more)", n)
	}
	ids := map[string]bool{}
	var collect func(*wadlResource)
	collect = func(r *wadlResource) {
		for _, m := range r.Method {
			if m.ID != "" && ids[m.ID] {
				t.Errorf("transaction id %s is used twice", m.ID)
			}
			ids[m.ID] = true
		}
		for _, c := range r.Resource {
			collect(c)
		}
	}
	collect(tree)
	for _, id := range []string{"SearchForStudies", "SearchForStudySeriesInstances", "StoreInstances", "StoreStudyInstances",
		"RetrieveInstance", "RetrieveSeriesMetadata", "RetrieveRenderedFrames", "RetrieveStudyThumbnail", "RetrieveFrames", "RetrieveBulkdata", "DeleteSeries"} {
		if !ids[id] {
			t.Errorf("no transaction %s", id)
		}
	}
}

// TestCapabilitiesSyntaxes: the transfer syntaxes said to be decoded are
// exactly the ones the decoder reports, the converted ones those Transcode
// handles.
func TestCapabilitiesSyntaxes(t *testing.T) {
	c, _ := testCapabilities(t)
	tree, tables := c.model()
	if diff := cmp.Diff(codec.Syntaxes(), tables.decodable); diff != "" {
		t.Errorf("decodable syntaxes differ from codec.Syntaxes() (-codec +capabilities):\n%s", diff)
	}
	if diff := cmp.Diff(slices.Sorted(maps.Keys(convertible)), tables.native); diff != "" {
		t.Errorf("converted syntaxes differ (-convertible +capabilities):\n%s", diff)
	}
	for _, path := range [][]string{{"studies", "{StudyInstanceUID}"}, {"studies", "{StudyInstanceUID}", "series", "{SeriesInstanceUID}", "instances", "{SOPInstanceUID}", "frames", "{FrameList}"}} {
		node := tree.descend(path)
		got, ok := docText(node.Method[0].Doc, docDecoded)
		if want := strings.Join(codec.Syntaxes(), " "); !ok || got != want {
			t.Errorf("%s: decoded syntaxes %q, want %q", strings.Join(path, "/"), got, want)
		}
	}
	for _, row := range tables.syntaxRows() {
		if row.UID != "any other" && row.Name == "" {
			t.Errorf("transfer syntax %s has no name", row.UID)
		}
	}
}

// TestCapabilitiesKeys: the matching keys listed are the index's.
func TestCapabilitiesKeys(t *testing.T) {
	tables := newCapabilityTables()
	for _, level := range []index.Level{index.StudyLevel, index.SeriesLevel, index.InstanceLevel} {
		for _, set := range []map[uint32]bool{studyLevelTags, seriesLevelTags, instanceLevelTags, {0x00080061: true}} {
			for tag := range set {
				if got := slices.Contains(tables.keys[level], tag); got != index.Supports(level, tag) {
					t.Errorf("level %d: key %08X listed %v, index.Supports says %v", level, tag, got, !got)
				}
			}
		}
	}
	if !slices.Contains(tables.keys[index.StudyLevel], 0x00100010) || slices.Contains(tables.keys[index.StudyLevel], 0x00080060) {
		t.Errorf("study-level keys %X: want PatientName, not Modality", tables.keys[index.StudyLevel])
	}
}

// acceptOf makes a request with an Accept header.
func acceptOf(accept string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Accept", accept)
	return r
}

// TestCapabilitiesAcceptOptions: every Accept value the description
// offers is one the transaction's own negotiation accepts.
func TestCapabilitiesAcceptOptions(t *testing.T) {
	c, _ := testCapabilities(t)
	tree, tables := c.model()
	stored := append(slices.Clone(tables.native), slices.Collect(maps.Keys(tables.frameType))...)
	var check func(*wadlResource)
	check = func(n *wadlResource) {
		for _, m := range n.Method {
			if m.Request == nil {
				continue
			}
			for _, p := range m.Request.Param {
				if p.Name != "Accept" {
					continue
				}
				for _, o := range p.Option {
					if err := acceptedBy(m.ID, o.Value, stored, tables); err != "" {
						t.Errorf("%s offers Accept %q: %s", m.ID, o.Value, err)
					}
				}
			}
		}
		for _, c := range n.Resource {
			check(c)
		}
	}
	check(tree)
}

func acceptedBy(id, accept string, stored []string, tables *capabilityTables) string {
	r := acceptOf(accept)
	mr := acceptable(r)[0]
	want := mr.params["transfer-syntax"]
	single := mr.typ != "multipart/related"
	switch {
	case strings.HasPrefix(id, "SearchFor"):
		if _, err := negotiateSearchResponse(r); err != nil {
			return err.Error()
		}
	case strings.HasPrefix(id, "Store"):
		if _, err := negotiateStowResponse(r); err != nil {
			return err.Error()
		}
	case strings.HasSuffix(id, "Metadata"):
		if _, err := negotiateMetadata(r); err != nil {
			return err.Error()
		}
	case strings.HasPrefix(id, "RetrieveRendered"), strings.HasSuffix(id, "Thumbnail"):
		if slices.Contains(slices.Collect(maps.Values(videoTypes)), accept) {
			return ""
		}
		if mt, err := negotiateImage(r); err != nil || mt != accept {
			return "negotiated " + mt
		}
	case id == "RetrieveFrames":
		for _, ts := range stored {
			applies := want == "*" || (want == "" || want == dataset.ExplicitVRLittleEndian) && (isNative(ts) || slices.Contains(tables.decodable, ts)) || want == ts
			if !applies {
				continue
			}
			form, err := negotiateFrames(r, ts, single)
			if err != nil {
				return ts + ": " + err.Error()
			}
			if want == ts && form.syntax != ts {
				return ts + ": frames go out as " + form.syntax
			}
		}
	case strings.HasPrefix(id, "Retrieve") && id != "RetrieveBulkdata":
		for _, ts := range append(stored, "1.2.840.10008.1.2.4.100") {
			if want != "*" && !isNative(ts) && !slices.Contains(tables.decodable, ts) {
				continue
			}
			if _, err := negotiateRetrieve(r, []index.InstanceRef{{TransferSyntaxUID: ts}}, true); err != nil {
				return ts + ": " + err.Error()
			}
		}
	}
	return ""
}

// TestCapabilitiesHTTP: the transaction over HTTP, and the CORS preflight
// still answered as one.
func TestCapabilitiesHTTP(t *testing.T) {
	h := newTestHandler(t)
	h.opts.AllowedOrigins = []string{"*"}
	options := func(path, accept string, hdr ...string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodOptions, path, nil)
		if accept != "" {
			r.Header.Set("Accept", accept)
		}
		for i := 0; i+1 < len(hdr); i += 2 {
			r.Header.Set(hdr[i], hdr[i+1])
		}
		return serve(h, r)
	}

	w := options("/dicomweb/", "")
	var app wadlApplication
	if w.Code != http.StatusOK || w.Header().Get("Content-Type") != mtWADL || xml.Unmarshal(w.Body.Bytes(), &app) != nil {
		t.Fatalf("OPTIONS /dicomweb/ = %d %q, want 200 WADL: %.300s", w.Code, w.Header().Get("Content-Type"), w.Body)
	}
	if got := app.Resources.Base; got != "http://example.com/dicomweb/" {
		t.Errorf("resources base = %q, want http://example.com/dicomweb/", got)
	}
	if got := w.Header().Get("Allow"); got != "GET, HEAD, OPTIONS" {
		t.Errorf("Allow of the root = %q, want GET, HEAD, OPTIONS", got)
	}

	w = options("/dicomweb/studies/1.2.3/series/4.5/instances/6.7/frames/1,2", "application/json")
	var doc struct{ Application wadlApplication }
	if w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &doc) != nil || len(doc.Application.Resources.Resource) != 1 {
		t.Fatalf("OPTIONS frames (JSON) = %d: %.300s", w.Code, w.Body)
	}
	target := doc.Application.Resources.Resource[0]
	if target.Path != "studies/1.2.3/series/4.5/instances/6.7/frames/1,2" || len(target.Method) != 2 || target.Method[0].ID != "RetrieveFrames" ||
		len(target.Resource) != 1 || target.Resource[0].Path != "rendered" {
		t.Errorf("frames target = %q with %d methods and %d children, want the frames resource with rendered below", target.Path, len(target.Method), len(target.Resource))
	}
	if got := w.Header().Get("Allow"); got != "GET, HEAD, OPTIONS" {
		t.Errorf("Allow of frames = %q", got)
	}
	if got := options("/dicomweb/studies/1.2.3", "").Header().Get("Allow"); got != "GET, HEAD, POST, DELETE, OPTIONS" {
		t.Errorf("Allow of a study = %q, want GET, HEAD, POST, DELETE, OPTIONS", got)
	}
	if got := options("/dicomweb/studies/1/series/2/instances/3/bulk/7FE00010/0/00091001", "").Code; got != http.StatusOK {
		t.Errorf("OPTIONS on a nested bulk data path = %d, want 200", got)
	}
	if got := options("/dicomweb/patients", "").Code; got != http.StatusNotFound {
		t.Errorf("OPTIONS on an unknown resource = %d, want 404", got)
	}
	if got := options("/dicomweb/", "image/png").Code; got != http.StatusNotAcceptable {
		t.Errorf("OPTIONS asking image/png = %d, want 406", got)
	}

	// A preflight is not a Capabilities request.
	w = options("/dicomweb/studies", "", "Origin", "http://viewer.example", "Access-Control-Request-Method", "GET",
		"Access-Control-Request-Headers", "authorization")
	if w.Code != http.StatusNoContent || w.Body.Len() != 0 || w.Header().Get("Access-Control-Allow-Methods") == "" {
		t.Errorf("preflight = %d %q with %d bytes, want 204 with CORS headers and no body", w.Code, w.Header().Get("Content-Type"), w.Body.Len())
	}

	// The conformance page.
	r := httptest.NewRequest(http.MethodGet, "/dicomweb/", nil)
	r.Header.Set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
	w = serve(h, r)
	page := w.Body.String()
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("GET /dicomweb/ = %d %q, want the HTML page", w.Code, w.Header().Get("Content-Type"))
	}
	for _, want := range append([]string{"SearchForStudies", "RetrieveFrames", "PatientName (00100010, PN)", "RLE Lossless"}, codec.Syntaxes()...) {
		if !strings.Contains(page, want) {
			t.Errorf("conformance page lacks %q", want)
		}
	}
}
