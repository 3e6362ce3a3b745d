package pixels

import (
	"encoding/binary"
	"fmt"
)

// sampler returns the stored value of sample s of pixel p of a native
// frame (little endian), with BitsStored masking and sign extension.
type sampler func(p, s int) int64

// newSampler checks that data holds a whole frame and returns its sampler.
func newSampler(in *Info, data []byte) (sampler, error) {
	if int64(len(data))*8 < in.FrameBits() {
		return nil, fmt.Errorf("%w: frame has %d bytes, want %d", ErrUnsupported, len(data), in.FrameSize())
	}
	n := in.Rows * in.Columns
	spp := in.SamplesPerPixel
	index := func(p, s int) int { return p*spp + s }
	if in.PlanarConfiguration == 1 && spp > 1 {
		index = func(p, s int) int { return s*n + p }
	}
	var raw func(i int) uint32
	switch in.BitsAllocated {
	case 1:
		raw = func(i int) uint32 { return uint32(data[i>>3]>>(i&7)) & 1 }
	case 8:
		raw = func(i int) uint32 { return uint32(data[i]) }
	case 16:
		raw = func(i int) uint32 { return uint32(binary.LittleEndian.Uint16(data[2*i:])) }
	default:
		raw = func(i int) uint32 { return binary.LittleEndian.Uint32(data[4*i:]) }
	}
	shift := uint(in.HighBit + 1 - in.BitsStored)
	bits := uint(in.BitsStored)
	mask := uint64(1)<<bits - 1
	signed := in.PixelRepresentation == 1
	return func(p, s int) int64 {
		v := uint64(raw(index(p, s))>>shift) & mask
		if signed && v>>(bits-1) != 0 {
			return int64(v) - int64(1)<<bits
		}
		return int64(v)
	}, nil
}

// storedRange is the range of values BitsStored allows.
func storedRange(in *Info) (lo, hi int64) {
	if in.PixelRepresentation == 1 {
		return -(int64(1) << (in.BitsStored - 1)), int64(1)<<(in.BitsStored-1) - 1
	}
	return 0, int64(1)<<in.BitsStored - 1
}

// grayValues returns the stored values of a one-sample frame of up to 16
// bits, with their minimum and maximum: the hot loop of rendering, without
// a function call per pixel for 8 and 16 bits.
func grayValues(in *Info, data []byte, sample sampler) (vals []int32, lo, hi int32) {
	n := in.Rows * in.Columns
	vals = make([]int32, n)
	shift := uint(in.HighBit + 1 - in.BitsStored)
	bits := uint(in.BitsStored)
	mask := uint32(1)<<bits - 1
	sign := uint32(0)
	if in.PixelRepresentation == 1 {
		sign = 1 << (bits - 1)
	}
	conv := func(raw uint32) int32 {
		v := raw >> shift & mask
		return int32(v^sign) - int32(sign) // sign-extends when sign != 0
	}
	switch in.BitsAllocated {
	case 8:
		for p := range n {
			vals[p] = conv(uint32(data[p]))
		}
	case 16:
		for p := range n {
			vals[p] = conv(uint32(data[2*p]) | uint32(data[2*p+1])<<8)
		}
	default:
		for p := range n {
			vals[p] = int32(sample(p, 0))
		}
	}
	lo, hi = vals[0], vals[0]
	for _, v := range vals {
		lo, hi = min(lo, v), max(hi, v)
	}
	return vals, lo, hi
}
