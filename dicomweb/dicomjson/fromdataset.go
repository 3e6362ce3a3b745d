package dicomjson

import (
	"encoding/binary"
	"fmt"

	"github.com/pacslite/pacslite/dicomweb/dataset"
)

// FromOptions tune FromDataset.
type FromOptions struct {
	// BulkDataURI returns the BulkDataURI for a binary or bulk element, or
	// "" to inline it instead. path is the tags from the top-level
	// attribute down to e (e.g. [0x00540016, 0x00181072]; [0x7FE00010] for
	// top-level Pixel Data); it does not say which item of a sequence e is
	// in, so URIs that must be unique can use e.Offset. path is only valid
	// during the call. Nil means no BulkDataURIs.
	BulkDataURI func(path []uint32, e *dataset.Element) string
	// InlineBinaryLimit is the longest value written as InlineBinary;
	// longer values without a BulkDataURI are left out (the attribute is
	// written empty). Zero or less inlines nothing.
	InlineBinaryLimit int64
}

// FromDataset builds the DICOM JSON object of a parsed dataset; cs is the
// dataset's character set (File.Charset) and bo its byte order
// (File.ByteOrder).
//
// Group lengths, File Meta elements (group 0002) and Data Set Trailing
// Padding are left out. Text is decoded with cs (and, in sequence items,
// with the item's own Specific Character Set when it has one). DS and IS
// values are normalised as described at Number. Private elements are
// kept, those of unknown VR as UN; a private creator is always LO, even
// when the file says UN. An element whose VR the JSON model lacks becomes
// UN.
//
// Binary elements (OB OD OF OL OV OW UN, Pixel Data native or encapsulated)
// and elements whose value was not kept in memory (Element.Bulk) get a
// BulkDataURI when opts.BulkDataURI gives one, else InlineBinary when the
// value is in memory and no longer than opts.InlineBinaryLimit, else no
// value at all ({"vr":"OB"}). InlineBinary of OW OF OD OL OV from a big
// endian file is swapped to little endian, the byte order a DICOMweb
// client assumes. A UN element that the parser read as a sequence (undefined
// length, PS3.5 6.2.2) is written as SQ.
//
// FromDataset fails only on malformed binary values (a US value of odd
// length, say); the error wraps dataset.ErrMalformed.
func FromDataset(ds *dataset.Dataset, cs *dataset.Charset, bo binary.ByteOrder, opts FromOptions) (Object, error) {
	if bo == nil {
		bo = binary.LittleEndian
	}
	b := builder{bo: bo, opts: opts, path: make([]uint32, 0, 8)}
	return b.object(ds, cs)
}

// tagTrailingPadding is Data Set Trailing Padding (FFFC,FFFC): filler
// whose value PS3.10 gives no meaning.
const tagTrailingPadding dataset.Tag = 0xFFFCFFFC

type builder struct {
	bo   binary.ByteOrder
	opts FromOptions
	path []uint32
}

func (b *builder) object(ds *dataset.Dataset, cs *dataset.Charset) (Object, error) {
	var o Object
	if ds == nil || len(ds.Elements) == 0 {
		return o, nil
	}
	o.attrs = make([]Attribute, 0, len(ds.Elements))
	for _, e := range ds.Elements {
		g := e.Tag.Group()
		if e.Tag.Element() == 0 || g == 0x0002 || g == 0xFFFE || e.Tag == tagTrailingPadding {
			continue
		}
		b.path = append(b.path, uint32(e.Tag))
		a, err := b.attribute(e, cs)
		b.path = b.path[:len(b.path)-1]
		if err != nil {
			return Object{}, err
		}
		o.Set(a)
	}
	if len(o.attrs) == 0 {
		return Object{}, nil
	}
	return o, nil
}

func (b *builder) attribute(e *dataset.Element, cs *dataset.Charset) (Attribute, error) {
	a := Attribute{Tag: uint32(e.Tag), VR: e.VR}
	switch {
	case e.Items != nil || e.VR == "SQ":
		a.VR = "SQ"
		a.Values = make([]any, 0, len(e.Items))
		for _, item := range e.Items {
			o, err := b.object(item, cs.ForItem(item))
			if err != nil {
				return Attribute{}, err
			}
			a.Values = append(a.Values, o)
		}
		if len(a.Values) == 0 {
			a.Values = nil
		}
		return a, nil
	case isPrivateCreator(e.Tag):
		if e.VR != "LO" { // PS3.5 7.8.1 fixes LO; implicit or faulty files may say UN
			lo := *e
			lo.VR = "LO"
			e = &lo
		}
		a.VR = "LO"
		return b.text(a, e, cs), nil
	case e.Bulk || e.Fragments != nil || e.Tag == dataset.TagPixelData || kindOf(e.VR) == kindBinary || kindOf(e.VR) == 0:
		if !bulkDataVR(a.VR) {
			a.VR = "UN" // a VR the JSON model lacks or allows no bulk data for
		}
		return b.binary(a, e), nil
	case e.VR == "PN":
		names := e.PersonNames(cs)
		a.Values = make([]any, len(names))
		for i, p := range names {
			if p != (dataset.PersonName{}) {
				a.Values[i] = PersonName(p)
			}
		}
		return dropEmpty(a), nil
	case e.VR == "AT":
		tags, err := e.Tags(b.bo)
		if err != nil {
			return Attribute{}, fmt.Errorf("dicomjson: %s: %w", e.Tag, err)
		}
		a.Values = make([]any, len(tags))
		for i, t := range tags {
			a.Values[i] = t.String()
		}
		return dropEmpty(a), nil
	case e.VR == "DS" || e.VR == "IS":
		strs := e.Strings(cs)
		a.Values = make([]any, len(strs))
		for i, s := range strs {
			if n := canonicalNumber(s); n != "" {
				a.Values[i] = n
			}
		}
		return dropEmpty(a), nil
	case kindOf(e.VR) == kindNumber:
		nums, err := e.Numbers(b.bo)
		if err != nil {
			return Attribute{}, fmt.Errorf("dicomjson: %s: %w", e.Tag, err)
		}
		a.Values = make([]any, len(nums))
		for i, s := range nums {
			a.Values[i] = canonicalNumber(s)
		}
		return dropEmpty(a), nil
	}
	return b.text(a, e, cs), nil
}

// text fills a with the values of a text element.
func (b *builder) text(a Attribute, e *dataset.Element, cs *dataset.Charset) Attribute {
	strs := e.Strings(cs)
	a.Values = make([]any, len(strs))
	for i, s := range strs {
		if s != "" {
			a.Values[i] = s
		}
	}
	return dropEmpty(a)
}

// binary fills a with a BulkDataURI or InlineBinary for e, or leaves it empty.
func (b *builder) binary(a Attribute, e *dataset.Element) Attribute {
	if e.Length == 0 {
		return a
	}
	if b.opts.BulkDataURI != nil {
		if uri := b.opts.BulkDataURI(b.path, e); uri != "" {
			a.BulkDataURI = uri
			return a
		}
	}
	if kindOf(a.VR) == kindBinary && !e.Bulk && len(e.Value) > 0 && int64(len(e.Value)) <= b.opts.InlineBinaryLimit {
		a.InlineBinary = littleEndian(e.Value, a.VR, b.bo)
	}
	return a
}

// littleEndian returns v in little endian byte order: a swapped copy for
// the word VRs of a big endian file, v itself otherwise.
func littleEndian(v []byte, vr string, bo binary.ByteOrder) []byte {
	size := 0
	switch vr {
	case "OW":
		size = 2
	case "OF", "OL":
		size = 4
	case "OD", "OV":
		size = 8
	}
	if size == 0 || bo != binary.BigEndian || len(v)%size != 0 {
		return v
	}
	out := make([]byte, len(v))
	for i := 0; i < len(v); i += size {
		for j := range size {
			out[i+j] = v[i+size-1-j]
		}
	}
	return out
}

// isPrivateCreator reports whether t is a private creator element
// (gggg,0010-00FF) of an odd group.
func isPrivateCreator(t dataset.Tag) bool {
	return t.Group()%2 == 1 && t.Element() >= 0x0010 && t.Element() <= 0x00FF
}
