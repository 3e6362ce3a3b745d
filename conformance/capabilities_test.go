package conformance

import (
	"encoding/json"
	"encoding/xml"
	"mime"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// The Capabilities Description as the tests read it: WADL (PS3.18 Annex H)
// decoded with the tests' own types.
type capsApp struct {
	XMLName   xml.Name `xml:"http://wadl.dev.java.net/2009/02 application" json:"-"`
	Resources struct {
		Base     string         `xml:"base,attr" json:"base"`
		Resource []capsResource `xml:"resource" json:"resource"`
	} `xml:"resources" json:"resources"`
}

type capsResource struct {
	Path     string         `xml:"path,attr" json:"path"`
	Method   []capsMethod   `xml:"method" json:"method"`
	Resource []capsResource `xml:"resource" json:"resource"`
}

type capsMethod struct {
	Name string    `xml:"name,attr" json:"name"`
	ID   string    `xml:"id,attr" json:"id"`
	Doc  []capsDoc `xml:"doc" json:"doc"`
	// Request params; the JSON form nests them the same way.
	Request struct {
		Param []struct {
			Name    string `xml:"name,attr" json:"name"`
			Style   string `xml:"style,attr" json:"style"`
			Default string `xml:"default,attr" json:"default"`
			Option  []struct {
				Value string `xml:"value,attr" json:"value"`
			} `xml:"option" json:"option"`
		} `xml:"param" json:"param"`
	} `xml:"request" json:"request"`
}

type capsDoc struct {
	Title string `xml:"title,attr" json:"title"`
	Text  string `xml:",chardata" json:"text"`
}

// capsEndpoint is one resource and method of the description.
type capsEndpoint struct {
	path   string // relative to the service root, with {templates}
	method capsMethod
}

// endpoints flattens the resource tree.
func (a capsApp) endpoints() []capsEndpoint {
	var out []capsEndpoint
	var walk func(prefix string, rs []capsResource)
	walk = func(prefix string, rs []capsResource) {
		for _, r := range rs {
			p := strings.TrimPrefix(prefix+"/"+r.Path, "/")
			for _, m := range r.Method {
				out = append(out, capsEndpoint{p, m})
			}
			walk(p, r.Resource)
		}
	}
	walk("", a.Resources.Resource)
	return out
}

func (m capsMethod) accept() (def string, options []string) {
	for _, p := range m.Request.Param {
		if p.Name == "Accept" && p.Style == "header" {
			for _, o := range p.Option {
				options = append(options, o.Value)
			}
			return p.Default, options
		}
	}
	return "", nil
}

func (m capsMethod) doc(title string) string {
	for _, d := range m.Doc {
		if d.Title == title {
			return d.Text
		}
	}
	return ""
}

// fetchCapabilities runs the Retrieve Capabilities transaction.
func fetchCapabilities(t *testing.T, s *server, path string) (capsApp, *response) {
	t.Helper()
	r := s.request(t, http.MethodOptions, path, nil)
	wantStatus(t, r, http.StatusOK, "OPTIONS "+path)
	if ct := r.ContentType(); ct != "application/vnd.sun.wadl+xml" {
		t.Fatalf("OPTIONS %s: Content-Type %q, want application/vnd.sun.wadl+xml", path, ct)
	}
	var app capsApp
	if err := xml.Unmarshal(r.Body, &app); err != nil {
		t.Fatalf("OPTIONS %s: not WADL: %v", path, err)
	}
	return app, r
}

// TestCapabilities checks the Retrieve Capabilities transaction against
// the server itself: every PS3.18 resource the README promises is
// described with its methods, every described GET answers, every Accept
// value offered for frames and retrieve works on stored instances, and
// the syntaxes said to be decoded are decoded.
func TestCapabilities(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	files := []string{"pydicom/CT_small.dcm", "pydicom/SC_rgb_jpeg_dcmtk.dcm", "pydicom/MR_small_RLE.dcm",
		"pydicom/JPEG2000.dcm", "suyashkumar/4.dcm", "pydicom/image_dfl.dcm"}
	s.stowFiles(t, files...)

	app, r := fetchCapabilities(t, s, "/")
	if want := s.Root + "/"; app.Resources.Base != want {
		t.Errorf("resources base %q, want %q", app.Resources.Base, want)
	}
	if got := r.Header.Get("Allow"); got != "GET, HEAD, OPTIONS" {
		t.Errorf("Allow of the service root %q, want GET, HEAD, OPTIONS", got)
	}
	eps := app.endpoints()
	methods := map[string][]string{}
	for _, e := range eps {
		methods[e.path] = append(methods[e.path], e.method.Name)
	}
	const (
		st = "studies/{StudyInstanceUID}"
		se = st + "/series/{SeriesInstanceUID}"
		in = se + "/instances/{SOPInstanceUID}"
	)
	for path, want := range map[string][]string{
		"studies": {"GET", "HEAD", "POST"}, "series": {"GET", "HEAD"}, "instances": {"GET", "HEAD"},
		st: {"GET", "HEAD", "POST", "DELETE"}, st + "/series": {"GET", "HEAD"}, st + "/instances": {"GET", "HEAD"},
		se: {"GET", "HEAD", "DELETE"}, se + "/instances": {"GET", "HEAD"}, in: {"GET", "HEAD", "DELETE"},
		st + "/metadata": {"GET", "HEAD"}, se + "/metadata": {"GET", "HEAD"}, in + "/metadata": {"GET", "HEAD"},
		st + "/rendered": {"GET", "HEAD"}, se + "/rendered": {"GET", "HEAD"}, in + "/rendered": {"GET", "HEAD"},
		st + "/thumbnail": {"GET", "HEAD"}, se + "/thumbnail": {"GET", "HEAD"}, in + "/thumbnail": {"GET", "HEAD"},
		in + "/frames/{FrameList}": {"GET", "HEAD"}, in + "/frames/{FrameList}/rendered": {"GET", "HEAD"},
		in + "/bulk/{BulkDataPath}": {"GET", "HEAD"},
	} {
		if !slices.Equal(methods[path], want) {
			t.Errorf("%s: methods %v, want %v", path, methods[path], want)
		}
	}

	// Every described GET answers on a stored instance, with its default
	// Accept; the Allow header of each resource lists its methods.
	ct := corpusFile("pydicom/CT_small.dcm")
	fill := strings.NewReplacer("{StudyInstanceUID}", ct.study, "{SeriesInstanceUID}", ct.series,
		"{SOPInstanceUID}", ct.instance, "{FrameList}", "1", "{BulkDataPath}", "7FE00010")
	for _, e := range eps {
		path := "/" + fill.Replace(e.path)
		if e.method.Name == "GET" {
			if e.method.ID == "" {
				t.Errorf("GET %s: no transaction id", e.path)
			}
			def, _ := e.method.accept()
			got := s.get(t, path, def)
			wantStatus(t, got, http.StatusOK, e.method.ID+" GET "+path+" Accept "+def)
		}
		if allow := s.request(t, http.MethodOptions, path, nil).Header.Get("Allow"); !strings.Contains(allow, e.method.Name) {
			t.Errorf("OPTIONS %s: Allow %q lacks %s", path, allow, e.method.Name)
		}
	}

	// Every Accept value offered for frames and instance retrieve works on
	// each stored instance it applies to.
	var frames, retrieve capsMethod
	for _, e := range eps {
		switch e.method.ID {
		case "RetrieveFrames":
			frames = e.method
		case "RetrieveInstance":
			retrieve = e.method
		}
	}
	decoded := strings.Fields(frames.doc("Transfer syntaxes decoded to Explicit VR Little Endian"))
	converted := strings.Fields(frames.doc("Transfer syntaxes converted to Explicit VR Little Endian"))
	if !slices.Contains(decoded, "1.2.840.10008.1.2.4.50") || !slices.Contains(decoded, "1.2.840.10008.1.2.5") || !slices.Contains(converted, tsDeflated) {
		t.Errorf("decoded syntaxes %v, converted %v: want JPEG baseline and RLE decoded, deflated converted", decoded, converted)
	}
	for _, f := range files {
		tf := corpusFile(f)
		base := "/studies/" + tf.study + "/series/" + tf.series + "/instances/" + tf.instance
		_, fopts := frames.accept()
		for _, accept := range fopts {
			_, params, _ := mime.ParseMediaType(accept)
			want := params["transfer-syntax"]
			switch {
			case want == "*":
				want = tf.syntax
				if slices.Contains(converted, tf.syntax) {
					want = tsExplicitLE // native frames always go out little endian
				}
			case want == "" || want == tsExplicitLE:
				if !slices.Contains(converted, tf.syntax) && !slices.Contains(decoded, tf.syntax) {
					continue
				}
				want = tsExplicitLE
			case want != tf.syntax:
				continue
			}
			got := s.get(t, base+"/frames/1", accept)
			wantStatus(t, got, http.StatusOK, f+" frames Accept "+accept)
			syntax := got.Header.Get("Content-Type")
			if got.ContentType() == "multipart/related" {
				syntax = readParts(t, got, "")[0].ContentType
			}
			if _, p, _ := mime.ParseMediaType(syntax); p["transfer-syntax"] != want {
				t.Errorf("%s frames Accept %q: Content-Type %q, want transfer-syntax=%s", f, accept, syntax, want)
			}
		}
		_, ropts := retrieve.accept()
		for _, accept := range ropts {
			_, params, _ := mime.ParseMediaType(accept)
			if ts := params["transfer-syntax"]; ts != "*" && !slices.Contains(converted, tf.syntax) && !slices.Contains(decoded, tf.syntax) {
				continue
			}
			wantStatus(t, s.get(t, base, accept), http.StatusOK, f+" retrieve Accept "+accept)
		}
	}
}

// TestCapabilitiesFormats: JSON on request, the same tree; the
// conformance page on GET of the root; a Target Resource below the root;
// a CORS preflight is still a preflight, a browser's plain OPTIONS the
// transaction.
func TestCapabilitiesFormats(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	app, _ := fetchCapabilities(t, s, "/")

	r := s.request(t, http.MethodOptions, "/", nil, "Accept", "application/json")
	wantStatus(t, r, http.StatusOK, "OPTIONS Accept: application/json")
	var doc struct{ Application capsApp }
	if err := json.Unmarshal(r.Body, &doc); err != nil || r.ContentType() != "application/json" {
		t.Fatalf("JSON capabilities: %v, Content-Type %q", err, r.ContentType())
	}
	if got, want := len(doc.Application.endpoints()), len(app.endpoints()); got != want || got == 0 {
		t.Errorf("JSON describes %d endpoints, WADL %d", got, want)
	}

	page := s.get(t, "/", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	wantStatus(t, page, http.StatusOK, "GET / (browser)")
	if page.ContentType() != "text/html" {
		t.Fatalf("GET /: Content-Type %q, want text/html", page.ContentType())
	}
	for _, e := range app.endpoints() {
		if e.method.ID != "" && !strings.Contains(string(page.Body), e.method.ID) {
			t.Errorf("conformance page lacks transaction %s", e.method.ID)
		}
	}

	sub, r := fetchCapabilities(t, s, "/studies/1.2.3/series")
	if len(sub.Resources.Resource) != 1 || sub.Resources.Resource[0].Path != "studies/1.2.3/series" ||
		sub.Resources.Resource[0].Method[0].ID != "SearchForStudySeries" {
		t.Errorf("OPTIONS /studies/1.2.3/series: resources %+v, want that resource with SearchForStudySeries", sub.Resources.Resource)
	}
	if got := r.Header.Get("Allow"); got != "GET, HEAD, OPTIONS" {
		t.Errorf("Allow %q, want GET, HEAD, OPTIONS", got)
	}
	wantRefusal(t, s.request(t, http.MethodOptions, "/patients", nil), http.StatusNotFound, "OPTIONS /patients")

	const origin = "http://viewer.example"
	pre := s.request(t, http.MethodOptions, "/studies", nil, "Origin", origin, "Access-Control-Request-Method", "GET",
		"Access-Control-Request-Headers", "authorization")
	if pre.Status != http.StatusNoContent || len(pre.Body) != 0 || pre.Header.Get("Access-Control-Allow-Methods") == "" {
		t.Errorf("preflight: %d with %d bytes, Allow-Methods %q; want 204, no body", pre.Status, len(pre.Body), pre.Header.Get("Access-Control-Allow-Methods"))
	}
	plain := s.request(t, http.MethodOptions, "/studies", nil, "Origin", origin)
	if plain.Status != http.StatusOK || plain.ContentType() != "application/vnd.sun.wadl+xml" ||
		plain.Header.Get("Access-Control-Allow-Origin") == "" || !strings.Contains(plain.Header.Get("Access-Control-Expose-Headers"), "Allow") {
		t.Errorf("browser OPTIONS: %d %q, Allow-Origin %q, Expose %q; want the WADL with Allow readable",
			plain.Status, plain.ContentType(), plain.Header.Get("Access-Control-Allow-Origin"), plain.Header.Get("Access-Control-Expose-Headers"))
	}
}
