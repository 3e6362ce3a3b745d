package dicomweb

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/draw"
	"image/gif"
	"image/jpeg"
	"image/png"
	"net/http"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	"github.com/pacslite/pacslite/dicomweb/pixels"
)

// renderParams are the rendering query parameters of PS3.18 8.3.5.1.
type renderParams struct {
	window  *pixels.Window
	vw, vh  int             // viewport, 0 when absent
	crop    image.Rectangle // source region of a 6-value viewport
	quality int             // JPEG quality
}

// key identifies the rendering for caches.
func (rp renderParams) key() string {
	s := strconv.Itoa(rp.vw) + "x" + strconv.Itoa(rp.vh) + "q" + strconv.Itoa(rp.quality) + rp.crop.String()
	if rp.window != nil {
		s += "w" + strconv.FormatFloat(rp.window.Center, 'g', -1, 64) + "," +
			strconv.FormatFloat(rp.window.Width, 'g', -1, 64) + "," + rp.window.Function
	}
	return s
}

func parseRenderParams(r *http.Request, defaultQuality int) (renderParams, error) {
	q := r.URL.Query()
	rp := renderParams{quality: defaultQuality}
	floats := func(name string) ([]float64, error) {
		var out []float64
		for _, s := range strings.Split(q.Get(name), ",") {
			f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil {
				return nil, errorf(http.StatusBadRequest, "bad %s parameter %q", name, truncate(q.Get(name), 60))
			}
			out = append(out, f)
		}
		return out, nil
	}
	if q.Has("window") {
		parts := strings.Split(q.Get("window"), ",")
		bad := errorf(http.StatusBadRequest, "bad window parameter %q: want center,width[,function] with a positive width and function linear, linear-exact or sigmoid", truncate(q.Get("window"), 60))
		if len(parts) < 2 || len(parts) > 3 {
			return rp, bad
		}
		c, err1 := strconv.ParseFloat(strings.TrimSpace(parts[0]), 64)
		wd, err2 := strconv.ParseFloat(strings.TrimSpace(parts[1]), 64)
		if err1 != nil || err2 != nil || wd <= 0 {
			return rp, bad
		}
		rp.window = &pixels.Window{Center: c, Width: wd, Function: "LINEAR"}
		if len(parts) == 3 {
			fn := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(parts[2]), "-", "_"))
			if fn != "LINEAR" && fn != "LINEAR_EXACT" && fn != "SIGMOID" {
				return rp, bad
			}
			rp.window.Function = fn
		}
	}
	if q.Has("viewport") {
		v, err := floats("viewport")
		if err != nil || (len(v) != 2 && len(v) != 6) || v[0] < 1 || v[1] < 1 || v[0] > 8192 || v[1] > 8192 {
			return rp, errorf(http.StatusBadRequest, "bad viewport parameter %q: want vw,vh[,sx,sy,sw,sh] of 1 to 8192 pixels", truncate(q.Get("viewport"), 60))
		}
		rp.vw, rp.vh = int(v[0]), int(v[1])
		if len(v) == 6 {
			if v[4] <= 0 || v[5] <= 0 || v[2] < 0 || v[3] < 0 {
				return rp, errorf(http.StatusBadRequest, "bad viewport source region %q: flipping is not supported", truncate(q.Get("viewport"), 60))
			}
			rp.crop = image.Rect(int(v[2]), int(v[3]), int(v[2]+v[4]), int(v[3]+v[5]))
		}
	}
	if q.Has("quality") {
		n, err := strconv.Atoi(q.Get("quality"))
		if err != nil || n < 1 || n > 100 {
			return rp, errorf(http.StatusBadRequest, "bad quality parameter %q: want 1 to 100", truncate(q.Get("quality"), 20))
		}
		rp.quality = n
	}
	return rp, nil
}

// rendered is WADO-RS retrieve rendered (PS3.18 10.4.1.1.3) of a study,
// series, instance or frame: an image as image/jpeg (default), image/png
// or image/gif; encapsulated documents as their own media type (PDF);
// MPEG video instances as video/mpeg or video/mp4. Study and series level
// render a representative instance, instance level the first frame of a
// multi-frame image.
func (v *viewer) rendered(w http.ResponseWriter, r *http.Request) {
	scope, err := uidsFrom(r)
	if err != nil {
		fail(w, r, err)
		return
	}
	frame, err := frameParam(r)
	if err != nil {
		fail(w, r, err)
		return
	}
	rp, err := parseRenderParams(r, 90)
	if err != nil {
		fail(w, r, err)
		return
	}
	p, err := v.representative(r.Context(), scope)
	if err != nil {
		fail(w, r, err)
		return
	}
	switch {
	case videoTypes[p.ts] != "" && p.info != nil:
		v.sendStream(w, r, p, videoTypes[p.ts], p.frames[0])
		return
	case p.info == nil && p.docLen > 0:
		v.sendDocument(w, r, p)
		return
	}
	mt, err := negotiateImage(r)
	if err != nil {
		fail(w, r, err)
		return
	}
	body, err := v.renderImage(r.Context(), p, frame, rp, mt, false)
	if err != nil {
		fail(w, r, err)
		return
	}
	sendImage(w, r, mt, body)
}

// frameParam is the frame number of a frame-level request (0 from 1), 0
// otherwise.
func frameParam(r *http.Request) (int, error) {
	s, ok := mux.Vars(r)["frames"]
	if !ok {
		return 0, nil
	}
	nums, err := parseFrameList(s)
	if err != nil {
		return 0, err
	}
	if len(nums) != 1 {
		return 0, errorf(http.StatusBadRequest, "rendered frames are served one at a time")
	}
	return nums[0] - 1, nil
}

// renderImage renders frame i of an image instance into an encoded image
// of media type mt. thumb fits it into 128x128 (or the viewport) without
// enlarging it.
func (v *viewer) renderImage(ctx context.Context, p *pixelHeader, i int, rp renderParams, mt string, thumb bool) ([]byte, error) {
	if p.info == nil {
		return nil, errorf(http.StatusUnsupportedMediaType, "the instance has no image to render")
	}
	if i >= p.frameCount() {
		return nil, errorf(http.StatusNotFound, "frame %d is out of range: the instance has %d frame(s)", i+1, p.frameCount())
	}
	data, info, err := v.decodedFrame(ctx, p, i)
	if err != nil {
		return nil, asRenderError(err)
	}
	img, err := pixels.Render(info, i, data, pixels.Options{Window: rp.window})
	if err != nil {
		return nil, asRenderError(err)
	}
	if !rp.crop.Empty() {
		img = crop(img, rp.crop)
	}
	vw, vh, up := rp.vw, rp.vh, !thumb
	if thumb && vw == 0 {
		vw, vh = 128, 128
	}
	b := img.Bounds()
	w, h := pixels.FitSize(b.Dx(), b.Dy(), vw, vh, up)
	img = pixels.Resize(img, w, h)
	var buf bytes.Buffer
	switch mt {
	case "image/png":
		err = (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, img)
	case "image/gif":
		err = gif.Encode(&buf, paletted(img), nil)
	default:
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: rp.quality})
	}
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// asRenderError reports images that cannot be decoded or shown as 415.
func asRenderError(err error) error {
	var he *httpError
	if errors.As(err, &he) && he.status == http.StatusNotAcceptable {
		return errorf(http.StatusUnsupportedMediaType, "%s", he.msg)
	}
	if errors.Is(err, pixels.ErrUnsupported) {
		return errorf(http.StatusUnsupportedMediaType, "the image cannot be rendered: %v", err)
	}
	return err
}

func crop(img image.Image, r image.Rectangle) image.Image {
	r = r.Intersect(img.Bounds())
	if r.Empty() {
		return img
	}
	if s, ok := img.(interface {
		SubImage(image.Rectangle) image.Image
	}); ok {
		return s.SubImage(r)
	}
	return img
}

// paletted converts an image for GIF: grayscale keeps 256 grey levels.
func paletted(img image.Image) image.Image {
	g, ok := img.(*image.Gray)
	if !ok {
		return img // the GIF encoder quantises colour itself
	}
	pal := make(color.Palette, 256)
	for i := range pal {
		pal[i] = color.Gray{Y: uint8(i)}
	}
	out := image.NewPaletted(g.Bounds(), pal)
	draw.Draw(out, out.Bounds(), g, g.Bounds().Min, draw.Src)
	return out
}

// negotiateImage picks the rendered media type: image/jpeg unless the
// client prefers image/png or image/gif.
func negotiateImage(r *http.Request) (string, error) {
	for _, m := range acceptable(r) {
		switch {
		case m.typ == "image/jpeg" || m.typ == "image/png" || m.typ == "image/gif":
			return m.typ, nil
		case m.typ == "*/*" || m.typ == "image/*":
			return "image/jpeg", nil
		}
	}
	return "", errorf(http.StatusNotAcceptable, "rendered images are available as image/jpeg, image/png or image/gif")
}

func sendImage(w http.ResponseWriter, r *http.Request, mt string, body []byte) {
	hd := w.Header()
	hd.Set("Content-Type", mt)
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	hd.Set("Cache-Control", "private, max-age=3600")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}
