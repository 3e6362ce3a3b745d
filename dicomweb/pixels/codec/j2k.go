//go:build cgo && !nocodecs

package codec

/*
#cgo pkg-config: libopenjp2
#include <stdlib.h>
#include <string.h>
#include <openjpeg.h>

typedef struct {
	const unsigned char *data;
	OPJ_SIZE_T len, pos;
} pl_mem;

static OPJ_SIZE_T pl_read(void *buf, OPJ_SIZE_T n, void *user) {
	pl_mem *m = user;
	if (m->pos >= m->len) return (OPJ_SIZE_T)-1;
	if (n > m->len - m->pos) n = m->len - m->pos;
	memcpy(buf, m->data + m->pos, n);
	m->pos += n;
	return n;
}

static OPJ_OFF_T pl_skip(OPJ_OFF_T n, void *user) {
	pl_mem *m = user;
	if (n < 0 && (OPJ_SIZE_T)(-n) > m->pos) n = -(OPJ_OFF_T)m->pos;
	if (n > 0 && (OPJ_SIZE_T)n > m->len - m->pos) n = m->len - m->pos;
	m->pos += n;
	return n;
}

static OPJ_BOOL pl_seek(OPJ_OFF_T n, void *user) {
	pl_mem *m = user;
	if (n < 0 || (OPJ_SIZE_T)n > m->len) return OPJ_FALSE;
	m->pos = n;
	return OPJ_TRUE;
}

static void pl_quiet(const char *msg, void *user) { (void)msg; (void)user; }

static void pl_error(const char *msg, void *user) {
	char *buf = user;
	if (buf[0] == 0) strncpy(buf, msg, 255);
}

// pl_j2k_decode decodes a JPEG 2000 codestream (or JP2 file) from memory.
// The caller frees the image with opj_image_destroy.
static opj_image_t *pl_j2k_decode(const unsigned char *src, size_t len, char *err) {
	OPJ_CODEC_FORMAT fmt = OPJ_CODEC_J2K;
	if (len >= 12 && memcmp(src + 4, "jP  ", 4) == 0) fmt = OPJ_CODEC_JP2;
	pl_mem m = {src, len, 0};
	opj_codec_t *codec = opj_create_decompress(fmt);
	opj_dparameters_t params;
	opj_set_default_decoder_parameters(&params);
	opj_set_info_handler(codec, pl_quiet, NULL);
	opj_set_warning_handler(codec, pl_quiet, NULL);
	opj_set_error_handler(codec, pl_error, err);
	opj_image_t *img = NULL;
	opj_stream_t *st = opj_stream_create(64 * 1024, OPJ_TRUE);
	opj_stream_set_user_data(st, &m, NULL);
	opj_stream_set_user_data_length(st, len);
	opj_stream_set_read_function(st, pl_read);
	opj_stream_set_skip_function(st, pl_skip);
	opj_stream_set_seek_function(st, pl_seek);
	int ok = opj_setup_decoder(codec, &params) && opj_read_header(st, codec, &img) &&
		opj_decode(codec, st, img) && opj_end_decompress(codec, st);
	opj_stream_destroy(st);
	opj_destroy_codec(codec);
	if (!ok) {
		if (img) opj_image_destroy(img);
		if (err[0] == 0) strcpy(err, "JPEG 2000 decoding failed");
		return NULL;
	}
	return img;
}

static opj_image_comp_t *pl_comp(opj_image_t *img, int i) { return &img->comps[i]; }
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// decodeJ2K decodes a JPEG 2000 or HTJ2K frame with OpenJPEG, which also
// undoes a multi-component transform (YBR_ICT / YBR_RCT come back as RGB).
func decodeJ2K(frame []byte, info FrameInfo) ([]byte, error) {
	var msg [256]C.char
	img := C.pl_j2k_decode((*C.uchar)(unsafe.Pointer(&frame[0])), C.size_t(len(frame)), &msg[0])
	if img == nil {
		return nil, fmt.Errorf("%w: JPEG 2000: %s", ErrCorrupt, C.GoString(&msg[0]))
	}
	defer C.opj_image_destroy(img)
	if int(img.numcomps) != info.SamplesPerPixel {
		return nil, fmt.Errorf("%w: JPEG 2000 frame has %d components, dataset says %d", ErrCorrupt, img.numcomps, info.SamplesPerPixel)
	}
	size := info.BitsAllocated / 8
	spp := info.SamplesPerPixel
	out := make([]byte, info.Size())
	for c := 0; c < spp; c++ {
		comp := C.pl_comp(img, C.int(c))
		w, h := int(comp.w), int(comp.h)
		if w != info.Columns || h != info.Rows || comp.dx != 1 || comp.dy != 1 {
			return nil, fmt.Errorf("%w: JPEG 2000 component %d is %dx%d (subsampling %dx%d), dataset says %dx%d",
				ErrCorrupt, c, w, h, comp.dx, comp.dy, info.Columns, info.Rows)
		}
		if int(comp.prec) > info.BitsAllocated {
			return nil, fmt.Errorf("%w: JPEG 2000 precision %d over %d bits allocated", ErrCorrupt, comp.prec, info.BitsAllocated)
		}
		data := unsafe.Slice((*int32)(unsafe.Pointer(comp.data)), w*h)
		for i, v := range data {
			o := (i*spp + c) * size
			switch size {
			case 1:
				out[o] = byte(v)
			case 2:
				out[o], out[o+1] = byte(v), byte(v>>8)
			default:
				out[o], out[o+1], out[o+2], out[o+3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
			}
		}
	}
	return out, nil
}
