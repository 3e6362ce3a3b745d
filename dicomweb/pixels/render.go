package pixels

import (
	"fmt"
	"image"
	"math"
)

// Options adjust Render.
type Options struct {
	// Window, when set, replaces the dataset's VOI transformation of
	// grayscale images.
	Window *Window
}

// Render turns native frame i (from 0) into an 8-bit image: *image.Gray
// for grayscale, *image.RGBA for colour. data is the frame as Info
// describes it, little endian.
func Render(in *Info, i int, data []byte, opt Options) (image.Image, error) {
	switch in.Photometric {
	case "MONOCHROME1", "MONOCHROME2":
		if in.SamplesPerPixel != 1 {
			break
		}
		return renderGray(in, i, data, opt)
	case "PALETTE COLOR":
		return renderPalette(in, data)
	case "RGB", "YBR_FULL", "YBR_FULL_422", "YBR_PARTIAL_422":
		return renderColour(in, data)
	}
	return nil, fmt.Errorf("%w: photometric interpretation %q with %d samples", ErrUnsupported, in.Photometric, in.SamplesPerPixel)
}

func renderGray(in *Info, frame int, data []byte, opt Options) (image.Image, error) {
	sample, err := newSampler(in, data)
	if err != nil {
		return nil, err
	}
	t := in.FrameTransform(frame)
	img := image.NewGray(image.Rect(0, 0, in.Columns, in.Rows))
	invert := in.Photometric == "MONOCHROME1"
	finish := func(y float64) uint8 {
		if invert {
			y = 1 - y
		}
		return to8(y)
	}
	if in.BitsStored > 16 {
		// Wide values: no table, one pass for the range, one to map.
		n := in.Rows * in.Columns
		lo, hi := math.Inf(1), math.Inf(-1)
		for p := range n {
			x := t.modality(sample(p, 0))
			lo, hi = math.Min(lo, x), math.Max(hi, x)
		}
		f := chooseVOI(opt.Window, t, lo, hi)
		for p := range n {
			img.Pix[p] = finish(f(t.modality(sample(p, 0))))
		}
		return img, nil
	}
	// Up to 16 bits: map every stored value that occurs once, through a
	// table indexed by stored value.
	vals, lo32, hi32 := grayValues(in, data, sample)
	smin, smax := int64(lo32), int64(hi32)
	if in.BitsAllocated == 1 {
		smin, smax = 0, 1 // a blank mask stays black, a full one white
	}
	mod := make([]float64, smax-smin+1)
	seen := make([]bool, len(mod))
	for _, v := range vals {
		seen[int64(v)-smin] = true
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for k := range mod {
		mod[k] = t.modality(smin + int64(k))
		if seen[k] || in.BitsAllocated == 1 {
			lo, hi = math.Min(lo, mod[k]), math.Max(hi, mod[k])
		}
	}
	f := chooseVOI(opt.Window, t, lo, hi)
	table := make([]uint8, len(mod))
	for k, x := range mod {
		table[k] = finish(f(x))
	}
	for p, v := range vals {
		img.Pix[p] = table[int64(v)-smin]
	}
	return img, nil
}

func renderPalette(in *Info, data []byte) (image.Image, error) {
	if in.Palette[0] == nil || in.Palette[1] == nil || in.Palette[2] == nil {
		return nil, fmt.Errorf("%w: PALETTE COLOR without (non-segmented) palette LUT data", ErrUnsupported)
	}
	sample, err := newSampler(in, data)
	if err != nil {
		return nil, err
	}
	img := image.NewRGBA(image.Rect(0, 0, in.Columns, in.Rows))
	var shift [3]uint
	for c, l := range in.Palette {
		if l.Bits > 8 || maxOf(l.Data) > 255 {
			shift[c] = 8
		}
	}
	for p := range in.Rows * in.Columns {
		v := int(sample(p, 0))
		px := img.Pix[4*p : 4*p+4]
		for c, l := range in.Palette {
			px[c] = uint8(l.Lookup(v) >> shift[c])
		}
		px[3] = 255
	}
	return img, nil
}

func renderColour(in *Info, data []byte) (image.Image, error) {
	if in.SamplesPerPixel != 3 {
		return nil, fmt.Errorf("%w: %s with %d samples per pixel", ErrUnsupported, in.Photometric, in.SamplesPerPixel)
	}
	img := image.NewRGBA(image.Rect(0, 0, in.Columns, in.Rows))
	n := in.Rows * in.Columns
	partial := in.Photometric == "YBR_PARTIAL_422"
	if in.Photometric == "YBR_FULL_422" || partial {
		// Native 4:2:2: Y1 Y2 Cb Cr for each pair of pixels in a row.
		if in.BitsAllocated != 8 || int64(len(data)) < in.FrameSize() {
			return nil, fmt.Errorf("%w: %s with %d bits allocated", ErrUnsupported, in.Photometric, in.BitsAllocated)
		}
		for y := range in.Rows {
			for x := range in.Columns {
				p := y*in.Columns + x
				pair := (y*in.Columns + x&^1) * 2
				r, g, b := ybrToRGB(data[pair+x&1], data[pair+2], data[pair+3], partial)
				copy(img.Pix[4*p:], []uint8{r, g, b, 255})
			}
		}
		return img, nil
	}
	sample, err := newSampler(in, data)
	if err != nil {
		return nil, err
	}
	down := uint(max(in.BitsStored-8, 0))
	ybr := in.Photometric == "YBR_FULL"
	for p := range n {
		a, b, c := uint8(sample(p, 0)>>down), uint8(sample(p, 1)>>down), uint8(sample(p, 2)>>down)
		if ybr {
			a, b, c = ybrToRGB(a, b, c, false)
		}
		copy(img.Pix[4*p:], []uint8{a, b, c, 255})
	}
	return img, nil
}

// ybrToRGB converts full-range (or partial-range) YCbCr (PS3.3
// C.7.6.3.1.2) to RGB.
func ybrToRGB(y, cb, cr uint8, partial bool) (uint8, uint8, uint8) {
	fy, fb, fr := float64(y), float64(cb)-128, float64(cr)-128
	if partial {
		fy, fb, fr = (fy-16)*255/219, fb*255/224, fr*255/224
	}
	r := fy + 1.402*fr
	g := fy - 0.344136*fb - 0.714136*fr
	b := fy + 1.772*fb
	return to8(r / 255), to8(g / 255), to8(b / 255)
}

func maxOf(d []uint16) uint16 {
	var m uint16
	for _, v := range d {
		m = max(m, v)
	}
	return m
}
