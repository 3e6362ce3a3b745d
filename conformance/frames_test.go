package conformance

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/suyashkumar/dicom"
)

// OHIF v3's frame request (unquoted type, any transfer syntax).
const acceptOHIFFrames = "multipart/related; type=application/octet-stream; transfer-syntax=*"

// nativePixelFiles have native pixel data in every encoding: explicit and
// implicit VR, big endian (swapped to little endian), deflated (inflated),
// 8, 16 and 32 bits, RGB planar, YBR_FULL_422 (two samples a pixel),
// 1-bit (whole and not byte-aligned frames), multi-frame.
var nativePixelFiles = []string{
	"pydicom/CT_small.dcm",
	"pydicom/MR_small.dcm",
	"pydicom/MR_small_implicit.dcm",
	"pydicom/MR_small_bigendian.dcm",
	"pydicom/ExplVR_BigEnd.dcm",
	"pydicom/SC_rgb_small_odd.dcm",
	"pydicom/SC_ybr_full_422_uncompressed.dcm",
	"pydicom/image_dfl.dcm",
	"pydicom/liver_1frame.dcm",
	"pydicom/rtdose.dcm",
	"suyashkumar/5.dcm",
	"suyashkumar/6.dcm",
	"crafted/pixels/bits1_3frames.dcm",
	"crafted/pixels/palette_color.dcm",
}

// compressedPixelFiles have encapsulated pixel data, with the media type
// of their frames.
var compressedPixelFiles = map[string]string{
	"pydicom/JPEG-lossy.dcm":                "image/jpeg",
	"pydicom/JPGExtended.dcm":               "image/jpeg",
	"pydicom/SC_rgb_jpeg_dcmtk.dcm":         "image/jpeg",
	"pydicom/MR_small_RLE.dcm":              "image/dicom-rle",
	"pydicom/SC_rgb_rle.dcm":                "image/dicom-rle",
	"pydicom/MR_small_jpeg_ls_lossless.dcm": "image/jls",
	"pydicom/MR_small_jp2klossless.dcm":     "image/jp2",
	"pydicom/JPEG2000.dcm":                  "image/jp2",
	"crafted/pixels/MR_small_jpeg_sv1.dcm":  "image/jpeg",
	"crafted/pixels/MR_small_jpeg_p14.dcm":  "image/jpeg",
	"crafted/pixels/CT_small_jpeg_sv1.dcm":  "image/jpeg",
	"crafted/pixels/dfl_jpeg_baseline.dcm":  "image/jpeg",
	"crafted/pixels/CT5_jpeg_sv1_bot.dcm":   "image/jpeg",
	"crafted/pixels/CT5_jpeg_sv1_eot.dcm":   "image/jpeg",
	"crafted/pixels/CT5_jpeg_sv1_split.dcm": "image/jpeg",
	"crafted/pixels/SC_rgb_jpls_near.dcm":   "image/jls",
	"crafted/pixels/SC_rgb_jpls_planar.dcm": "image/jls",
	"crafted/pixels/SC_rgb_j2k_rct.dcm":     "image/jp2",
	"crafted/pixels/MR_small_htj2k.dcm":     "image/jphc",
}

// frameList is "1,2,...,n".
func frameList(n int) string {
	s := make([]string, n)
	for i := range s {
		s[i] = strconv.Itoa(i + 1)
	}
	return strings.Join(s, ",")
}

// TestFramesNative: every frame of native files comes back byte-exact (the
// pixel data at the frame's offset, little endian) with OHIF's request and
// with the PS3.18 default, each part naming explicit VR little endian.
func TestFramesNative(t *testing.T) {
	t.Parallel()
	for _, path := range nativePixelFiles {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			s := startServer(t)
			pf := loadPixelFile(t, path)
			s.stowBytes(t, pf.bytes)
			for _, accept := range []string{acceptOHIFFrames, acceptOctetParts, "multipart/related; type=\"application/octet-stream\"; transfer-syntax=1.2.840.10008.1.2.1", "*/*"} {
				r := s.get(t, pf.url()+"/frames/"+frameList(pf.frames), accept)
				wantStatus(t, r, http.StatusOK, "frames with Accept "+accept)
				if got := r.Header.Get("Cross-Origin-Resource-Policy"); got != "cross-origin" {
					t.Errorf("Cross-Origin-Resource-Policy %q, want cross-origin", got)
				}
				parts := readParts(t, r, "application/octet-stream")
				if len(parts) != pf.frames {
					t.Fatalf("Accept %s: %d parts, want %d", accept, len(parts), pf.frames)
				}
				for i, p := range parts {
					if ts := p.TransferSyntax(); ts != tsExplicitLE {
						t.Errorf("frame %d: part Content-Type %q, want transfer-syntax=%s", i+1, p.ContentType, tsExplicitLE)
					}
					if want := pf.nativeFrame(i); !bytes.Equal(p.Body, want) {
						t.Errorf("Accept %s: frame %d: %d bytes differ from the %d expected", accept, i+1, len(p.Body), len(want))
					}
				}
			}
		})
	}
}

// TestFramesCompressed: compressed frames come back as stored, byte-exact
// with the fragments, with OHIF's request, with their own media type, and
// split by the Basic or Extended Offset Table or by fragment markers.
func TestFramesCompressed(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	// The three CT5 files hold the same two frames, one fragment each in
	// the BOT file.
	ct5 := loadPixelFile(t, "crafted/pixels/CT5_jpeg_sv1_bot.dcm").fragments
	for path, mediaType := range compressedPixelFiles {
		t.Run(path, func(t *testing.T) {
			pf := loadPixelFile(t, path)
			s.stowBytes(t, pf.bytes)
			want := [][]byte{bytes.Join(pf.fragments, nil)}
			if pf.frames > 1 {
				want = ct5
			}
			for _, accept := range []string{
				acceptOHIFFrames,
				`multipart/related; type="application/octet-stream"; transfer-syntax=*`,
				`multipart/related; type="` + mediaType + `"`,
				`multipart/related; type=` + mediaType + `; transfer-syntax=` + pf.ts,
				"*/*",
			} {
				r := s.get(t, pf.url()+"/frames/"+frameList(pf.frames), accept)
				wantStatus(t, r, http.StatusOK, "frames with Accept "+accept)
				wantType := mediaType
				if strings.Contains(accept, "octet-stream") {
					wantType = "application/octet-stream"
				}
				parts := readParts(t, r, wantType)
				if len(parts) != pf.frames {
					t.Fatalf("Accept %s: %d parts, want %d", accept, len(parts), pf.frames)
				}
				for i, p := range parts {
					if ct := strings.SplitN(p.ContentType, ";", 2)[0]; ct != wantType || p.TransferSyntax() != pf.ts {
						t.Errorf("Accept %s: frame %d Content-Type %q, want %s; transfer-syntax=%s", accept, i+1, p.ContentType, wantType, pf.ts)
					}
					if !bytes.Equal(p.Body, want[i]) {
						t.Errorf("Accept %s: frame %d (%d bytes) differs from the stored fragments (%d bytes)", accept, i+1, len(p.Body), len(want[i]))
					}
				}
			}
		})
	}
}

// TestFramesDecoded: asking for uncompressed frames of lossless
// compressed instances gives exactly the pixels of their native source.
func TestFramesDecoded(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	sources := map[string]string{
		"pydicom/MR_small_RLE.dcm":              "pydicom/MR_small.dcm",
		"pydicom/MR_small_jpeg_ls_lossless.dcm": "pydicom/MR_small.dcm",
		"pydicom/MR_small_jp2klossless.dcm":     "pydicom/MR_small.dcm",
		"crafted/pixels/MR_small_jpeg_sv1.dcm":  "pydicom/MR_small.dcm",
		"crafted/pixels/MR_small_jpeg_p14.dcm":  "pydicom/MR_small.dcm",
		"crafted/pixels/MR_small_htj2k.dcm":     "pydicom/MR_small.dcm",
		"crafted/pixels/CT_small_jpeg_sv1.dcm":  "pydicom/CT_small.dcm",
		"crafted/pixels/CT5_jpeg_sv1_split.dcm": "suyashkumar/5.dcm",
		"crafted/pixels/CT5_jpeg_sv1_eot.dcm":   "suyashkumar/5.dcm",
		"crafted/pixels/CT5_jpeg_sv1_bot.dcm":   "suyashkumar/5.dcm",
	}
	for path, source := range sources {
		t.Run(path, func(t *testing.T) {
			pf, src := loadPixelFile(t, path), loadPixelFile(t, source)
			s.stowBytes(t, pf.bytes)
			for _, accept := range []string{acceptOctetParts, "multipart/related; type=application/octet-stream; transfer-syntax=" + tsExplicitLE} {
				r := s.get(t, pf.url()+"/frames/"+frameList(pf.frames), accept)
				wantStatus(t, r, http.StatusOK, "frames with Accept "+accept)
				parts := readParts(t, r, "application/octet-stream")
				for i, p := range parts {
					if p.TransferSyntax() != tsExplicitLE || !bytes.Equal(p.Body, src.nativeFrame(i)) {
						t.Errorf("Accept %s: frame %d (%s) is not the source's pixels", accept, i+1, p.ContentType)
					}
				}
			}
		})
	}
}

// TestFramesSinglePart: one frame can come as a single-part body, and a
// single byte range of it as 206 Partial Content.
func TestFramesSinglePart(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	mr := loadPixelFile(t, "pydicom/MR_small.dcm")
	jp := loadPixelFile(t, "crafted/pixels/MR_small_htj2k.dcm")
	s.stowBytes(t, mr.bytes, jp.bytes)
	frame := mr.nativeFrame(0)
	r := s.get(t, mr.url()+"/frames/1", "application/octet-stream")
	wantStatus(t, r, http.StatusOK, "single part")
	if r.ContentType() != "application/octet-stream" || !bytes.Equal(r.Body, frame) {
		t.Errorf("single part: %s, %d bytes; want the %d-byte frame", r.Header.Get("Content-Type"), len(r.Body), len(frame))
	}
	r = s.get(t, mr.url()+"/frames/1", "application/octet-stream", "Range", "bytes=100-199")
	wantStatus(t, r, http.StatusPartialContent, "range")
	if cr := r.Header.Get("Content-Range"); cr != fmt.Sprintf("bytes 100-199/%d", len(frame)) || !bytes.Equal(r.Body, frame[100:200]) {
		t.Errorf("range: Content-Range %q, %d bytes", cr, len(r.Body))
	}
	r = s.get(t, jp.url()+"/frames/1", "image/jphc", "Range", "bytes=0-63")
	wantStatus(t, r, http.StatusPartialContent, "range of an HTJ2K frame")
	if !bytes.Equal(r.Body, jp.fragments[0][:64]) {
		t.Errorf("HTJ2K prefix differs from the stored codestream")
	}
	wantRefusal(t, s.get(t, mr.url()+"/frames/1", "application/octet-stream", "Range", "bytes=99999-"), http.StatusRequestedRangeNotSatisfiable, "range past the end")
}

// TestFramesErrors: bad frame lists, frames that do not exist and media
// types that cannot be produced are refused with a reason.
func TestFramesErrors(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	mr := loadPixelFile(t, "pydicom/MR_small.dcm")
	ct5 := loadPixelFile(t, "suyashkumar/5.dcm")
	video := loadPixelFile(t, "crafted/pixels/video_h264.dcm")
	pdf := loadPixelFile(t, "crafted/pixels/encapsulated_pdf.dcm")
	s.stowBytes(t, mr.bytes, ct5.bytes, video.bytes, pdf.bytes)
	for _, c := range []struct {
		url, accept string
		status      int
	}{
		{ct5.url() + "/frames/3", acceptOHIFFrames, http.StatusNotFound},
		{ct5.url() + "/frames/1,3", acceptOHIFFrames, http.StatusNotFound},
		{ct5.url() + "/frames/0", acceptOHIFFrames, http.StatusBadRequest},
		{ct5.url() + "/frames/x", acceptOHIFFrames, http.StatusBadRequest},
		{ct5.url() + "/frames/1,,2", acceptOHIFFrames, http.StatusBadRequest},
		{ct5.url() + "/frames/-1", acceptOHIFFrames, http.StatusBadRequest},
		{ct5.url() + "/frames/1,2", "application/octet-stream", http.StatusNotAcceptable},
		{mr.url() + "/frames/1", `multipart/related; type="image/jpeg"`, http.StatusNotAcceptable},
		{mr.url() + "/frames/1", "application/dicom+json", http.StatusNotAcceptable},
		{video.url() + "/frames/1", acceptOHIFFrames, http.StatusNotAcceptable},
		{pdf.url() + "/frames/1", acceptOHIFFrames, http.StatusNotFound},
		{"/studies/1.2.3/series/4.5.6/instances/7.8.9/frames/1", acceptOHIFFrames, http.StatusNotFound},
	} {
		wantRefusal(t, s.get(t, c.url, c.accept), c.status, c.url+" "+c.accept)
	}
}

// TestRetrieveTranscoded: compressed instances asked for in the default
// syntax come back as explicit VR little endian files with the decoded
// pixels (exactly the source's for lossless syntaxes), the colour space
// the decoder produced and lossy compression still declared.
func TestRetrieveTranscoded(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	for _, c := range []struct {
		path, source, photometric string
		lossy                     bool
	}{
		{"crafted/pixels/MR_small_jpeg_sv1.dcm", "pydicom/MR_small.dcm", "MONOCHROME2", false},
		{"pydicom/MR_small_jp2klossless.dcm", "pydicom/MR_small.dcm", "MONOCHROME2", false},
		{"crafted/pixels/CT5_jpeg_sv1_split.dcm", "suyashkumar/5.dcm", "MONOCHROME2", false},
		{"pydicom/SC_rgb_rle.dcm", "", "RGB", false},
		{"pydicom/SC_rgb_jpeg_dcmtk.dcm", "", "RGB", true},
		{"pydicom/JPGExtended.dcm", "", "MONOCHROME2", true},
	} {
		t.Run(c.path, func(t *testing.T) {
			pf := loadPixelFile(t, c.path)
			s.stowBytes(t, pf.bytes)
			r := s.get(t, pf.url(), acceptDICOM)
			wantStatus(t, r, http.StatusOK, "retrieve")
			parts := readParts(t, r, "application/dicom")
			if len(parts) != 1 || parts[0].TransferSyntax() != tsExplicitLE {
				t.Fatalf("%d parts, first %q; want one in explicit VR little endian", len(parts), parts[0].ContentType)
			}
			if _, err := dicom.Parse(bytes.NewReader(parts[0].Body), int64(len(parts[0].Body)), nil); err != nil {
				t.Errorf("github.com/suyashkumar/dicom cannot parse the transcoded file: %v", err)
			}
			out := loadPixelBytes(t, c.path, parts[0].Body)
			if out.ts != tsExplicitLE || out.photometric != c.photometric || out.sop != pf.sop {
				t.Errorf("transcoded: syntax %s, photometric %s, SOP %s; want %s, %s, %s", out.ts, out.photometric, out.sop, tsExplicitLE, c.photometric, pf.sop)
			}
			if want := pf.frames * pf.rows * pf.cols * pf.spp * pf.ba / 8; len(out.value) != want+want%2 {
				t.Errorf("pixel data of %d bytes, want %d", len(out.value), want)
			}
			if c.source != "" && !bytes.Equal(out.value, loadPixelFile(t, c.source).value) {
				t.Errorf("decoded pixel data differs from %s", c.source)
			}
			if lossy := bytes.Contains(parts[0].Body, []byte("\x28\x00\x10\x21CS\x02\x0001")); lossy != c.lossy {
				t.Errorf("Lossy Image Compression 01 present: %v, want %v", lossy, c.lossy)
			}
		})
	}
}
