package dicomweb

import (
	"context"
	"net/http"
	"strings"

	"github.com/pacslite/pacslite/dicomweb/pixels/codec"
	"github.com/pacslite/pacslite/store/index"
)

// viewer serves what image viewers fetch: frames, rendered images and
// thumbnails. It keeps the caches those need.
type viewer struct {
	h       *Handler
	headers *headerCache
	thumbs  *thumbCache
}

// headerCacheEntries holds the pixel headers of a few large studies: a
// viewer scrolling a 1,000-slice CT fetches a frame of every instance, and
// a header re-read costs a blob read of the whole header (~0.2 ms). A
// single-frame header is a few hundred bytes.
const headerCacheEntries = 4096

func newViewer(h *Handler) *viewer {
	return &viewer{h: h, headers: newHeaderCache(headerCacheEntries), thumbs: newThumbCache(32 << 20)}
}

// header returns the (cached) pixel header of an instance.
func (v *viewer) header(ctx context.Context, ref index.InstanceRef) (*pixelHeader, error) {
	return v.headers.get(ctx, ref, func(ctx context.Context, ref index.InstanceRef) (*pixelHeader, error) {
		return readPixelHeader(ctx, v.h.opts.Blobs, ref)
	})
}

// frameTypes are the media types of compressed frames by transfer syntax
// (PS3.18 table 8.7.3-2).
var frameTypes = map[string]string{
	codec.JPEGBaseline:        "image/jpeg",
	codec.JPEGExtended:        "image/jpeg",
	codec.JPEGLossless:        "image/jpeg",
	codec.JPEGLosslessSV1:     "image/jpeg",
	codec.JPEGLSLossless:      "image/jls",
	codec.JPEGLSNearLossless:  "image/jls",
	codec.JPEG2000Lossless:    "image/jp2",
	codec.JPEG2000:            "image/jp2",
	"1.2.840.10008.1.2.4.92":  "image/jpx",
	"1.2.840.10008.1.2.4.93":  "image/jpx",
	codec.HTJ2KLossless:       "image/jphc",
	codec.HTJ2KLosslessRPCL:   "image/jphc",
	codec.HTJ2K:               "image/jphc",
	codec.RLELossless:         "image/dicom-rle",
	"1.2.840.10008.1.2.4.100": "video/mpeg",
	"1.2.840.10008.1.2.4.101": "video/mpeg",
}

// videoTypes are the media types of the video transfer syntaxes, whose
// fragments together are one MPEG stream.
var videoTypes = map[string]string{
	"1.2.840.10008.1.2.4.100": "video/mpeg",
	"1.2.840.10008.1.2.4.101": "video/mpeg",
	"1.2.840.10008.1.2.4.102": "video/mp4",
	"1.2.840.10008.1.2.4.103": "video/mp4",
	"1.2.840.10008.1.2.4.104": "video/mp4",
	"1.2.840.10008.1.2.4.105": "video/mp4",
	"1.2.840.10008.1.2.4.106": "video/mp4",
	"1.2.840.10008.1.2.4.107": "video/mp4",
	"1.2.840.10008.1.2.4.108": "video/mp4",
}

// isNative reports the transfer syntaxes with native (uncompressed) pixel
// data.
func isNative(ts string) bool { return convertible[ts] }

// crossOriginResources marks the responses pages embed (frames, bulk data,
// rendered images, thumbnails) as usable across origins, so an OHIF page
// served with COEP require-corp can load them.
func crossOriginResources(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if strings.Contains(p, "/frames/") || strings.Contains(p, "/bulk/") ||
			strings.HasSuffix(p, "/rendered") || strings.HasSuffix(p, "/thumbnail") {
			w.Header().Set("Cross-Origin-Resource-Policy", "cross-origin")
		}
		next.ServeHTTP(w, r)
	})
}
