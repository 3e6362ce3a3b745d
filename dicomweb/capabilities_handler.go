package dicomweb

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
)

// Media types of the Capabilities Description.
const (
	mtWADL = "application/vnd.sun.wadl+xml"
	mtHTML = "text/html"
)

// ServeHTTP answers OPTIONS on a resource with its Capabilities
// Description (WADL by default, JSON on request, the conformance page as
// text/html on the service root) and an Allow header; GET and HEAD on the
// service root with the conformance page (or the description, when the
// client asks for WADL or JSON).
func (c *capabilities) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	node, segs, ok := c.target(strings.TrimPrefix(r.URL.EscapedPath(), c.h.opts.Prefix))
	if !ok {
		fail(w, r, errorf(http.StatusNotFound, "no DICOMweb resource at %s", r.URL.Path))
		return
	}
	root := len(segs) == 0
	hd := w.Header()
	hd.Set("Allow", allow(node, root))
	hd.Add("Vary", "Accept")
	hd.Set("Cache-Control", "no-cache")
	offers := []string{mtWADL, "application/json", "application/xml", "text/xml"}
	switch {
	case r.Method != http.MethodOptions:
		offers = append([]string{mtHTML}, offers...)
	case root:
		offers = append(offers, mtHTML)
	}
	mt := preferred(r, offers...)
	var body []byte
	var err error
	switch mt {
	case "":
		fail(w, r, errorf(http.StatusNotAcceptable, "the Capabilities Description is available as %s", strings.Join(offers, ", ")))
		return
	case mtHTML:
		body, err = c.page(c.h.baseURL(r))
		mt += "; charset=utf-8"
	case "application/json":
		body, err = json.MarshalIndent(map[string]any{"application": c.document(r, node, segs)}, "", "  ")
	default:
		var buf bytes.Buffer
		buf.WriteString(xml.Header)
		enc := xml.NewEncoder(&buf)
		enc.Indent("", "  ")
		err = enc.Encode(c.document(r, node, segs))
		body = buf.Bytes()
	}
	if err != nil {
		fail(w, r, err)
		return
	}
	hd.Set("Content-Type", mt)
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// preferred picks, among the client's acceptable media types in order of
// preference, the first offer (in the server's order) it matches; "" when
// none.
func preferred(r *http.Request, offers ...string) string {
	for _, m := range acceptable(r) {
		for _, o := range offers {
			if m.matches(o) {
				return o
			}
		}
	}
	return ""
}

// document is the Capabilities Description of a target resource: the
// whole tree for the service root, else the target (its path relative to
// the base) with its methods and every resource below it.
func (c *capabilities) document(r *http.Request, node *wadlResource, segs []string) wadlApplication {
	tree, _ := c.model()
	app := wadlApplication{XS: xsdNamespace,
		Doc: []wadlDoc{{Title: "pacslite DICOMweb", Text: "Implementation " + ImplementationVersionName + " (" + ImplementationClassUID +
			"). The resource tree, methods, media types, transfer syntaxes and matching keys are generated from the server's own routes and tables."}},
		Resources: wadlResources{Base: c.h.baseURL(r) + "/"},
	}
	if len(segs) == 0 {
		app.Resources.Resource = tree.Resource
		return app
	}
	target := *node
	target.Path = strings.Join(segs, "/")
	if isTemplate(node.Path) && !isTemplate(segs[len(segs)-1]) {
		target.Param = nil // the request named a concrete value
	}
	app.Resources.Resource = []*wadlResource{&target}
	return app
}
