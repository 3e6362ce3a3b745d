package dataset

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
)

// ErrCompressed reports input whose pixel data is encapsulated (a compressed
// transfer syntax), which Transcode cannot turn into native pixels.
var ErrCompressed = errors.New("dataset: compressed pixel data")

// Transcode rewrites the DICOM stream src as a Part 10 file in Explicit VR
// Little Endian, streaming: values are copied through in chunks, never held
// whole. Implicit VR gets VRs from the data dictionary (as Parse reports
// them); big endian values are byte-swapped by VR (OW, including Pixel
// Data, as 16-bit words; OB and UN as they are); deflated input is inflated.
// Sequences and items are written with undefined length, group length
// elements outside the meta group are dropped, and the meta group is
// rewritten with the new Transfer Syntax UID and a correct group length,
// after a zero preamble and "DICM". Explicit VR little endian input (also
// once inflated) is copied through. Encapsulated input returns an error
// wrapping ErrCompressed; bad input errors wrap ErrNotDICOM or ErrMalformed,
// as for Parse. dst may have received part of the output when an error is
// returned.
func Transcode(dst io.Writer, src io.Reader) error {
	return TranscodeWith(dst, src, TranscodeOptions{})
}

// TranscodeOptions fill in the meta group of a transcoded file.
type TranscodeOptions struct {
	// SOPClassUID and SOPInstanceUID become (0002,0002) and (0002,0003)
	// when the source's meta group lacks them (files without one).
	SOPClassUID, SOPInstanceUID string
	// ImplementationClassUID and ImplementationVersionName, when set,
	// replace (0002,0012) and (0002,0013): the writer of the new file.
	ImplementationClassUID, ImplementationVersionName string
}

// TranscodeWith is Transcode with the meta group completed from opts.
func TranscodeWith(dst io.Writer, src io.Reader, opts TranscodeOptions) error {
	// Transcode keeps nothing per element, so it needs no element limit.
	p := &parser{r: newReader(src), opts: Options{InlineLimit: defaultInlineLimit, MaxElements: math.MaxInt}}
	f := &File{Meta: &Dataset{}}
	s, err := p.head(f)
	if err != nil {
		return err
	}
	switch f.TransferSyntax {
	case ImplicitVRLittleEndian, ExplicitVRLittleEndian, ExplicitVRBigEndian, DeflatedExplicitVRLittleEndian:
	default:
		return fmt.Errorf("%w: transfer syntax %s", ErrCompressed, f.TransferSyntax)
	}
	w := bufio.NewWriterSize(dst, 64<<10)
	if err := writeMeta(w, f.Meta, opts); err != nil {
		return err
	}
	if !s.implicit && s.bo == binary.LittleEndian {
		if err := p.r.copyRest(w); err != nil {
			return err
		}
	} else {
		t := &transcoder{p: p, w: w, buf: make([]byte, 32<<10)}
		if err := t.dataset(s, -1, 0, false); err != nil {
			return err
		}
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("dataset: transcode: %w", err)
	}
	return nil
}

// writeMeta writes the preamble, "DICM" and the meta group of the
// transcoded file: the original elements except the group length, with the
// new transfer syntax and the options' values where given, preceded by a
// group length computed for them.
func writeMeta(w io.Writer, meta *Dataset, opts TranscodeOptions) error {
	type metaValue struct {
		vr    string
		value []byte
	}
	values := map[Tag]metaValue{0x00020001: {"OB", []byte{0, 1}}}
	for _, e := range meta.Elements {
		if e.Tag == 0x00020000 || e.Bulk || e.Items != nil || e.Fragments != nil {
			continue // a huge or structured meta value is not worth keeping
		}
		values[e.Tag] = metaValue{e.VR, e.Value}
	}
	uid := func(s string) metaValue {
		if len(s)%2 == 1 {
			s += "\x00"
		}
		return metaValue{"UI", []byte(s)}
	}
	// PS3.10 requires the SOP class and instance; files that came without a
	// meta group (old CDs) get them from the dataset via the options.
	if _, ok := values[0x00020002]; !ok && opts.SOPClassUID != "" {
		values[0x00020002] = uid(opts.SOPClassUID)
	}
	if _, ok := values[0x00020003]; !ok && opts.SOPInstanceUID != "" {
		values[0x00020003] = uid(opts.SOPInstanceUID)
	}
	values[TagTransferSyntaxUID] = uid(ExplicitVRLittleEndian)
	if opts.ImplementationClassUID != "" {
		// This file is written by us: say so, as PS3.10 7.1 asks.
		values[0x00020012] = uid(opts.ImplementationClassUID)
		delete(values, 0x00020013)
		if v := opts.ImplementationVersionName; v != "" {
			if len(v)%2 == 1 {
				v += " "
			}
			values[0x00020013] = metaValue{"SH", []byte(v)}
		}
	}
	tags := make([]Tag, 0, len(values))
	for t := range values {
		tags = append(tags, t)
	}
	slices.Sort(tags)
	body := newWriter()
	for _, t := range tags {
		v := values[t]
		vr := v.vr
		if !hasLongLength(vr) && len(v.value) > 0xFFFF {
			vr = "UN"
		}
		body.element(t, vr, v.value)
	}
	head := newWriter()
	head.Write(make([]byte, 128))
	head.WriteString("DICM")
	var l [4]byte
	binary.LittleEndian.PutUint32(l[:], uint32(body.Len()))
	head.element(0x00020000, "UL", l[:])
	if _, err := w.Write(head.Bytes()); err != nil {
		return fmt.Errorf("dataset: transcode: %w", err)
	}
	if _, err := w.Write(body.Bytes()); err != nil {
		return fmt.Errorf("dataset: transcode: %w", err)
	}
	return nil
}

// transcoder walks an implicit VR or big endian dataset and writes it as
// explicit VR little endian.
type transcoder struct {
	p   *parser // the source and the Pixel Representation of each level
	w   *bufio.Writer
	buf []byte // copy buffer, a multiple of 8 bytes
}

func (t *transcoder) dataset(s syntax, end int64, depth int, undefinedItem bool) error {
	r := t.p.r
	t.p.enter()
	defer t.p.leave()
	for n := 0; ; n++ {
		if end >= 0 && r.off >= end {
			if r.off > end {
				return malformed("element runs past the end of its item at offset %d", r.off)
			}
			return nil
		}
		if end < 0 && !undefinedItem && n > 0 {
			if pad, err := t.p.padding(); pad || err != nil {
				return err // the padding is not copied
			}
		}
		start := r.off
		h, err := readHeader(r, s)
		if err == io.EOF {
			if end < 0 && !undefinedItem {
				return nil
			}
			return malformed("data ends inside an item")
		}
		if err != nil {
			return err
		}
		switch h.tag {
		case TagItemDelimitation:
			if undefinedItem {
				return nil
			}
			return malformed("item delimitation outside an item at offset %d", start)
		case TagItem, TagSequenceDelimitation:
			return malformed("item tag %s outside a sequence at offset %d", h.tag, start)
		}
		if err := t.element(h, s, depth); err != nil {
			return err
		}
	}
}

func (t *transcoder) element(h header, s syntax, depth int) error {
	vr := h.vr
	if vr == "" {
		vr = t.p.implicitVR(h.tag)
	}
	undefined := h.length == undefinedLength
	switch {
	case undefined && (h.tag == TagPixelData || vr == "OB" || vr == "OW"):
		return fmt.Errorf("%w: encapsulated %s in a native transfer syntax", ErrCompressed, h.tag)
	case vr == "SQ" || undefined && (vr == "UN" || s.implicit):
		inner := s
		if vr != "SQ" { // UN of undefined length: implicit VR LE inside (PS3.5 6.2.2)
			inner = syntax{bo: binary.LittleEndian, implicit: true}
		}
		t.header(h.tag, "SQ", undefinedLength)
		if err := t.items(inner, h.length, depth); err != nil {
			return err
		}
		t.header(TagSequenceDelimitation, "", 0)
		return nil
	case undefined:
		return malformed("%s %s with undefined length", h.tag, vr)
	case h.tag.Element() == 0x0000:
		return t.p.r.discard(h.length) // group lengths would need recomputing
	}
	outVR := vr
	if !hasLongLength(vr) && h.length > 0xFFFF {
		outVR = "UN" // too long for a 2-byte length field
	}
	t.header(h.tag, outVR, h.length)
	v, err := t.copyValue(h.length, swapSize(vr, s.bo), h.tag == 0x00280103)
	if err != nil {
		return err
	}
	return t.p.seen(h.tag, v)
}

func (t *transcoder) items(s syntax, length int64, depth int) error {
	if depth+1 > maxDepth {
		return malformed("sequences nested deeper than %d", maxDepth)
	}
	r := t.p.r
	end := int64(-1)
	if length != undefinedLength {
		end = r.off + length
	}
	for {
		if end >= 0 && r.off >= end {
			if r.off > end {
				return malformed("item runs past the end of its sequence at offset %d", r.off)
			}
			return nil
		}
		start := r.off
		h, err := readItemHeader(r, s)
		if err != nil {
			return err
		}
		switch h.tag {
		case TagSequenceDelimitation:
			if end < 0 {
				return nil
			}
			return malformed("sequence delimitation in a sequence of defined length at offset %d", start)
		case TagItem:
		default:
			return malformed("%s where a sequence item belongs at offset %d", h.tag, start)
		}
		itemEnd := int64(-1)
		if h.length != undefinedLength {
			itemEnd = r.off + h.length
		}
		t.header(TagItem, "", undefinedLength)
		if err := t.dataset(s, itemEnd, depth+1, h.length == undefinedLength); err != nil {
			return err
		}
		t.header(TagItemDelimitation, "", 0)
	}
}

// header writes an explicit VR little endian element header; vr "" writes
// an item or delimitation header.
func (t *transcoder) header(tag Tag, vr string, length int64) {
	var b [12]byte
	binary.LittleEndian.PutUint16(b[0:], tag.Group())
	binary.LittleEndian.PutUint16(b[2:], tag.Element())
	l := uint32(length)
	if length == undefinedLength {
		l = 0xFFFFFFFF
	}
	switch {
	case vr == "":
		binary.LittleEndian.PutUint32(b[4:], l)
		t.w.Write(b[:8])
	case hasLongLength(vr):
		copy(b[4:], vr)
		binary.LittleEndian.PutUint32(b[8:], l)
		t.w.Write(b[:12])
	default:
		copy(b[4:], vr)
		binary.LittleEndian.PutUint16(b[6:], uint16(l))
		t.w.Write(b[:8])
	}
}

// copyValue copies an n-byte value to the output, reversing each group of
// swap bytes (0: none); with keep it also returns the (swapped) bytes.
func (t *transcoder) copyValue(n int64, swap int, keep bool) ([]byte, error) {
	var kept []byte
	for n > 0 {
		c := int64(len(t.buf))
		if n < c {
			c = n
		}
		chunk := t.buf[:c]
		if err := t.p.r.full(chunk); err != nil {
			return nil, err
		}
		if swap > 1 {
			swapBytes(chunk[:len(chunk)-len(chunk)%swap], swap)
		}
		if keep {
			kept = append(kept, chunk...)
		}
		if _, err := t.w.Write(chunk); err != nil {
			return nil, fmt.Errorf("dataset: transcode: %w", err)
		}
		n -= c
	}
	return kept, nil
}

// swapSize is the size of the units to byte-swap when converting a value
// of vr from byte order bo to little endian.
func swapSize(vr string, bo binary.ByteOrder) int {
	if bo != binary.BigEndian {
		return 0
	}
	switch vr {
	case "US", "SS", "OW", "AT":
		return 2
	case "UL", "SL", "FL", "OF", "OL":
		return 4
	case "SV", "UV", "FD", "OD", "OV":
		return 8
	}
	return 0
}

func swapBytes(b []byte, size int) {
	for i := 0; i+size <= len(b); i += size {
		for j, k := i, i+size-1; j < k; j, k = j+1, k-1 {
			b[j], b[k] = b[k], b[j]
		}
	}
}
