package dicomweb

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/pacslite/pacslite/dicomweb/dataset"
	"github.com/pacslite/pacslite/store/blob"
)

// frameSource is one frame ready to go out: in memory, or as byte ranges
// of the blob copied straight to the response. Streaming spares a 512 KB
// buffer per 512x512 frame and, on the filesystem store, lets the kernel
// send the file (sendfile) instead of copying it through Go twice.
type frameSource struct {
	b      []byte             // the frame, when it had to be read (or decoded)
	ranges []dataset.Fragment // or the blob's byte ranges that make it, in order
	first  io.ReadCloser      // ranges[0], opened before the response starts
	n      int64              // the frame's length in bytes
}

// openFrame prepares frame i (from 0) in the negotiated form. Frames that
// are sent exactly as stored (native little-endian data of whole bytes;
// compressed frames whose fragments are known) are streamed; the others are
// read and converted in memory. The first range is opened here, so that a
// missing blob is an error response rather than a cut connection.
func (v *viewer) openFrame(ctx context.Context, p *pixelHeader, i int, form frameForm) (frameSource, error) {
	if ranges := p.storedRanges(i); ranges != nil && !(form.decode && p.encapsulated) {
		ro, _ := v.h.opts.Blobs.(blob.RangeOpener) // readPixelHeader checked
		rc, err := ro.OpenRange(ctx, p.key, ranges[0].Offset, ranges[0].Length)
		if err != nil {
			return frameSource{}, err
		}
		var n int64
		for _, r := range ranges {
			n += r.Length
		}
		return frameSource{ranges: ranges, first: rc, n: n}, nil
	}
	b, err := v.readFrame(ctx, p, i)
	if err == nil && form.decode && p.encapsulated {
		b, _, err = decodeFrame(p.ts, b, p.info)
	}
	return frameSource{b: b, n: int64(len(b))}, err
}

// storedRanges returns the byte ranges of the blob that make frame i as it
// is sent when no conversion is asked, or nil when the frame must be
// converted (byte-swapped, bit-shifted, inflated) or its extent is only
// known by reading it (fragments found from a Basic Offset Table).
// Ranges that run past the end of the blob give nil too: readFrame then
// reports the truncation.
func (p *pixelHeader) storedRanges(i int) []dataset.Fragment {
	if i < 0 || i >= p.frameCount() {
		return nil
	}
	var ranges []dataset.Fragment
	switch {
	case p.encapsulated && p.frames != nil:
		ranges = p.frames[i]
	case p.encapsulated, p.deflated, p.order == binary.BigEndian,
		p.info.BitsAllocated == 1, p.info.FrameBits()%8 != 0:
		return nil
	default:
		n := p.info.FrameBits() / 8
		ranges = []dataset.Fragment{{Offset: p.valueAt + int64(i)*n, Length: n}}
	}
	if len(ranges) == 0 {
		return nil
	}
	for _, r := range ranges {
		if r.Offset < 0 || r.Length <= 0 || r.Offset+r.Length > p.size {
			return nil
		}
	}
	return ranges
}

// writeTo sends the frame and closes what it opened. A short copy is an
// error: the response has promised n bytes.
func (f *frameSource) writeTo(ctx context.Context, ro blob.RangeOpener, key string, w io.Writer) error {
	if f.ranges == nil {
		_, err := w.Write(f.b)
		return err
	}
	for k, r := range f.ranges {
		rc := f.first
		f.first = nil
		if k > 0 {
			var err error
			if rc, err = ro.OpenRange(ctx, key, r.Offset, r.Length); err != nil {
				return err
			}
		}
		m, err := io.Copy(w, rc)
		rc.Close()
		if err == nil && m != r.Length {
			err = fmt.Errorf("dicomweb: %s: frame data at %d: %d of %d bytes", key, r.Offset, m, r.Length)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// close releases what openFrame opened when writeTo is not reached.
func (f *frameSource) close() {
	if f.first != nil {
		f.first.Close()
		f.first = nil
	}
}
