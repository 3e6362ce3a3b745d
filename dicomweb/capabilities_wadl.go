package dicomweb

import "encoding/xml"

// The Capabilities Description is a WADL document (PS3.18 Annex H,
// https://www.w3.org/Submission/wadl/). These types are both the model the
// description and the conformance page are built from and its encoding:
// XML for application/vnd.sun.wadl+xml, the same tree as JSON for
// application/json (which earlier editions of PS3.18, 6.8.1.1.2, list as
// the second Accept value).

const (
	wadlNamespace = "http://wadl.dev.java.net/2009/02"
	xsdNamespace  = "http://www.w3.org/2001/XMLSchema"
)

type wadlApplication struct {
	XMLName   xml.Name      `xml:"http://wadl.dev.java.net/2009/02 application" json:"-"`
	XS        string        `xml:"xmlns:xs,attr" json:"-"`
	Doc       []wadlDoc     `xml:"doc" json:"doc,omitempty"`
	Resources wadlResources `xml:"resources" json:"resources"`
}

type wadlDoc struct {
	Title string `xml:"title,attr,omitempty" json:"title,omitempty"`
	Text  string `xml:",chardata" json:"text,omitempty"`
}

type wadlResources struct {
	Base     string          `xml:"base,attr" json:"base"`
	Resource []*wadlResource `xml:"resource" json:"resource"`
}

// wadlResource is one path segment of the resource tree ("studies",
// "{StudyInstanceUID}", ...), or the Target Resource of a request (its
// path then relative to the service root).
type wadlResource struct {
	Path     string          `xml:"path,attr" json:"path"`
	Param    []wadlParam     `xml:"param" json:"param,omitempty"`
	Method   []*wadlMethod   `xml:"method" json:"method,omitempty"`
	Resource []*wadlResource `xml:"resource" json:"resource,omitempty"`
}

// wadlMethod is a transaction: the HTTP method and, for the standard's
// transactions, its name as id ("SearchForStudies").
type wadlMethod struct {
	Name     string         `xml:"name,attr" json:"name"`
	ID       string         `xml:"id,attr,omitempty" json:"id,omitempty"`
	Doc      []wadlDoc      `xml:"doc" json:"doc,omitempty"`
	Request  *wadlRequest   `xml:"request,omitempty" json:"request,omitempty"`
	Response []wadlResponse `xml:"response" json:"response,omitempty"`
}

type wadlRequest struct {
	Param          []wadlParam          `xml:"param" json:"param,omitempty"`
	Representation []wadlRepresentation `xml:"representation" json:"representation,omitempty"`
}

type wadlResponse struct {
	Status         string               `xml:"status,attr,omitempty" json:"status,omitempty"`
	Representation []wadlRepresentation `xml:"representation" json:"representation,omitempty"`
}

type wadlRepresentation struct {
	MediaType string    `xml:"mediaType,attr" json:"mediaType"`
	Doc       []wadlDoc `xml:"doc" json:"doc,omitempty"`
}

// wadlParam is a template, query or header parameter.
type wadlParam struct {
	Name      string       `xml:"name,attr" json:"name"`
	Style     string       `xml:"style,attr" json:"style"`
	Type      string       `xml:"type,attr,omitempty" json:"type,omitempty"`
	Required  bool         `xml:"required,attr,omitempty" json:"required,omitempty"`
	Repeating bool         `xml:"repeating,attr,omitempty" json:"repeating,omitempty"`
	Default   string       `xml:"default,attr,omitempty" json:"default,omitempty"`
	Doc       []wadlDoc    `xml:"doc" json:"doc,omitempty"`
	Option    []wadlOption `xml:"option" json:"option,omitempty"`
}

type wadlOption struct {
	Value string    `xml:"value,attr" json:"value"`
	Doc   []wadlDoc `xml:"doc" json:"doc,omitempty"`
}

// docs is a doc list of one untitled text.
func docs(text string) []wadlDoc {
	if text == "" {
		return nil
	}
	return []wadlDoc{{Text: text}}
}

// docText returns the text of the doc with the given title.
func docText(ds []wadlDoc, title string) (string, bool) {
	for _, d := range ds {
		if d.Title == title {
			return d.Text, true
		}
	}
	return "", false
}
