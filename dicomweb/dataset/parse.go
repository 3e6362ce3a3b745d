package dataset

import (
	"encoding/binary"
	"io"
)

// maxDepth limits sequence nesting; real files stay below ten levels.
const maxDepth = 64

// Defaults for zero Options fields.
const (
	defaultInlineLimit = 64 << 10
	defaultMaxElements = 1 << 20
)

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
	if opts.MaxElements <= 0 {
		opts.MaxElements = defaultMaxElements
	}
	p := &parser{r: newReader(r), opts: opts}
	return p.file()
}

// parser holds the state of one Parse call.
type parser struct {
	r       *reader
	opts    Options
	stopped bool // StopAtPixelData reached the pixel data
	// pixelRep holds Pixel Representation (0028,0103) of each enclosing
	// dataset, innermost last, -1 where there is none yet: implicit VR
	// "US or SS" elements depend on it.
	pixelRep []int
	elements int // elements and items read, against Options.MaxElements
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

// dataset reads elements until end (an offset; -1: the end of the stream,
// or the item delimitation when undefinedItem is set).
func (p *parser) dataset(s syntax, end int64, depth int, undefinedItem bool) (*Dataset, error) {
	d := &Dataset{}
	p.enter()
	defer p.leave()
	for {
		if end >= 0 && p.r.off >= end {
			if p.r.off > end {
				return nil, malformed("element runs past the end of its item at offset %d", p.r.off)
			}
			return d, nil
		}
		if end < 0 && !undefinedItem && len(d.Elements) > 0 {
			if pad, err := p.padding(); pad || err != nil {
				return d, err
			}
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
	if err := p.seen(h.tag, e.Value); err != nil {
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
	for i := len(p.pixelRep) - 1; i >= 0; i-- {
		if p.pixelRep[i] >= 0 {
			return p.pixelRep[i]
		}
	}
	return -1
}

// enter and leave bracket the reading of a dataset.
func (p *parser) enter() { p.pixelRep = append(p.pixelRep, -1) }
func (p *parser) leave() { p.pixelRep = p.pixelRep[:len(p.pixelRep)-1] }

// seen records what later elements depend on and enforces MaxElements.
func (p *parser) seen(t Tag, value []byte) error {
	if t == 0x00280103 && len(value) == 2 && len(p.pixelRep) > 0 {
		// Only implicit VR needs it, and implicit VR is little endian.
		p.pixelRep[len(p.pixelRep)-1] = int(binary.LittleEndian.Uint16(value))
	}
	p.elements++
	if p.elements > p.opts.MaxElements {
		return malformed("more than %d elements", p.opts.MaxElements)
	}
	return nil
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
		if err := p.seen(h.tag, nil); err != nil {
			return nil, err
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
