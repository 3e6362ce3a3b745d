package codec

import (
	"errors"
	"fmt"
	"strings"
)

// ErrUnsupported is returned (wrapped) for transfer syntaxes or pixel
// layouts this package cannot decode.
var ErrUnsupported = errors.New("codec: unsupported")

// ErrCorrupt is returned (wrapped) when the compressed data cannot be
// decoded or does not match the declared image.
var ErrCorrupt = errors.New("codec: corrupt or mismatched frame")

// Transfer syntaxes with compressed pixel data.
const (
	JPEGBaseline       = "1.2.840.10008.1.2.4.50"
	JPEGExtended       = "1.2.840.10008.1.2.4.51"
	JPEGLossless       = "1.2.840.10008.1.2.4.57"
	JPEGLosslessSV1    = "1.2.840.10008.1.2.4.70"
	JPEGLSLossless     = "1.2.840.10008.1.2.4.80"
	JPEGLSNearLossless = "1.2.840.10008.1.2.4.81"
	JPEG2000Lossless   = "1.2.840.10008.1.2.4.90"
	JPEG2000           = "1.2.840.10008.1.2.4.91"
	HTJ2KLossless      = "1.2.840.10008.1.2.4.201"
	HTJ2KLosslessRPCL  = "1.2.840.10008.1.2.4.202"
	HTJ2K              = "1.2.840.10008.1.2.4.203"
	RLELossless        = "1.2.840.10008.1.2.5"
)

// FrameInfo describes the frame as the dataset declares it.
type FrameInfo struct {
	Rows, Columns       int
	SamplesPerPixel     int
	BitsAllocated       int // 8 or 16 (RLE also 32)
	BitsStored          int
	PixelRepresentation int    // 1: signed
	Photometric         string // PhotometricInterpretation as stored
}

// Size is the byte size of one decoded frame.
func (fi FrameInfo) Size() int {
	return fi.Rows * fi.Columns * fi.SamplesPerPixel * fi.BitsAllocated / 8
}

// family groups the syntaxes by decoder.
func family(ts string) string {
	switch ts {
	case JPEGBaseline, JPEGExtended, JPEGLossless, JPEGLosslessSV1:
		return "jpeg"
	case JPEGLSLossless, JPEGLSNearLossless:
		return "jpegls"
	case JPEG2000Lossless, JPEG2000, HTJ2KLossless, HTJ2KLosslessRPCL, HTJ2K:
		return "j2k"
	case RLELossless:
		return "rle"
	}
	return ""
}

// CanDecode reports whether Decode handles the transfer syntax.
func CanDecode(ts string) bool {
	return family(ts) != "" && (family(ts) == "rle" || cgoCodecs)
}

// Syntaxes lists the transfer syntaxes Decode handles.
func Syntaxes() []string {
	var out []string
	for _, ts := range []string{JPEGBaseline, JPEGExtended, JPEGLossless, JPEGLosslessSV1,
		JPEGLSLossless, JPEGLSNearLossless, JPEG2000Lossless, JPEG2000,
		HTJ2KLossless, HTJ2KLosslessRPCL, HTJ2K, RLELossless} {
		if CanDecode(ts) {
			out = append(out, ts)
		}
	}
	return out
}

// OutputPhotometric is the Photometric Interpretation of what Decode
// returns for a frame stored as info describes: lossy JPEG in a YBR colour
// space and JPEG 2000 with a multi-component transform come back as RGB,
// everything else as stored.
func OutputPhotometric(ts string, info FrameInfo) string {
	pi := info.Photometric
	switch {
	case info.SamplesPerPixel == 3 && (ts == JPEGBaseline || ts == JPEGExtended) && strings.HasPrefix(pi, "YBR"):
		return "RGB"
	case info.SamplesPerPixel == 3 && family(ts) == "j2k" && (pi == "YBR_ICT" || pi == "YBR_RCT"):
		return "RGB"
	}
	return pi
}

// Decode decodes one compressed frame of transfer syntax ts. The result
// has exactly info.Size() bytes: little endian, interleaved samples, in the
// colour space OutputPhotometric names.
func Decode(ts string, frame []byte, info FrameInfo) ([]byte, error) {
	if err := info.check(); err != nil {
		return nil, err
	}
	if !CanDecode(ts) {
		return nil, fmt.Errorf("%w: transfer syntax %s", ErrUnsupported, ts)
	}
	if len(frame) == 0 {
		return nil, fmt.Errorf("%w: empty frame", ErrCorrupt)
	}
	switch family(ts) {
	case "jpeg":
		return decodeJPEG(ts, frame, info)
	case "jpegls":
		return decodeJPEGLS(frame, info)
	case "j2k":
		return decodeJ2K(frame, info)
	default:
		return decodeRLE(frame, info)
	}
}

func (fi FrameInfo) check() error {
	switch {
	case fi.Rows <= 0 || fi.Columns <= 0 || fi.Rows > 65535 || fi.Columns > 65535:
		return fmt.Errorf("%w: %dx%d pixels", ErrUnsupported, fi.Columns, fi.Rows)
	case fi.SamplesPerPixel != 1 && fi.SamplesPerPixel != 3:
		return fmt.Errorf("%w: %d samples per pixel", ErrUnsupported, fi.SamplesPerPixel)
	case fi.BitsAllocated != 8 && fi.BitsAllocated != 16 && fi.BitsAllocated != 32:
		return fmt.Errorf("%w: %d bits allocated", ErrUnsupported, fi.BitsAllocated)
	case fi.BitsStored <= 0 || fi.BitsStored > fi.BitsAllocated:
		return fmt.Errorf("%w: %d bits stored of %d", ErrUnsupported, fi.BitsStored, fi.BitsAllocated)
	}
	return nil
}

// widen returns samples of src (size bytes each, little endian) as
// info.BitsAllocated-bit samples; n is the number of samples.
func widen(src []byte, size, n int, info FrameInfo) ([]byte, error) {
	out := info.BitsAllocated / 8
	if len(src) < n*size {
		return nil, fmt.Errorf("%w: decoded %d bytes, want %d", ErrCorrupt, len(src), n*size)
	}
	if size == out {
		return src[:n*size], nil
	}
	if size > out {
		return nil, fmt.Errorf("%w: %d-bit samples do not fit %d bits allocated", ErrCorrupt, size*8, info.BitsAllocated)
	}
	dst := make([]byte, n*out)
	for i := 0; i < n; i++ {
		var v uint32
		for b := 0; b < size; b++ {
			v |= uint32(src[i*size+b]) << (8 * b)
		}
		if info.PixelRepresentation == 1 && v&(1<<(uint(size)*8-1)) != 0 {
			v |= ^uint32(0) << (uint(size) * 8) // sign-extend
		}
		for b := 0; b < out; b++ {
			dst[i*out+b] = byte(v >> (8 * b))
		}
	}
	return dst, nil
}
