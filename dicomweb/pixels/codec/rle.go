package codec

import (
	"encoding/binary"
	"fmt"
)

// decodeRLE decodes an RLE Lossless frame (PS3.5 Annex G): a 64-byte
// header of segment offsets, then one PackBits-style segment per byte of
// each sample, most significant byte first, each segment holding that byte
// of every pixel.
func decodeRLE(frame []byte, info FrameInfo) ([]byte, error) {
	if len(frame) < 64 {
		return nil, fmt.Errorf("%w: RLE header truncated", ErrCorrupt)
	}
	size := info.BitsAllocated / 8
	spp := info.SamplesPerPixel
	n := int(binary.LittleEndian.Uint32(frame))
	if n != spp*size || n > 15 {
		return nil, fmt.Errorf("%w: RLE frame has %d segments, want %d", ErrCorrupt, n, spp*size)
	}
	pixels := info.Rows * info.Columns
	out := make([]byte, info.Size())
	for seg := 0; seg < n; seg++ {
		start := int(binary.LittleEndian.Uint32(frame[4+4*seg:]))
		end := len(frame)
		if seg+1 < n {
			end = int(binary.LittleEndian.Uint32(frame[8+4*seg:]))
		}
		if start < 64 || start > end || end > len(frame) {
			return nil, fmt.Errorf("%w: RLE segment %d at bad offset", ErrCorrupt, seg)
		}
		s, b := seg/size, size-1-seg%size // sample, byte within it (little endian)
		if err := unpackBits(frame[start:end], out, pixels, (s*size)+b, spp*size); err != nil {
			return nil, fmt.Errorf("%w: RLE segment %d: %v", ErrCorrupt, seg, err)
		}
	}
	return out, nil
}

// unpackBits decodes one segment into want bytes of out, the first at
// index first and then every stride bytes.
func unpackBits(src, out []byte, want, first, stride int) error {
	o := first
	got := 0
	for i := 0; i < len(src) && got < want; {
		c := int(int8(src[i]))
		i++
		switch {
		case c >= 0: // copy the next c+1 bytes
			n := c + 1
			if i+n > len(src) {
				return fmt.Errorf("literal run past the end")
			}
			for k := 0; k < n && got < want; k++ {
				out[o] = src[i+k]
				o += stride
				got++
			}
			i += n
		case c != -128: // repeat the next byte 1-c times
			if i >= len(src) {
				return fmt.Errorf("replicate run past the end")
			}
			for k := 0; k < 1-c && got < want; k++ {
				out[o] = src[i]
				o += stride
				got++
			}
			i++
		}
	}
	if got < want {
		return fmt.Errorf("%d of %d bytes", got, want)
	}
	return nil
}
