package dicomweb

import (
	"bufio"
	"compress/flate"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/pacslite/pacslite/dicomweb/pixels"
	"github.com/pacslite/pacslite/dicomweb/pixels/codec"
	"github.com/pacslite/pacslite/store/blob"
)

// readFrame returns frame i (from 0) as stored: for native pixel data
// exactly FrameSize bytes, little endian (big endian files swapped,
// deflated files inflated, 1-bit frames shifted to start at bit 0); for
// encapsulated pixel data the frame's fragments joined. Only the frame's
// bytes are read from storage.
func (v *viewer) readFrame(ctx context.Context, p *pixelHeader, i int) ([]byte, error) {
	if i < 0 || i >= p.frameCount() {
		return nil, errorf(http.StatusNotFound, "frame %d is not in the instance (it has %d)", i+1, p.frameCount())
	}
	ro, _ := v.h.opts.Blobs.(blob.RangeOpener) // readPixelHeader checked
	if p.encapsulated {
		return readEncapsulated(ctx, ro, p, i)
	}
	bits := p.info.FrameBits()
	start := int64(i) * bits
	shift := uint(start % 8)
	n := (int64(shift) + bits + 7) / 8
	at := p.valueAt + start/8
	var b []byte
	var err error
	if p.deflated {
		b, err = v.readInflated(ctx, p, at, n)
	} else {
		b, err = readRange(ctx, ro, p.key, at, n)
	}
	if err != nil {
		return nil, err
	}
	if int64(len(b)) < n {
		return nil, fmt.Errorf("dicomweb: %s: frame %d: pixel data truncated", p.key, i+1)
	}
	if p.info.BitsAllocated == 1 {
		return packBits(b, shift, bits), nil
	}
	if p.order == binary.BigEndian {
		swapWords(b, p.info.BitsAllocated/8)
	}
	return b, nil
}

// packBits returns the bits bits of b starting at bit shift of b[0], as
// bytes starting at bit 0, unused bits of the last byte cleared.
func packBits(b []byte, shift uint, bits int64) []byte {
	out := make([]byte, (bits+7)/8)
	for j := range out {
		v := b[j] >> shift
		if shift > 0 && j+1 < len(b) {
			v |= b[j+1] << (8 - shift)
		}
		out[j] = v
	}
	if r := bits % 8; r != 0 {
		out[len(out)-1] &= byte(1)<<r - 1
	}
	return out
}

func swapWords(b []byte, size int) {
	for i := 0; i+size <= len(b); i += size {
		for j, k := i, i+size-1; j < k; j, k = j+1, k-1 {
			b[j], b[k] = b[k], b[j]
		}
	}
}

// readInflated reads n bytes at offset at of a deflated file's inflated
// dataset, inflating from the start (deflated files are small and rare).
func (v *viewer) readInflated(ctx context.Context, p *pixelHeader, at, n int64) ([]byte, error) {
	rc, err := v.h.opts.Blobs.Open(ctx, p.key)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	br := bufio.NewReaderSize(rc, 64<<10)
	if _, err := br.Discard(int(p.dataAt)); err != nil {
		return nil, fmt.Errorf("dicomweb: %s: %w", p.key, err)
	}
	zr := flate.NewReader(br)
	defer zr.Close()
	if _, err := io.CopyN(io.Discard, zr, at); err != nil {
		return nil, fmt.Errorf("dicomweb: %s: inflate: %w", p.key, err)
	}
	b := make([]byte, n)
	m, err := io.ReadFull(zr, b)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, fmt.Errorf("dicomweb: %s: inflate: %w", p.key, err)
	}
	return b[:m], nil
}

// readEncapsulated joins the fragments of compressed frame i. A frame of
// one fragment, the usual case, is returned as read, without a copy.
func readEncapsulated(ctx context.Context, ro blob.RangeOpener, p *pixelHeader, i int) ([]byte, error) {
	if p.frames != nil {
		frags := p.frames[i]
		if len(frags) == 1 {
			return readRange(ctx, ro, p.key, frags[0].Offset, frags[0].Length)
		}
		var n int64
		for _, fr := range frags {
			n += fr.Length
		}
		out := make([]byte, 0, n)
		for _, fr := range frags {
			b, err := readRange(ctx, ro, p.key, fr.Offset, fr.Length)
			if err != nil {
				return nil, err
			}
			out = append(out, b...)
		}
		return out, nil
	}
	// Basic Offset Table spans: the items between this frame's first item
	// and the next frame's (or the sequence delimiter).
	end := p.size
	if i+1 < len(p.spans) {
		end = p.spans[i+1]
	}
	b, err := readRange(ctx, ro, p.key, p.spans[i], end-p.spans[i])
	if err != nil {
		return nil, err
	}
	var out []byte
	for len(b) >= 8 {
		tag, n := binary.LittleEndian.Uint32(b), int64(binary.LittleEndian.Uint32(b[4:]))
		if tag != 0xE000FFFE || n > int64(len(b)-8) {
			break // the sequence delimiter, or what follows the pixel data
		}
		if out == nil && !isItem(b[8+n:]) {
			out = b[8 : 8+n] // a single fragment: no copy
			break
		}
		out = append(out, b[8:8+n]...)
		b = b[8+n:]
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("dicomweb: %s: frame %d: no fragment at the offset the Basic Offset Table gives", p.key, i+1)
	}
	return out, nil
}

// isItem reports whether b starts with the header of a fragment item that
// fits in b.
func isItem(b []byte) bool {
	return len(b) >= 8 && binary.LittleEndian.Uint32(b) == 0xE000FFFE &&
		int64(binary.LittleEndian.Uint32(b[4:])) <= int64(len(b)-8)
}

// decodedFrame returns frame i as native little-endian pixels and the Info
// that describes them: compressed frames decoded, native ones as read.
func (v *viewer) decodedFrame(ctx context.Context, p *pixelHeader, i int) ([]byte, *pixels.Info, error) {
	b, err := v.readFrame(ctx, p, i)
	if err != nil {
		return nil, nil, err
	}
	if !p.encapsulated {
		return b, p.info, nil
	}
	out, info, err := decodeFrame(p.ts, b, p.info)
	return out, info, err
}

// decodeFrame decodes a compressed frame. Syntaxes without a decoder and
// data the decoder refuses give 406 with the decoder's reason (rendering
// turns it into 415): never a corrupted image.
func decodeFrame(ts string, frame []byte, in *pixels.Info) ([]byte, *pixels.Info, error) {
	fi := frameInfo(in)
	if !codec.CanDecode(ts) {
		return nil, nil, errorf(http.StatusNotAcceptable, "pixel data in transfer syntax %s cannot be decoded here; ask for it as stored (transfer-syntax=*)", ts)
	}
	out, err := codec.Decode(ts, frame, fi)
	if err != nil {
		return nil, nil, errorf(http.StatusNotAcceptable, "pixel data cannot be decoded: %v", err)
	}
	return out, in.Decoded(codec.OutputPhotometric(ts, fi)), nil
}

func frameInfo(in *pixels.Info) codec.FrameInfo {
	return codec.FrameInfo{Rows: in.Rows, Columns: in.Columns, SamplesPerPixel: in.SamplesPerPixel,
		BitsAllocated: in.BitsAllocated, BitsStored: in.BitsStored,
		PixelRepresentation: in.PixelRepresentation, Photometric: in.Photometric}
}

// canDecodeForServing reports whether compressed frames of ts can be
// decoded for transcoding and rendering.
func canDecodeForServing(ts string) bool { return codec.CanDecode(ts) }
