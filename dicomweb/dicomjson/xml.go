package dicomjson

import (
	"encoding/base64"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/suyashkumar/dicom/pkg/tag"
)

// WriteXML writes o as a PS3.19 Native DICOM Model document (the
// application/dicom+xml representation of PS3.18), in one Write call:
//
//	<?xml version="1.0" encoding="UTF-8"?>
//	<NativeDicomModel xmlns="http://dicom.nema.org/PS3.19/models/NativeDICOM" xml:space="preserve">
//	<DicomAttribute tag="0020000D" vr="UI" keyword="StudyInstanceUID"><Value number="1">1.2.3</Value></DicomAttribute>
//	...
//	</NativeDicomModel>
//
// Keywords come from the data dictionary and are left out for private and
// unknown tags; private data elements carry the privateCreator of their
// block when o holds it. PN values are split into FamilyName, GivenName,
// MiddleName, NamePrefix and NameSuffix under Alphabetic, Ideographic and
// Phonetic; sequence items are numbered Item elements; binary values are
// BulkData (uri) or InlineBinary (base64). An empty value inside a
// multi-valued attribute is an empty Value (or PersonName) element, so
// numbering stays aligned. Numbers are written as AppendJSON writes them,
// unquoted. Characters XML 1.0 does not allow, and invalid UTF-8, are
// replaced by U+FFFD.
func (o Object) WriteXML(w io.Writer) error {
	b := make([]byte, 0, 4096)
	b = append(b, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+
		`<NativeDicomModel xmlns="http://dicom.nema.org/PS3.19/models/NativeDICOM" xml:space="preserve">`...)
	b = o.appendXML(b)
	b = append(b, "</NativeDicomModel>\n"...)
	_, err := w.Write(b)
	return err
}

// appendXML appends the DicomAttribute elements of o.
func (o Object) appendXML(b []byte) []byte {
	for i := range o.attrs {
		a := &o.attrs[i]
		b = append(b, "\n"+`<DicomAttribute tag="`...)
		b = appendTag(b, a.Tag)
		b = append(b, `" vr="`...)
		b = appendXMLText(b, a.VR)
		b = append(b, '"')
		if kw := keyword(a.Tag); kw != "" {
			b = append(b, ` keyword="`...)
			b = append(b, kw...)
			b = append(b, '"')
		}
		if creator := o.privateCreator(a.Tag); creator != "" {
			b = append(b, ` privateCreator="`...)
			b = appendXMLText(b, creator)
			b = append(b, '"')
		}
		b = append(b, '>')
		switch {
		case a.BulkDataURI != "":
			b = append(b, `<BulkData uri="`...)
			b = appendXMLText(b, a.BulkDataURI)
			b = append(b, `"/>`...)
		case len(a.InlineBinary) > 0:
			b = append(b, `<InlineBinary>`...)
			b = base64.StdEncoding.AppendEncode(b, a.InlineBinary)
			b = append(b, `</InlineBinary>`...)
		case hasValue(a.Values):
			for i, v := range a.Values {
				b = appendXMLValue(b, a.VR, i+1, v)
			}
		}
		b = append(b, "</DicomAttribute>"...)
	}
	return b
}

func appendXMLValue(b []byte, vr string, number int, v any) []byte {
	if vr == "PN" && isEmptyValue(v) {
		v = PersonName{}
	}
	switch v := v.(type) {
	case Object:
		b = append(b, `<Item number="`...)
		b = strconv.AppendInt(b, int64(number), 10)
		b = append(b, `">`...)
		b = v.appendXML(b)
		return append(b, "</Item>"...)
	case PersonName:
		b = append(b, `<PersonName number="`...)
		b = strconv.AppendInt(b, int64(number), 10)
		b = append(b, `">`...)
		b = appendXMLNameGroup(b, "Alphabetic", v.Alphabetic)
		b = appendXMLNameGroup(b, "Ideographic", v.Ideographic)
		b = appendXMLNameGroup(b, "Phonetic", v.Phonetic)
		return append(b, "</PersonName>"...)
	}
	b = append(b, `<Value number="`...)
	b = strconv.AppendInt(b, int64(number), 10)
	b = append(b, `">`...)
	switch v := v.(type) {
	case string:
		b = appendXMLText(b, v)
	case Number:
		b = appendXMLText(b, string(canonicalNumber(string(v))))
	}
	return append(b, "</Value>"...)
}

// nameComponents are the PS3.19 element names of the five components of
// a person name component group, in order.
var nameComponents = [...]string{"FamilyName", "GivenName", "MiddleName", "NamePrefix", "NameSuffix"}

func appendXMLNameGroup(b []byte, group, value string) []byte {
	if value == "" {
		return b
	}
	b = append(b, '<')
	b = append(b, group...)
	b = append(b, '>')
	for i, c := range strings.SplitN(value, "^", len(nameComponents)) {
		if c == "" {
			continue
		}
		b = append(b, '<')
		b = append(b, nameComponents[i]...)
		b = append(b, '>')
		b = appendXMLText(b, c)
		b = append(b, "</"...)
		b = append(b, nameComponents[i]...)
		b = append(b, '>')
	}
	b = append(b, "</"...)
	b = append(b, group...)
	return append(b, '>')
}

// keyword returns the data dictionary keyword of t, or "" for private and
// unknown tags.
func keyword(t uint32) string {
	g, e := uint16(t>>16), uint16(t)
	if g%2 == 1 {
		return ""
	}
	// Repeating groups (curves 50xx, overlays 60xx) are listed under their
	// first group.
	if g&0xFF00 == 0x5000 || g&0xFF00 == 0x6000 {
		g &= 0xFF00
	}
	info, err := tag.Find(tag.Tag{Group: g, Element: e})
	if err != nil {
		return ""
	}
	return info.Keyword
}

// privateCreator returns the private creator of the block holding the
// private data element t (gggg,xxyy with xx >= 0x10): the value of
// (gggg,00xx). It returns "" for other tags or when o lacks the creator.
func (o Object) privateCreator(t uint32) string {
	g, e := t>>16, t&0xFFFF
	if g%2 == 0 || e < 0x1000 {
		return ""
	}
	return o.String(g<<16 | e>>8)
}

// appendXMLText appends s escaped for XML character data and attribute
// values.
func appendXMLText(b []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		var esc string
		size := 1
		switch {
		case c == '&':
			esc = "&amp;"
		case c == '<':
			esc = "&lt;"
		case c == '>':
			esc = "&gt;"
		case c == '"':
			esc = "&quot;"
		case c == '\'':
			esc = "&apos;"
		case c == '\r':
			esc = "&#xD;" // kept: parsers turn a literal CR into LF
		case c == '\t', c == '\n':
		case c < 0x20:
			esc = "\uFFFD" // not allowed in XML 1.0, even escaped
		case c >= utf8.RuneSelf:
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			if (r == utf8.RuneError && size == 1) || r == 0xFFFE || r == 0xFFFF {
				esc = "\uFFFD"
			}
		}
		if esc != "" {
			b = append(b, s[start:i]...)
			b = append(b, esc...)
			start = i + size
		}
		i += size
	}
	return append(b, s[start:]...)
}
