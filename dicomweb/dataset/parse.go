package dataset

import (
	"compress/flate"
	"encoding/binary"
	"fmt"
	"io"
	"strings"
)

// maxDepth limits sequence nesting; real files stay below ten levels.
const maxDepth = 64

// defaultInlineLimit is the InlineLimit used when Options leaves it zero.
const defaultInlineLimit = 64 << 10

// Parse reads a DICOM stream: a Part 10 file (128-byte preamble and "DICM",
// or the meta group without the preamble) or a bare dataset without meta
// group, whose encoding (implicit or explicit VR little endian) is guessed
// from its first element. Values longer than opts.InlineLimit are skipped
// and only their position recorded. Errors wrap ErrNotDICOM when r does not
// hold DICOM at all and ErrMalformed when it breaks the encoding rules; read
// errors of r are returned wrapped as they are.
func Parse(r io.Reader, opts Options) (*File, error) {
	if opts.InlineLimit <= 0 {
		opts.InlineLimit = defaultInlineLimit
	}
	p := &parser{r: newReader(r), opts: opts}
	f, err := p.file()
	if err != nil {
		return nil, err
	}
	return f, nil
}

// parser holds the state of one Parse call.
type parser struct {
	r       *reader
	opts    Options
	stopped bool       // StopAtPixelData reached the pixel data
	stack   []*Dataset // enclosing datasets, innermost last
}

func (p *parser) file() (*File, error) {
	f := &File{Meta: &Dataset{}}
	s, err := p.head(f)
	if err != nil {
		return nil, err
	}
	f.Dataset, err = p.dataset(s, -1, 0, false)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// head reads what precedes the main dataset (preamble, "DICM", meta group)
// into f and returns the encoding of the main dataset, leaving p.r at its
// first byte (an inflating reader for the deflated transfer syntax).
func (p *parser) head(f *File) (syntax, error) {
	if b := p.r.peek(132); len(b) == 132 && string(b[128:]) == "DICM" {
		f.HasPreamble = true
		if err := p.r.discard(132); err != nil {
			return syntax{}, err
		}
	} else if b := p.r.peek(4); string(b) == "DICM" {
		if err := p.r.discard(4); err != nil {
			return syntax{}, err
		}
	}
	if b := p.r.peek(8); len(b) == 8 && binary.LittleEndian.Uint16(b) == 0x0002 {
		if err := p.meta(f); err != nil {
			return syntax{}, err
		}
	} else if !f.HasPreamble && !plausibleDataset(b) {
		return syntax{}, fmt.Errorf("%w: no DICM prefix and no recognisable element at the start", ErrNotDICOM)
	}
	s := p.mainSyntax(f)
	f.DatasetOffset = p.r.off
	if f.Deflated {
		// Offsets in the dataset then count inflated bytes.
		p.r = newReader(flate.NewReader(p.r.br))
	}
	return s, nil
}

// plausibleDataset reports whether b (the first 8 bytes) starts a bare
// dataset: an element of a low even group (the command group, the meta group
// or the first groups of a dataset) in explicit VR or, in implicit VR, one
// the dictionary knows.
func plausibleDataset(b []byte) bool {
	if len(b) < 8 {
		return false
	}
	t := Tag(uint32(binary.LittleEndian.Uint16(b))<<16 | uint32(binary.LittleEndian.Uint16(b[2:])))
	if t.Group()%2 != 0 || t.Group() > 0x0030 || binary.LittleEndian.Uint64(b) == 0 {
		return false
	}
	return looksExplicit(b) || DictionaryVR(t) != "UN"
}

// meta reads the File Meta Information: the group 0002 elements at the
// start, explicit VR little endian (PS3.10 7.1), whether or not File Meta
// Information Group Length is present. Some writers use implicit VR here;
// that is detected from the first element.
func (p *parser) meta(f *File) error {
	s := syntax{bo: binary.LittleEndian, implicit: !looksExplicit(p.r.peek(8))}
	for {
		b := p.r.peek(8)
		if len(b) < 8 || binary.LittleEndian.Uint16(b) != 0x0002 {
			break
		}
		h, err := readHeader(p.r, s)
		if err != nil {
			return err
		}
		e, err := p.element(h, s, 0)
		if err != nil {
			return err
		}
		f.Meta.Elements = append(f.Meta.Elements, e)
	}
	if e := f.Meta.Find(TagTransferSyntaxUID); e != nil {
		f.TransferSyntax = strings.TrimRight(string(e.Value), " \x00")
	}
	return nil
}

// mainSyntax decides how the main dataset is encoded from the transfer
// syntax, and for files without one (or with one that contradicts the data)
// from the first element.
func (p *parser) mainSyntax(f *File) syntax {
	f.ByteOrder = binary.LittleEndian
	switch f.TransferSyntax {
	case ExplicitVRBigEndian:
		f.ByteOrder = binary.BigEndian
		return syntax{bo: binary.BigEndian}
	case DeflatedExplicitVRLittleEndian:
		f.Deflated = true
		return syntax{bo: binary.LittleEndian}
	case ImplicitVRLittleEndian:
		f.Implicit = true
		return syntax{bo: binary.LittleEndian, implicit: true}
	}
	// Explicit VR little endian, the encapsulated syntaxes, and files
	// without a transfer syntax: look at the first element.
	b := p.r.peek(8)
	if f.TransferSyntax == "" {
		f.Implicit = len(b) == 8 && !looksExplicit(b)
	} else {
		// Some writers declare explicit VR and write implicit VR. Bytes 4-5
		// of an implicit header are the low half of a length, rarely two
		// printable characters; an unknown but printable VR stays explicit.
		f.Implicit = len(b) == 8 && !looksExplicit(b) && !(printable(b[4]) && printable(b[5]))
	}
	if f.TransferSyntax == "" {
		f.TransferSyntax = ExplicitVRLittleEndian
		if f.Implicit {
			f.TransferSyntax = ImplicitVRLittleEndian
		}
	}
	return syntax{bo: binary.LittleEndian, implicit: f.Implicit}
}

// dataset reads elements until end (an offset; -1: the end of the stream,
// or the item delimitation when undefinedItem is set).
func (p *parser) dataset(s syntax, end int64, depth int, undefinedItem bool) (*Dataset, error) {
	d := &Dataset{}
	p.stack = append(p.stack, d)
	defer func() { p.stack = p.stack[:len(p.stack)-1] }()
	for {
		if end >= 0 && p.r.off >= end {
			if p.r.off > end {
				return nil, malformed("element runs past the end of its item at offset %d", p.r.off)
			}
			return d, nil
		}
		start := p.r.off
		h, err := readHeader(p.r, s)
		if err == io.EOF {
			if end < 0 && !undefinedItem {
				return d, nil
			}
			return nil, malformed("data ends inside an item")
		}
		if err != nil {
			return nil, err
		}
		switch h.tag {
		case TagItemDelimitation:
			if undefinedItem {
				return d, nil
			}
			return nil, malformed("item delimitation outside an item at offset %d", start)
		case TagItem, TagSequenceDelimitation:
			return nil, malformed("item tag %s outside a sequence at offset %d", h.tag, start)
		}
		e, err := p.element(h, s, depth)
		if err != nil {
			return nil, err
		}
		d.Elements = append(d.Elements, e)
		if p.stopped {
			return d, nil
		}
	}
}

// element reads the value of the element whose header was just read.
func (p *parser) element(h header, s syntax, depth int) (*Element, error) {
	e := &Element{Tag: h.tag, VR: h.vr, Length: h.length, Offset: p.r.off}
	if e.VR == "" {
		e.VR = p.implicitVR(h.tag)
	}
	var err error
	switch {
	case e.VR == "SQ":
		e.Items, err = p.items(s, h.length, depth)
	case h.length == undefinedLength && h.tag == TagPixelData,
		h.length == undefinedLength && (e.VR == "OB" || e.VR == "OW"):
		e.Fragments, err = p.fragments(s)
	case h.length == undefinedLength && (e.VR == "UN" || s.implicit):
		// An undefined length can only be a sequence; inside UN it is
		// encoded in implicit VR little endian (PS3.5 6.2.2).
		e.VR = "SQ"
		e.Items, err = p.items(syntax{bo: binary.LittleEndian, implicit: true}, h.length, depth)
	case h.length == undefinedLength:
		return nil, malformed("%s %s with undefined length", h.tag, e.VR)
	case h.length > p.opts.InlineLimit:
		e.Bulk = true
		err = p.r.discard(h.length)
	default:
		e.Value, err = p.r.value(h.length)
	}
	if err != nil {
		return nil, err
	}
	if h.tag == TagPixelData && depth == 0 && p.opts.StopAtPixelData {
		p.stopped = true
	}
	return e, nil
}

// implicitVR resolves the VR of an element whose VR is not in the stream.
// "US or SS" follows Pixel Representation (0028,0103) when the dataset or an
// enclosing one has it.
func (p *parser) implicitVR(t Tag) string {
	vr := DictionaryVR(t)
	if vr == "US" && isAmbiguousUS(t) && p.pixelRepresentation() == 1 {
		return "SS"
	}
	if vr == "" { // an item tag where an element belongs
		return "UN"
	}
	return vr
}

func (p *parser) pixelRepresentation() int {
	for i := len(p.stack) - 1; i >= 0; i-- {
		if e := p.stack[i].Find(0x00280103); e != nil && len(e.Value) == 2 {
			// Implicit VR is always little endian.
			return int(binary.LittleEndian.Uint16(e.Value))
		}
	}
	return -1
}

// items reads the items of a sequence of the given length.
func (p *parser) items(s syntax, length int64, depth int) ([]*Dataset, error) {
	if depth+1 > maxDepth {
		return nil, malformed("sequences nested deeper than %d", maxDepth)
	}
	end := int64(-1)
	if length != undefinedLength {
		end = p.r.off + length
	}
	var items []*Dataset
	for {
		if end >= 0 && p.r.off >= end {
			if p.r.off > end {
				return nil, malformed("item runs past the end of its sequence at offset %d", p.r.off)
			}
			return items, nil
		}
		start := p.r.off
		h, err := readItemHeader(p.r, s)
		if err != nil {
			return nil, err
		}
		switch h.tag {
		case TagSequenceDelimitation:
			if end < 0 {
				return items, nil
			}
			return nil, malformed("sequence delimitation in a sequence of defined length at offset %d", start)
		case TagItem:
		default:
			return nil, malformed("%s where a sequence item belongs at offset %d", h.tag, start)
		}
		itemEnd := int64(-1)
		if h.length != undefinedLength {
			itemEnd = p.r.off + h.length
		}
		item, err := p.dataset(s, itemEnd, depth+1, h.length == undefinedLength)
		if err != nil {
			return nil, err
		}
		items = append(items, item)
	}
}

// fragments reads the items of encapsulated pixel data (PS3.5 A.4),
// recording where each lies and skipping its bytes.
func (p *parser) fragments(s syntax) ([]Fragment, error) {
	var frags []Fragment
	for {
		start := p.r.off
		h, err := readItemHeader(p.r, s)
		if err != nil {
			return nil, err
		}
		switch {
		case h.tag == TagSequenceDelimitation:
			return frags, nil
		case h.tag != TagItem:
			return nil, malformed("%s where a pixel data fragment belongs at offset %d", h.tag, start)
		case h.length == undefinedLength:
			return nil, malformed("pixel data fragment of undefined length at offset %d", start)
		}
		frags = append(frags, Fragment{Offset: p.r.off, Length: h.length})
		if err := p.r.discard(h.length); err != nil {
			return nil, err
		}
	}
}

// readItemHeader reads an item or delimitation header: a tag and a 4-byte
// length, no VR, in every transfer syntax.
func readItemHeader(r *reader, s syntax) (header, error) {
	var b [8]byte
	if err := r.full(b[:]); err != nil {
		return header{}, err
	}
	h := header{
		tag:    Tag(uint32(s.bo.Uint16(b[0:]))<<16 | uint32(s.bo.Uint16(b[2:]))),
		length: int64(s.bo.Uint32(b[4:])),
	}
	if h.length == 0xFFFFFFFF {
		h.length = undefinedLength
	}
	return h, nil
}

func printable(c byte) bool { return c >= 0x20 && c < 0x7F }
