package conformance

import (
	"bytes"
	"image"
	"image/color"
	_ "image/gif" // image.Decode of rendered GIFs
	"image/jpeg"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// renderedGolden maps reference renderings (testdata/golden/rendered,
// made by make.sh there with DCMTK's dcmj2pnm) to the file they show.
var renderedGolden = map[string]string{
	"CT_small":                     "pydicom/CT_small.dcm",
	"MR_small":                     "pydicom/MR_small.dcm",
	"MR_small_RLE":                 "pydicom/MR_small_RLE.dcm",
	"MR_small_bigendian":           "pydicom/MR_small_bigendian.dcm",
	"MR_small_implicit":            "pydicom/MR_small_implicit.dcm",
	"MR_small_jpeg_ls_lossless":    "pydicom/MR_small_jpeg_ls_lossless.dcm",
	"MR_small_jp2klossless":        "pydicom/MR_small_jp2klossless.dcm",
	"ExplVR_BigEnd":                "pydicom/ExplVR_BigEnd.dcm",
	"JPGExtended":                  "pydicom/JPGExtended.dcm",
	"SC_rgb_jpeg_dcmtk":            "pydicom/SC_rgb_jpeg_dcmtk.dcm",
	"SC_rgb_rle":                   "pydicom/SC_rgb_rle.dcm",
	"SC_rgb_small_odd":             "pydicom/SC_rgb_small_odd.dcm",
	"SC_ybr_full_422_uncompressed": "pydicom/SC_ybr_full_422_uncompressed.dcm",
	"image_dfl":                    "pydicom/image_dfl.dcm",
	"liver_1frame":                 "pydicom/liver_1frame.dcm",
	"rtdose":                       "pydicom/rtdose.dcm",
	"PET1":                         "suyashkumar/1.dcm",
	"MR3":                          "suyashkumar/3.dcm",
	"CR4":                          "suyashkumar/4.dcm",
	"CT5":                          "suyashkumar/5.dcm",
	"dfl6":                         "suyashkumar/6.dcm",
	"MR_small_jpeg_sv1":            "crafted/pixels/MR_small_jpeg_sv1.dcm",
	"MR_small_jpeg_p14":            "crafted/pixels/MR_small_jpeg_p14.dcm",
	"MR_small_htj2k":               "crafted/pixels/MR_small_htj2k.dcm",
	"CT_small_jpeg_sv1":            "crafted/pixels/CT_small_jpeg_sv1.dcm",
	"CT5_jpeg_sv1_split":           "crafted/pixels/CT5_jpeg_sv1_split.dcm",
	"dfl_jpeg_baseline":            "crafted/pixels/dfl_jpeg_baseline.dcm",
	"SC_rgb_jpls_near":             "crafted/pixels/SC_rgb_jpls_near.dcm",
	"SC_rgb_j2k_rct":               "crafted/pixels/SC_rgb_j2k_rct.dcm",
	"palette_color":                "crafted/pixels/palette_color.dcm",
}

// TestRenderedGolden: /rendered as PNG matches DCMTK's rendering of every
// renderable file within a small tolerance (mean absolute difference under
// 2 and no difference over 16, per channel).
func TestRenderedGolden(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	for name, path := range renderedGolden {
		t.Run(name, func(t *testing.T) {
			pf := loadPixelFile(t, path)
			s.stowBytes(t, pf.bytes)
			r := s.get(t, pf.url()+"/rendered", "image/png")
			wantStatus(t, r, http.StatusOK, "rendered")
			got, err := png.Decode(bytes.NewReader(r.Body))
			if err != nil {
				t.Fatalf("rendered PNG: %v", err)
			}
			f, err := os.Open(filepath.Join("..", "testdata", "golden", "rendered", name+".png"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			want, err := png.Decode(f)
			if err != nil {
				t.Fatal(err)
			}
			mean, worst := compareImages(t, got, want)
			if mean >= 2 || worst > 16 {
				t.Errorf("rendered %s differs from dcmj2pnm's: mean abs diff %.2f, max %d", path, mean, worst)
			}
		})
	}
}

// compareImages returns the mean and maximum absolute difference per
// channel of two images of the same size.
func compareImages(t *testing.T, a, b image.Image) (float64, int) {
	t.Helper()
	if a.Bounds().Size() != b.Bounds().Size() {
		t.Fatalf("image is %v, want %v", a.Bounds().Size(), b.Bounds().Size())
	}
	var sum, n float64
	worst := 0
	ab, bb := a.Bounds(), b.Bounds()
	for y := 0; y < ab.Dy(); y++ {
		for x := 0; x < ab.Dx(); x++ {
			c1 := color.RGBAModel.Convert(a.At(ab.Min.X+x, ab.Min.Y+y)).(color.RGBA)
			c2 := color.RGBAModel.Convert(b.At(bb.Min.X+x, bb.Min.Y+y)).(color.RGBA)
			for _, d := range []int{int(c1.R) - int(c2.R), int(c1.G) - int(c2.G), int(c1.B) - int(c2.B)} {
				d = max(d, -d)
				sum += float64(d)
				n++
				worst = max(worst, d)
			}
		}
	}
	return sum / n, worst
}

// TestRenderedParameters: media types, window, viewport and quality.
func TestRenderedParameters(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	mr := loadPixelFile(t, "pydicom/MR_small.dcm")
	ct5 := loadPixelFile(t, "suyashkumar/5.dcm")
	s.stowBytes(t, mr.bytes, ct5.bytes)
	decode := func(r *response) image.Image {
		t.Helper()
		img, _, err := image.Decode(bytes.NewReader(r.Body))
		if err != nil {
			t.Fatalf("decode %s: %v", r.ContentType(), err)
		}
		return img
	}
	u := mr.url() + "/rendered"
	for accept, want := range map[string]string{"": "image/jpeg", "*/*": "image/jpeg", "image/png": "image/png",
		"image/gif": "image/gif", "image/webp, image/png;q=0.5": "image/png"} {
		r := s.get(t, u, accept)
		wantStatus(t, r, http.StatusOK, "Accept "+accept)
		if r.ContentType() != want {
			t.Errorf("Accept %q: Content-Type %q, want %s", accept, r.ContentType(), want)
		}
		decode(r)
	}
	if r := s.get(t, u+"?accept=image/png", ""); r.ContentType() != "image/png" {
		t.Errorf("accept=image/png: Content-Type %q", r.ContentType())
	}
	if r := s.get(t, u, ""); r.Header.Get("Cross-Origin-Resource-Policy") != "cross-origin" {
		t.Errorf("no Cross-Origin-Resource-Policy on rendered")
	}
	// A narrow window makes the image harsher than the default one.
	def := decode(s.get(t, u, "image/png"))
	narrow := decode(s.get(t, u+"?window=600,100", "image/png"))
	if mean, _ := compareImages(t, def, narrow); mean < 5 {
		t.Errorf("window=600,100 barely changes the image (mean diff %.2f)", mean)
	}
	for _, fn := range []string{"linear", "linear-exact", "sigmoid", "LINEAR_EXACT"} {
		wantStatus(t, s.get(t, u+"?window=600,1600,"+fn, "image/png"), http.StatusOK, "window function "+fn)
	}
	// The viewport fits the image inside, keeping its aspect ratio.
	for q, size := range map[string]image.Point{"32,32": {32, 32}, "32,16": {16, 16}, "256,256": {256, 256}, "100,50,0,0,64,32": {100, 50}} {
		img := decode(s.get(t, u+"?viewport="+q, "image/png"))
		if img.Bounds().Size() != size {
			t.Errorf("viewport=%s: image %v, want %v", q, img.Bounds().Size(), size)
		}
	}
	low, high := s.get(t, u+"?quality=5", "image/jpeg"), s.get(t, u+"?quality=100", "image/jpeg")
	if len(low.Body) >= len(high.Body) {
		t.Errorf("quality=5 gives %d bytes, quality=100 %d", len(low.Body), len(high.Body))
	}
	// Frame level: frame 2 of the two-frame CT differs from frame 1, and
	// the instance level shows frame 1.
	f1, f2 := s.get(t, ct5.url()+"/frames/1/rendered", "image/png"), s.get(t, ct5.url()+"/frames/2/rendered", "image/png")
	inst := s.get(t, ct5.url()+"/rendered", "image/png")
	if bytes.Equal(f1.Body, f2.Body) || !bytes.Equal(f1.Body, inst.Body) {
		t.Errorf("frame-level rendering: frame 1 == frame 2: %v, instance == frame 1: %v", bytes.Equal(f1.Body, f2.Body), bytes.Equal(f1.Body, inst.Body))
	}
	// Study and series level show the representative (here the only) instance.
	for _, level := range []string{"/studies/" + ct5.study, "/studies/" + ct5.study + "/series/" + ct5.series} {
		if r := s.get(t, level+"/rendered", "image/png"); !bytes.Equal(r.Body, inst.Body) {
			t.Errorf("%s/rendered is not the instance's rendering", level)
		}
	}
	for _, c := range []struct {
		url, accept string
		status      int
	}{
		{u + "?window=1,0", "", http.StatusBadRequest},
		{u + "?window=1", "", http.StatusBadRequest},
		{u + "?window=1,2,cubic", "", http.StatusBadRequest},
		{u + "?viewport=0,10", "", http.StatusBadRequest},
		{u + "?viewport=a,b", "", http.StatusBadRequest},
		{u + "?quality=0", "", http.StatusBadRequest},
		{u, "application/dicom+json", http.StatusNotAcceptable},
		{ct5.url() + "/frames/3/rendered", "", http.StatusNotFound},
		{ct5.url() + "/frames/1,2/rendered", "", http.StatusBadRequest},
	} {
		wantRefusal(t, s.get(t, c.url, c.accept), c.status, c.url+" "+c.accept)
	}
}

// TestRenderedDocumentsAndVideo: encapsulated PDF comes back as
// application/pdf, an MPEG-4 instance as video/mp4 (its fragments, with
// byte ranges for seeking), and images that cannot be decoded as 415.
func TestRenderedDocumentsAndVideo(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	pdf := loadPixelFile(t, "crafted/pixels/encapsulated_pdf.dcm")
	video := loadPixelFile(t, "crafted/pixels/video_h264.dcm")
	// An instance in a syntax without a decoder (.4.95 patched in), and a
	// JPEG whose frame header is destroyed.
	odd := loadPixelFile(t, "crafted/pixels/MR_small_jpeg_sv1.dcm")
	odd.bytes = bytes.Replace(odd.bytes, []byte("1.2.840.10008.1.2.4.70"), []byte("1.2.840.10008.1.2.4.95"), 1)
	odd.bytes = patchUID(t, odd.bytes, odd.sop, odd.sop[:len(odd.sop)-1]+"9")
	odd.sop = odd.sop[:len(odd.sop)-1] + "9"
	bad := loadPixelFile(t, "crafted/pixels/CT_small_jpeg_sv1.dcm")
	bad.bytes = bytes.Replace(bad.bytes, []byte{0xFF, 0xC3}, []byte{0xFF, 0x01}, 1)
	s.stowBytes(t, pdf.bytes, video.bytes, odd.bytes, bad.bytes)

	r := s.get(t, pdf.url()+"/rendered", "application/pdf")
	wantStatus(t, r, http.StatusOK, "PDF")
	if r.ContentType() != "application/pdf" || !bytes.Equal(r.Body, pdf.docValue) || !strings.HasPrefix(string(r.Body), "%PDF") {
		t.Errorf("PDF: %s, %d bytes; want application/pdf, the %d-byte document", r.ContentType(), len(r.Body), len(pdf.docValue))
	}
	wantRefusal(t, s.get(t, pdf.url()+"/rendered", "image/jpeg"), http.StatusNotAcceptable, "PDF as JPEG")

	stream := bytes.Join(video.fragments, nil)
	r = s.get(t, video.url()+"/rendered", "video/mp4")
	wantStatus(t, r, http.StatusOK, "video")
	if r.ContentType() != "video/mp4" || !bytes.Equal(r.Body, stream) {
		t.Errorf("video: %s, %d bytes; want video/mp4, the %d-byte stream", r.ContentType(), len(r.Body), len(stream))
	}
	r = s.get(t, video.url()+"/rendered", "*/*", "Range", "bytes=4990-5009")
	wantStatus(t, r, http.StatusPartialContent, "video range")
	if !bytes.Equal(r.Body, stream[4990:5010]) {
		t.Errorf("video range across fragments: wrong bytes")
	}

	for _, u := range []string{odd.url() + "/rendered", bad.url() + "/rendered", odd.url() + "/thumbnail"} {
		wantRefusal(t, s.get(t, u, "image/jpeg"), http.StatusUnsupportedMediaType, u)
	}
	wantRefusal(t, s.get(t, odd.url()+"/frames/1", acceptOctetParts), http.StatusNotAcceptable, "undecodable frame, uncompressed")
	wantStatus(t, s.get(t, odd.url()+"/frames/1", acceptOHIFFrames), http.StatusOK, "undecodable frame as stored")
}

// TestThumbnail: study, series and instance thumbnails are small JPEGs
// (128x128 at most unless a viewport says otherwise), cached.
func TestThumbnail(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	cr := loadPixelFile(t, "suyashkumar/4.dcm")
	mr := loadPixelFile(t, "pydicom/MR_small.dcm")
	s.stowBytes(t, cr.bytes, mr.bytes)
	for _, u := range []string{"/studies/" + cr.study, "/studies/" + cr.study + "/series/" + cr.series, cr.url()} {
		r := s.get(t, u+"/thumbnail", "")
		wantStatus(t, r, http.StatusOK, u+"/thumbnail")
		img, err := jpeg.Decode(bytes.NewReader(r.Body))
		if err != nil || r.ContentType() != "image/jpeg" {
			t.Fatalf("%s/thumbnail: %s, %v", u, r.ContentType(), err)
		}
		if b := img.Bounds(); b.Dx() > 128 || b.Dy() > 128 || max(b.Dx(), b.Dy()) != 128 {
			t.Errorf("%s/thumbnail is %v, want to fit 128x128", u, b.Size())
		}
		if again := s.get(t, u+"/thumbnail", ""); !bytes.Equal(again.Body, r.Body) {
			t.Errorf("%s/thumbnail differs on the second request", u)
		}
	}
	r := s.get(t, cr.url()+"/thumbnail?viewport=64,64", "image/png")
	if img, err := png.Decode(bytes.NewReader(r.Body)); err != nil || max(img.Bounds().Dx(), img.Bounds().Dy()) != 64 {
		t.Errorf("thumbnail?viewport=64,64 as PNG: %v", err)
	}
	// A 64x64 image is not enlarged.
	if img, err := jpeg.Decode(bytes.NewReader(s.get(t, mr.url()+"/thumbnail", "").Body)); err != nil || img.Bounds().Dx() != 64 {
		t.Errorf("thumbnail of a 64x64 image: %v", err)
	}
}
