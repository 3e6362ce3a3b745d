package dataset

import (
	"compress/flate"
	"encoding/binary"
	"fmt"
	"io"
	"strings"
)

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
		f.TransferSyntax = ExplicitVRLittleEndian
		if f.Implicit {
			f.TransferSyntax = ImplicitVRLittleEndian
		}
	} else {
		// Some writers declare explicit VR and write implicit VR. Bytes 4-5
		// of an implicit header are the low half of a length, rarely two
		// printable characters; an unknown but printable VR stays explicit.
		f.Implicit = len(b) == 8 && !looksExplicit(b) && !(printable(b[4]) && printable(b[5]))
	}
	return syntax{bo: binary.LittleEndian, implicit: f.Implicit}
}

// padding reads trailing zero bytes after the last element of the main
// dataset, which some writers add (a tag of 0000 cannot follow other
// elements), and reports whether it did; other bytes after zeros are
// malformed.
func (p *parser) padding() (bool, error) {
	b := p.r.peek(4)
	if len(b) == 0 || !allZero(b) {
		return false, nil
	}
	buf := make([]byte, 4096)
	for {
		n, err := p.r.br.Read(buf)
		p.r.off += int64(n)
		if !allZero(buf[:n]) {
			return true, malformed("data after zero padding at offset %d", p.r.off)
		}
		if err == io.EOF {
			return true, nil
		}
		if err != nil {
			return true, p.r.fail(err)
		}
	}
}

func allZero(b []byte) bool {
	for _, x := range b {
		if x != 0 {
			return false
		}
	}
	return true
}

func printable(c byte) bool { return c >= 0x20 && c < 0x7F }
