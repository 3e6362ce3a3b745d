//go:build cgo && !nocodecs

package codec

/*
#cgo pkg-config: charls
#include <stdlib.h>
#include <charls/charls.h>

// pl_jpegls_decode decodes a JPEG-LS stream into dst in the stream's own
// interleave mode. On success it returns 0 and fills *info and *ilv.
static int pl_jpegls_decode(const void *src, size_t srcLen, void *dst, size_t dstLen,
                            charls_frame_info *info, int *ilv, const char **msg) {
	charls_jpegls_decoder *dec = charls_jpegls_decoder_create();
	if (!dec) {
		*msg = "out of memory";
		return -1;
	}
	charls_jpegls_errc rc = charls_jpegls_decoder_set_source_buffer(dec, src, srcLen);
	if (!rc) rc = charls_jpegls_decoder_read_header(dec);
	if (!rc) rc = charls_jpegls_decoder_get_frame_info(dec, info);
	charls_interleave_mode mode = CHARLS_INTERLEAVE_MODE_NONE;
	if (!rc) rc = charls_jpegls_decoder_get_interleave_mode(dec, &mode);
	size_t need = 0;
	if (!rc) rc = charls_jpegls_decoder_get_destination_size(dec, 0, &need);
	if (!rc && need > dstLen) {
		charls_jpegls_decoder_destroy(dec);
		*msg = "JPEG-LS image larger than the dataset declares";
		return -1;
	}
	if (!rc) rc = charls_jpegls_decoder_decode_to_buffer(dec, dst, need, 0);
	charls_jpegls_decoder_destroy(dec);
	if (rc) {
		*msg = charls_get_error_message(rc);
		return -1;
	}
	*ilv = (int)mode;
	return 0;
}
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// decodeJPEGLS decodes a JPEG-LS frame with CharLS.
func decodeJPEGLS(frame []byte, info FrameInfo) ([]byte, error) {
	size := 1
	if info.BitsStored > 8 {
		size = 2
	}
	n := info.Rows * info.Columns * info.SamplesPerPixel
	out := make([]byte, n*2) // room for 16-bit samples whatever BitsStored says
	var fi C.charls_frame_info
	var ilv C.int
	var msg *C.char
	rc := C.pl_jpegls_decode(unsafe.Pointer(&frame[0]), C.size_t(len(frame)),
		unsafe.Pointer(&out[0]), C.size_t(len(out)), &fi, &ilv, &msg)
	if rc != 0 {
		return nil, fmt.Errorf("%w: JPEG-LS: %s", ErrCorrupt, C.GoString(msg))
	}
	if int(fi.width) != info.Columns || int(fi.height) != info.Rows || int(fi.component_count) != info.SamplesPerPixel {
		return nil, fmt.Errorf("%w: JPEG-LS frame is %dx%dx%d, dataset says %dx%dx%d", ErrCorrupt,
			fi.width, fi.height, fi.component_count, info.Columns, info.Rows, info.SamplesPerPixel)
	}
	if fi.bits_per_sample > 8 {
		size = 2
	} else {
		size = 1
	}
	out = out[:n*size]
	if ilv == C.CHARLS_INTERLEAVE_MODE_NONE && info.SamplesPerPixel > 1 {
		out = interleave(out, info.SamplesPerPixel, size)
	}
	return widen(out, size, n, info)
}

// interleave turns planar samples (all of the first component, then the
// second, ...) into interleaved ones.
func interleave(planar []byte, samples, size int) []byte {
	out := make([]byte, len(planar))
	plane := len(planar) / samples
	pixels := plane / size
	for s := 0; s < samples; s++ {
		for p := 0; p < pixels; p++ {
			copy(out[(p*samples+s)*size:(p*samples+s+1)*size], planar[s*plane+p*size:s*plane+(p+1)*size])
		}
	}
	return out
}
