package dicomweb

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"

	"github.com/pacslite/pacslite/dicomweb/dataset"
	"github.com/pacslite/pacslite/dicomweb/pixels"
	"github.com/pacslite/pacslite/store/blob"
	"github.com/pacslite/pacslite/store/index"
)

// lossySyntaxes are compressed syntaxes whose pixel data is (or may be)
// lossy: a decoded copy must say so (Lossy Image Compression "01").
var lossySyntaxes = map[string]bool{
	"1.2.840.10008.1.2.4.50": true, "1.2.840.10008.1.2.4.51": true,
	"1.2.840.10008.1.2.4.81": true, "1.2.840.10008.1.2.4.91": true,
	"1.2.840.10008.1.2.4.203": true,
}

// transcodePixels writes a compressed instance as an Explicit VR Little
// Endian Part 10 file with native pixel data, decoding one frame at a time:
// the stored header elements are copied as they are except Photometric
// Interpretation (the decoder's colour space, e.g. RGB for YBR_FULL_422
// JPEG), Planar Configuration (0), Lossy Image Compression (set to "01" for
// lossy syntaxes when absent), group lengths and the Extended Offset Table
// (dropped). Elements after the pixel data (padding, signatures) are
// dropped. The first frame is decoded before anything is written, so an
// undecodable instance fails cleanly.
func transcodePixels(ctx context.Context, store blob.Store, w io.Writer, ref index.InstanceRef) error {
	p, err := readPixelHeader(ctx, store, ref)
	if err != nil {
		return err
	}
	ro := store.(blob.RangeOpener) // readPixelHeader checked
	if p.info == nil || !p.encapsulated {
		return fmt.Errorf("dicomweb: transcode %s: no encapsulated pixel data", ref.BlobKey)
	}
	n := p.info.Frames
	if p.frameCount() < n {
		return errorf(http.StatusNotAcceptable, "the instance's pixel data holds %d of its %d frames and cannot be decoded", p.frameCount(), n)
	}
	decode := func(i int) ([]byte, *pixels.Info, error) {
		b, err := readEncapsulated(ctx, ro, p, i)
		if err != nil {
			return nil, nil, err
		}
		return decodeFrame(p.ts, b, p.info)
	}
	first, out, err := decode(0)
	if err != nil {
		return err
	}
	head, err := readRange(ctx, ro, p.key, 0, p.headerEnd)
	if err != nil {
		return err
	}
	f, err := dataset.Parse(bytes.NewReader(head), dataset.Options{InlineLimit: 1 << 20})
	if err != nil {
		return fmt.Errorf("dicomweb: transcode %s: %w", ref.BlobKey, err)
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	writeMetaGroup(bw, f.Meta)
	if err := copyHeader(bw, head, f, p, out); err != nil {
		return fmt.Errorf("dicomweb: transcode %s: %w", ref.BlobKey, err)
	}
	size := out.FrameSize()
	total := size * int64(n)
	vr := "OB"
	if out.BitsAllocated > 8 {
		vr = "OW"
	}
	writeElement(bw, dataset.TagPixelData, vr, nil, total+total%2)
	bw.Write(first)
	for i := 1; i < n; i++ {
		b, _, err := decode(i)
		if err != nil {
			return err
		}
		if _, err := bw.Write(b); err != nil {
			return err
		}
	}
	if total%2 == 1 {
		bw.WriteByte(0)
	}
	return bw.Flush()
}

// copyHeader copies the top-level elements before the pixel data from the
// stored bytes, replacing the ones decoding changes.
func copyHeader(w *bufio.Writer, head []byte, f *dataset.File, p *pixelHeader, out *pixels.Info) error {
	els := f.Dataset.Elements
	starts := make([]int64, len(els)+1)
	for k, e := range els {
		s, ok := headerStart(head, e)
		if !ok {
			return fmt.Errorf("cannot find the header of %s", e.Tag)
		}
		starts[k] = s
	}
	starts[len(els)] = int64(len(head))
	lossy := lossySyntaxes[p.ts] && f.Dataset.Find(0x00282110) == nil
	for k, e := range els {
		if lossy && e.Tag > 0x00282110 {
			writeElement(w, 0x00282110, "CS", []byte("01"), 2)
			lossy = false
		}
		switch {
		case e.Tag.Element() == 0 || e.Tag == 0x7FE00001 || e.Tag == 0x7FE00002:
			// dropped
		case e.Tag == 0x00280004:
			writeElement(w, e.Tag, "CS", padEven(out.Photometric, ' '), -1)
		case e.Tag == 0x00280006:
			writeElement(w, e.Tag, "US", []byte{0, 0}, 2)
		default:
			w.Write(head[starts[k]:starts[k+1]])
		}
	}
	if lossy {
		writeElement(w, 0x00282110, "CS", []byte("01"), 2)
	}
	return nil
}

// headerStart finds where element e's header starts in the explicit VR
// little endian bytes b: 12 or 8 bytes before its value.
func headerStart(b []byte, e *dataset.Element) (int64, bool) {
	for _, n := range []int64{12, 8} {
		s := e.Offset - n
		if s >= 0 && s+4 <= int64(len(b)) &&
			binary.LittleEndian.Uint16(b[s:]) == e.Tag.Group() && binary.LittleEndian.Uint16(b[s+2:]) == e.Tag.Element() {
			return s, true
		}
	}
	return 0, false
}

// writeMetaGroup writes the preamble, "DICM" and the File Meta Information
// with the explicit VR little endian transfer syntax.
func writeMetaGroup(w *bufio.Writer, meta *dataset.Dataset) {
	var body bytes.Buffer
	bw := bufio.NewWriter(&body)
	if meta.Find(0x00020001) == nil {
		writeElement(bw, 0x00020001, "OB", []byte{0, 1}, 2)
	}
	for _, e := range meta.Elements {
		switch {
		case e.Tag == 0x00020000 || e.Value == nil && e.Length != 0:
		case e.Tag == dataset.TagTransferSyntaxUID:
			writeElement(bw, e.Tag, "UI", padEven(dataset.ExplicitVRLittleEndian, 0), -1)
		default:
			writeElement(bw, e.Tag, e.VR, e.Value, -1)
		}
	}
	if meta.Find(dataset.TagTransferSyntaxUID) == nil {
		writeElement(bw, dataset.TagTransferSyntaxUID, "UI", padEven(dataset.ExplicitVRLittleEndian, 0), -1)
	}
	bw.Flush()
	w.Write(make([]byte, 128))
	w.WriteString("DICM")
	var l [4]byte
	binary.LittleEndian.PutUint32(l[:], uint32(body.Len()))
	writeElement(w, 0x00020000, "UL", l[:], 4)
	w.Write(body.Bytes())
}

// writeElement writes an explicit VR little endian element; length < 0
// means len(value), and value nil writes only the header.
func writeElement(w *bufio.Writer, t dataset.Tag, vr string, value []byte, length int64) {
	if length < 0 {
		length = int64(len(value))
	}
	var h [12]byte
	binary.LittleEndian.PutUint16(h[0:], t.Group())
	binary.LittleEndian.PutUint16(h[2:], t.Element())
	copy(h[4:6], vr)
	switch vr {
	case "OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV":
		binary.LittleEndian.PutUint32(h[8:], uint32(length))
		w.Write(h[:12])
	default:
		binary.LittleEndian.PutUint16(h[6:], uint16(length))
		w.Write(h[:8])
	}
	w.Write(value)
}

// padEven pads a text value to an even length (UI with NUL, others with a
// space).
func padEven(s string, pad byte) []byte {
	b := []byte(s)
	if len(b)%2 == 1 {
		b = append(b, pad)
	}
	return b
}
