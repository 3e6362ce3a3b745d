//go:build cgo && !nocodecs

package codec

/*
#cgo CXXFLAGS: -I/usr/include/dcmtk -O2
#cgo LDFLAGS: -ldcmjpeg -lijg8 -lijg12 -lijg16 -ldcmimgle -ldcmdata -loflog -lofstd -lstdc++
#include <stdlib.h>
#include "jpeg_dcmtk.h"
*/
import "C"

import (
	"fmt"
	"unsafe"
)

const cgoCodecs = true

// decodeJPEG decodes a JPEG frame of any process with DCMTK's IJG build of
// the stream's precision.
func decodeJPEG(ts string, frame []byte, info FrameInfo) ([]byte, error) {
	h, err := readSOF(frame)
	if err != nil {
		return nil, err
	}
	if h.rows != info.Rows || h.cols != info.Columns || h.components != info.SamplesPerPixel {
		return nil, fmt.Errorf("%w: JPEG frame is %dx%dx%d, dataset says %dx%dx%d", ErrCorrupt,
			h.cols, h.rows, h.components, info.Columns, info.Rows, info.SamplesPerPixel)
	}
	if h.precision < 2 || h.precision > 16 {
		return nil, fmt.Errorf("%w: JPEG precision %d", ErrCorrupt, h.precision)
	}
	size := 1
	if h.precision > 8 {
		size = 2
	}
	n := info.Rows * info.Columns * info.SamplesPerPixel
	out := make([]byte, n*size)
	convert := 0
	if OutputPhotometric(ts, info) != info.Photometric {
		convert = 1
	}
	signed := C.int(info.PixelRepresentation)
	var msg [256]C.char
	rc := C.pl_jpeg_decode((*C.uchar)(unsafe.Pointer(&frame[0])), C.uint(len(frame)),
		(*C.uchar)(unsafe.Pointer(&out[0])), C.uint(len(out)),
		C.int(h.precision), C.int(convert), signed, &msg[0], C.int(len(msg)))
	if rc != 0 {
		return nil, fmt.Errorf("%w: JPEG: %s", ErrCorrupt, C.GoString(&msg[0]))
	}
	return widen(out, size, n, info)
}
