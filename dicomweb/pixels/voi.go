package pixels

import "math"

// apply maps x through the window to [0, 1] (PS3.3 C.11.2.1.2.1 for
// LINEAR, C.11.2.1.3.1 for LINEAR_EXACT and C.11.2.1.3.2 for SIGMOID).
func (w Window) apply(x float64) float64 {
	c, width := w.Center, w.Width
	switch w.Function {
	case "LINEAR_EXACT":
		if width <= 0 {
			width = math.SmallestNonzeroFloat64
		}
		switch {
		case x <= c-width/2:
			return 0
		case x > c+width/2:
			return 1
		}
		return (x-c)/width + 0.5
	case "SIGMOID":
		if width <= 0 {
			width = math.SmallestNonzeroFloat64
		}
		return 1 / (1 + math.Exp(-4*(x-c)/width))
	default: // LINEAR
		if width < 1 {
			width = 1
		}
		switch {
		case x <= c-0.5-(width-1)/2:
			return 0
		case x > c-0.5+(width-1)/2:
			return 1
		}
		return (x-(c-0.5))/(width-1) + 0.5
	}
}

// voi is the chosen VOI transformation of one frame: from modality values
// to [0, 1].
type voi func(x float64) float64

// chooseVOI picks the VOI transformation: the explicit window, else the
// dataset's first window, else its VOI LUT, else the range lo..hi of the
// frame's modality values.
func chooseVOI(explicit *Window, t Transform, lo, hi float64) voi {
	switch {
	case explicit != nil:
		return explicit.apply
	case len(t.Windows) > 0:
		return t.Windows[0].apply
	case t.VOILUT != nil:
		l := t.VOILUT
		scale := 1 / float64(int(1)<<l.Bits-1)
		return func(x float64) float64 {
			return clamp01(float64(l.Lookup(int(math.Round(x)))) * scale)
		}
	case hi > lo:
		return func(x float64) float64 { return clamp01((x - lo) / (hi - lo)) }
	}
	return func(x float64) float64 {
		if x > lo {
			return 1
		}
		return 0
	}
}

// modality maps a stored value to its modality value.
func (t Transform) modality(v int64) float64 {
	if t.ModalityLUT != nil {
		return float64(t.ModalityLUT.Lookup(int(v)))
	}
	return float64(v)*t.Slope + t.Intercept
}

func clamp01(y float64) float64 {
	switch {
	case y < 0:
		return 0
	case y > 1:
		return 1
	}
	return y
}

// to8 turns [0, 1] into 0..255.
func to8(y float64) uint8 { return uint8(clamp01(y)*255 + 0.5) }
