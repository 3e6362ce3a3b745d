package pixels

import (
	"image"
	"math"
)

// FitSize returns the size of a w x h image scaled to fit inside vw x vh
// with its aspect ratio kept (at least 1x1). Without up, images already
// inside keep their size.
func FitSize(w, h, vw, vh int, up bool) (int, int) {
	if vw <= 0 || vh <= 0 || w <= 0 || h <= 0 {
		return w, h
	}
	s := math.Min(float64(vw)/float64(w), float64(vh)/float64(h))
	if s >= 1 && !up {
		return w, h
	}
	return max(1, int(math.Round(float64(w)*s))), max(1, int(math.Round(float64(h)*s)))
}

// Resize scales an image from Render (*image.Gray or *image.RGBA) to w x h:
// area averaging when shrinking, bilinear interpolation when enlarging.
func Resize(src image.Image, w, h int) image.Image {
	b := src.Bounds()
	if b.Dx() == w && b.Dy() == h {
		return src
	}
	var pix []uint8
	var stride, channels int
	var dst image.Image
	var out []uint8
	switch s := src.(type) {
	case *image.Gray:
		pix, stride, channels = s.Pix, s.Stride, 1
		d := image.NewGray(image.Rect(0, 0, w, h))
		dst, out = d, d.Pix
	case *image.RGBA:
		pix, stride, channels = s.Pix, s.Stride, 4
		d := image.NewRGBA(image.Rect(0, 0, w, h))
		dst, out = d, d.Pix
	default:
		return src
	}
	xs := axis(b.Dx(), w)
	ys := axis(b.Dy(), h)
	acc := make([]float64, channels)
	for oy, wy := range ys {
		for ox, wx := range xs {
			clear(acc)
			total := 0.0
			for _, ty := range wy {
				for _, tx := range wx {
					f := ty.w * tx.w
					total += f
					o := ty.i*stride + tx.i*channels
					for c := range channels {
						acc[c] += f * float64(pix[o+c])
					}
				}
			}
			o := (oy*w + ox) * channels
			for c := range channels {
				out[o+c] = uint8(math.Min(255, acc[c]/total+0.5))
			}
		}
	}
	return dst
}

// tap is one source pixel contributing to an output pixel.
type tap struct {
	i int
	w float64
}

// axis lists, for each of the out positions along an axis of n source
// pixels, the source pixels it takes and their weights.
func axis(n, out int) [][]tap {
	taps := make([][]tap, out)
	scale := float64(n) / float64(out)
	for o := range taps {
		if scale > 1 { // shrink: the source pixels the output pixel covers
			a, b := float64(o)*scale, float64(o+1)*scale
			for i := int(a); i < n && float64(i) < b; i++ {
				cover := math.Min(b, float64(i+1)) - math.Max(a, float64(i))
				if cover > 0 {
					taps[o] = append(taps[o], tap{i, cover})
				}
			}
			continue
		}
		// enlarge: the two nearest source pixel centres
		c := (float64(o)+0.5)*scale - 0.5
		i := int(math.Floor(c))
		f := c - float64(i)
		lo, hi := max(i, 0), min(i+1, n-1)
		taps[o] = []tap{{lo, 1 - f}, {hi, f}}
	}
	return taps
}
