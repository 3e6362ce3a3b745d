package dicomweb

import (
	"html/template"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/gorilla/mux"
)

// capabilities answers the Retrieve Capabilities transaction (PS3.18 8.9,
// Annex H: OPTIONS on the service root or any resource) and serves the
// conformance statement page (GET on the service root). Both come from one
// model, built on first use from the router's own routes (every registered
// path and method) and from the tables the handlers negotiate with (media
// types, the transfer syntaxes the decoders report, the index's matching
// keys), so that neither can promise what the server does not do or miss
// a route.
type capabilities struct {
	h      *Handler
	router *mux.Router

	once   sync.Once
	tables *capabilityTables
	tree   *wadlResource // the service root: no path, the top resources as children

	pageOnce sync.Once
	pageTmpl *template.Template
	pageErr  error
}

func newCapabilities(h *Handler, router *mux.Router) *capabilities {
	return &capabilities{h: h, router: router}
}

// isCapabilitiesRequest matches what the capabilities handler answers:
// OPTIONS on the service root and anything under it (a CORS preflight
// never gets here: the cors middleware answers it first), and GET or HEAD
// on the service root itself.
func (h *Handler) isCapabilitiesRequest(r *http.Request, _ *mux.RouteMatch) bool {
	p, root := r.URL.EscapedPath(), h.opts.Prefix
	switch r.Method {
	case http.MethodOptions:
		return p == root || strings.HasPrefix(p, root+"/")
	case http.MethodGet, http.MethodHead:
		return p == root || p == root+"/"
	}
	return false
}

// model returns the resource tree and the tables, building them once.
func (c *capabilities) model() (*wadlResource, *capabilityTables) {
	c.once.Do(func() {
		c.tables = newCapabilityTables()
		c.tree = &wadlResource{}
		c.router.Walk(func(route *mux.Route, _ *mux.Router, _ []*mux.Route) error {
			tpl, err := route.GetPathTemplate()
			if err != nil {
				return nil // a route without a path (this one)
			}
			methods, err := route.GetMethods()
			if err != nil {
				return nil
			}
			segs := templateSegments(strings.TrimPrefix(tpl, c.h.opts.Prefix))
			node := c.tree.descend(segs)
			for _, m := range methods {
				node.Method = append(node.Method, c.tables.describe(segs, m))
			}
			return nil
		})
		c.tree.sortMethods()
	})
	return c.tree, c.tables
}

// templateParams names the path variables of the routes as PS3.18 does.
var templateParams = map[string]string{
	"study":    "StudyInstanceUID",
	"series":   "SeriesInstanceUID",
	"instance": "SOPInstanceUID",
	"frames":   "FrameList",
	"path":     "BulkDataPath",
}

// templateSegments splits a route template into segments, variables
// renamed and regular expressions dropped: "/studies/{study}/bulk/{path:.+}"
// gives "studies", "{StudyInstanceUID}", "bulk", "{BulkDataPath}".
func templateSegments(tpl string) []string {
	var segs []string
	for _, s := range strings.Split(strings.Trim(tpl, "/"), "/") {
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			name, _, _ := strings.Cut(strings.Trim(s, "{}"), ":")
			if n, ok := templateParams[name]; ok {
				name = n
			}
			s = "{" + name + "}"
		}
		if s != "" {
			segs = append(segs, s)
		}
	}
	return segs
}

func isTemplate(seg string) bool { return strings.HasPrefix(seg, "{") }

// descend returns the node for segs below r, creating missing ones.
func (r *wadlResource) descend(segs []string) *wadlResource {
	node := r
	for _, s := range segs {
		i := slices.IndexFunc(node.Resource, func(c *wadlResource) bool { return c.Path == s })
		if i < 0 {
			child := &wadlResource{Path: s}
			if isTemplate(s) {
				child.Param = []wadlParam{{Name: strings.Trim(s, "{}"), Style: "template", Type: "xs:string", Required: true}}
			}
			node.Resource = append(node.Resource, child)
			i = len(node.Resource) - 1
		}
		node = node.Resource[i]
	}
	return node
}

// methodOrder is the order methods are listed in.
var methodOrder = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodDelete}

func (r *wadlResource) sortMethods() {
	slices.SortStableFunc(r.Method, func(a, b *wadlMethod) int {
		return slices.Index(methodOrder, a.Name) - slices.Index(methodOrder, b.Name)
	})
	for _, c := range r.Resource {
		c.sortMethods()
	}
}

// target finds the resource an escaped request path (relative to the
// service root) names: literal segments must match, template segments
// match any value. It returns the node and the path's segments.
func (c *capabilities) target(rel string) (*wadlResource, []string, bool) {
	tree, _ := c.model()
	node := tree
	var segs []string
	if rel = strings.Trim(rel, "/"); rel != "" {
		segs = strings.Split(rel, "/")
	}
	for i := 0; i < len(segs); i++ {
		var next *wadlResource
		for _, child := range node.Resource {
			if child.Path == segs[i] {
				next = child
				break
			}
		}
		if next == nil && segs[i] != "" {
			for _, child := range node.Resource {
				if isTemplate(child.Path) {
					next = child
					if child.Path == "{BulkDataPath}" {
						i = len(segs) // the rest of the path is the bulk data path
					}
					break
				}
			}
		}
		if next == nil {
			return nil, nil, false
		}
		node = next
	}
	return node, segs, true
}

// allow lists the methods of a resource for the Allow header.
func allow(node *wadlResource, root bool) string {
	var ms []string
	if root {
		ms = append(ms, http.MethodGet, http.MethodHead) // the conformance page
	}
	for _, m := range node.Method {
		if !slices.Contains(ms, m.Name) {
			ms = append(ms, m.Name)
		}
	}
	return strings.Join(append(ms, http.MethodOptions), ", ")
}
