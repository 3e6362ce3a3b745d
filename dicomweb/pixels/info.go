package pixels

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/pacslite/pacslite/dicomweb/dataset"
)

// ErrUnsupported is returned (wrapped) for pixel layouts Render cannot
// show (e.g. 5 samples per pixel, segmented palettes).
var ErrUnsupported = errors.New("pixels: unsupported pixel data")

// ErrNoPixels is returned by ReadInfo for datasets without an image.
var ErrNoPixels = errors.New("pixels: no image pixel data")

// Window is a VOI window (PS3.3 C.11.2.1.2).
type Window struct {
	Center, Width float64
	Function      string // LINEAR (default), LINEAR_EXACT or SIGMOID
}

// LUT is a lookup table (PS3.3 C.11.1): Data[i] is the output for the input
// First+i; inputs outside the table take the first or last entry.
type LUT struct {
	First int
	Bits  int // bits of each output value
	Data  []uint16
}

// Lookup returns the table's output for x.
func (l *LUT) Lookup(x int) int {
	i := x - l.First
	switch {
	case i < 0:
		i = 0
	case i >= len(l.Data):
		i = len(l.Data) - 1
	}
	return int(l.Data[i])
}

// Transform is the value transformation of one frame: Modality LUT and the
// VOI windows or LUT the dataset suggests.
type Transform struct {
	Slope, Intercept float64 // 1 and 0 when absent
	ModalityLUT      *LUT
	Windows          []Window
	VOILUT           *LUT
}

// Info is what rendering and frame extraction need from a dataset.
type Info struct {
	Rows, Columns       int
	SamplesPerPixel     int
	BitsAllocated       int
	BitsStored          int
	HighBit             int
	PixelRepresentation int // 1: two's complement
	PlanarConfiguration int // 1: colour by plane
	Photometric         string
	Frames              int // NumberOfFrames, 1 when absent
	Palette             [3]*LUT
	// Transform is the dataset's; PerFrame, when not nil, has one entry per
	// frame from the functional groups of enhanced multi-frame objects.
	Transform Transform
	PerFrame  []Transform
}

// FrameSize is the byte size of one native frame; for BitsAllocated 1 it is
// rounded up, see FrameBits.
func (in *Info) FrameSize() int64 {
	return (in.FrameBits() + 7) / 8
}

// FrameBits is the number of bits of one native frame. YBR_FULL_422 and
// YBR_PARTIAL_422 store two samples per pixel in native form.
func (in *Info) FrameBits() int64 {
	samples := int64(in.SamplesPerPixel)
	if samples == 3 && strings.HasSuffix(in.Photometric, "_422") {
		samples = 2
	}
	return int64(in.Rows) * int64(in.Columns) * samples * int64(in.BitsAllocated)
}

// FrameTransform returns the transformation of frame i (from 0).
func (in *Info) FrameTransform(i int) Transform {
	if i >= 0 && i < len(in.PerFrame) {
		return in.PerFrame[i]
	}
	return in.Transform
}

// Decoded returns the Info of frames a codec decoded into photometric:
// interleaved samples, full-resolution chroma.
func (in *Info) Decoded(photometric string) *Info {
	out := *in
	out.Photometric = photometric
	out.PlanarConfiguration = 0
	return &out
}

// ReadInfo reads the image pixel attributes of ds (a top-level dataset in
// byte order bo). Values must be in memory (parse with an InlineLimit that
// keeps LUT data). It returns ErrNoPixels when ds has no image.
func ReadInfo(ds *dataset.Dataset, bo binary.ByteOrder) (*Info, error) {
	r := reader{bo: bo}
	in := &Info{
		Rows: r.int(ds, 0x00280010), Columns: r.int(ds, 0x00280011),
		SamplesPerPixel: r.int(ds, 0x00280002), BitsAllocated: r.int(ds, 0x00280100),
		BitsStored: r.int(ds, 0x00280101), HighBit: r.int(ds, 0x00280102),
		PixelRepresentation: r.int(ds, 0x00280103), PlanarConfiguration: r.int(ds, 0x00280006),
		Photometric: r.str(ds, 0x00280004), Frames: 1,
	}
	if ds.Find(dataset.TagPixelData) == nil || in.Rows <= 0 || in.Columns <= 0 {
		return nil, ErrNoPixels
	}
	if n, err := strconv.Atoi(r.str(ds, 0x00280008)); err == nil && n > 0 {
		in.Frames = n
	}
	if in.SamplesPerPixel == 0 {
		in.SamplesPerPixel = 1
	}
	if in.BitsStored == 0 {
		in.BitsStored = in.BitsAllocated
	}
	if in.HighBit < in.BitsStored-1 || in.HighBit >= in.BitsAllocated {
		in.HighBit = in.BitsStored - 1
	}
	if in.Photometric == "" {
		in.Photometric = "MONOCHROME2"
		if in.SamplesPerPixel == 3 {
			in.Photometric = "RGB"
		}
	}
	switch {
	case in.BitsAllocated != 1 && in.BitsAllocated != 8 && in.BitsAllocated != 16 && in.BitsAllocated != 32:
		return nil, fmt.Errorf("%w: %d bits allocated", ErrUnsupported, in.BitsAllocated)
	case in.BitsStored > in.BitsAllocated:
		return nil, fmt.Errorf("%w: %d bits stored of %d allocated", ErrUnsupported, in.BitsStored, in.BitsAllocated)
	case in.SamplesPerPixel != 1 && in.SamplesPerPixel != 3:
		return nil, fmt.Errorf("%w: %d samples per pixel", ErrUnsupported, in.SamplesPerPixel)
	}
	in.Transform = r.transform(ds, Transform{Slope: 1})
	if in.Photometric == "PALETTE COLOR" {
		for c := range 3 {
			in.Palette[c] = r.lut(ds, dataset.Tag(0x00281101+c), dataset.Tag(0x00281201+c))
		}
	}
	in.PerFrame = r.functionalGroups(ds, in.Transform, in.Frames)
	return in, nil
}

// reader decodes attribute values of one byte order.
type reader struct{ bo binary.ByteOrder }

func (r reader) str(ds *dataset.Dataset, t dataset.Tag) string {
	if s := ds.Find(t).Strings(nil); len(s) > 0 {
		return s[0]
	}
	return ""
}

func (r reader) floats(ds *dataset.Dataset, t dataset.Tag) []float64 {
	var out []float64
	for _, s := range ds.Find(t).Strings(nil) {
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return nil
		}
		out = append(out, f)
	}
	return out
}

// int reads the first value of a US (or SS, IS) element; 0 when absent.
func (r reader) int(ds *dataset.Dataset, t dataset.Tag) int {
	e := ds.Find(t)
	switch {
	case e == nil:
		return 0
	case e.VR == "IS" || e.VR == "DS":
		n, _ := strconv.Atoi(r.str(ds, t))
		return n
	case len(e.Value) >= 2 && e.VR == "SS":
		return int(int16(r.bo.Uint16(e.Value)))
	case len(e.Value) >= 2:
		return int(r.bo.Uint16(e.Value))
	}
	return 0
}

// transform reads rescale, windows and LUTs from ds over base.
func (r reader) transform(ds *dataset.Dataset, base Transform) Transform {
	t := base
	if v := r.floats(ds, 0x00281053); len(v) > 0 && v[0] != 0 {
		t.Slope = v[0]
	}
	if v := r.floats(ds, 0x00281052); len(v) > 0 {
		t.Intercept = v[0]
	}
	if seq := ds.Find(0x00283000); seq != nil && len(seq.Items) > 0 {
		t.ModalityLUT = r.lut(seq.Items[0], 0x00283002, 0x00283006)
	}
	centers, widths := r.floats(ds, 0x00281050), r.floats(ds, 0x00281051)
	if len(centers) > 0 && len(widths) > 0 {
		fn := strings.ToUpper(r.str(ds, 0x00281056))
		t.Windows = nil
		for i := range min(len(centers), len(widths)) {
			t.Windows = append(t.Windows, Window{Center: centers[i], Width: widths[i], Function: fn})
		}
	}
	if seq := ds.Find(0x00283010); seq != nil && len(seq.Items) > 0 {
		t.VOILUT = r.lut(seq.Items[0], 0x00283002, 0x00283006)
	}
	return t
}

// lut reads a LUT from its descriptor and data elements; nil when absent
// or malformed.
func (r reader) lut(ds *dataset.Dataset, desc, data dataset.Tag) *LUT {
	d, v := ds.Find(desc), ds.Find(data)
	if d == nil || v == nil || len(d.Value) < 6 || len(v.Value) < 2 {
		return nil
	}
	n := int(r.bo.Uint16(d.Value))
	if n == 0 {
		n = 65536
	}
	first := int(r.bo.Uint16(d.Value[2:]))
	if d.VR == "SS" {
		first = int(int16(first))
	}
	l := &LUT{First: first, Bits: int(r.bo.Uint16(d.Value[4:]))}
	if v.VR == "OB" || len(v.Value) == n && l.Bits <= 8 {
		for _, b := range v.Value {
			l.Data = append(l.Data, uint16(b))
		}
	} else {
		for i := 0; i+1 < len(v.Value); i += 2 {
			l.Data = append(l.Data, r.bo.Uint16(v.Value[i:]))
		}
	}
	if len(l.Data) > n {
		l.Data = l.Data[:n]
	}
	if l.Bits <= 0 || l.Bits > 16 || len(l.Data) == 0 {
		return nil
	}
	return l
}

// functionalGroups reads per-frame transforms from the shared and
// per-frame functional groups (PixelValueTransformationSequence,
// FrameVOILUTSequence); nil when there are none.
func (r reader) functionalGroups(ds *dataset.Dataset, base Transform, frames int) []Transform {
	shared, perFrame := ds.Find(0x52009229), ds.Find(0x52009230)
	if shared == nil && perFrame == nil {
		return nil
	}
	apply := func(t Transform, groups *dataset.Dataset) Transform {
		for _, tag := range []dataset.Tag{0x00289145, 0x00289132} {
			if seq := groups.Find(tag); seq != nil && len(seq.Items) > 0 {
				t = r.transform(seq.Items[0], t)
			}
		}
		return t
	}
	common := base
	if shared != nil && len(shared.Items) > 0 {
		common = apply(common, shared.Items[0])
	}
	out := make([]Transform, frames)
	for i := range out {
		out[i] = common
		if perFrame != nil && i < len(perFrame.Items) {
			out[i] = apply(common, perFrame.Items[i])
		}
	}
	return out
}
