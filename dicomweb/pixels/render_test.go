package pixels

import (
	"encoding/binary"
	"image"
	"math"
	"testing"
)

func TestWindow(t *testing.T) {
	tests := []struct {
		w    Window
		x    float64
		want float64
	}{
		// PS3.3 C.11.2.1.2.1: c=50, w=101 maps up to -0.5 to 0, from 99.5 to 1.
		{Window{50, 101, "LINEAR"}, -1, 0},
		{Window{50, 101, "LINEAR"}, 0, 0.005},
		{Window{50, 101, "LINEAR"}, 49.5, 0.5},
		{Window{50, 101, "LINEAR"}, 100, 1},
		{Window{50, 101, ""}, 25, 0.255},
		{Window{0, 1, "LINEAR"}, -1, 0}, // width 1: a threshold
		{Window{0, 1, "LINEAR"}, 0, 1},
		{Window{50, 100, "LINEAR_EXACT"}, 0, 0},
		{Window{50, 100, "LINEAR_EXACT"}, 25, 0.25},
		{Window{50, 100, "LINEAR_EXACT"}, 100, 1},
		{Window{50, 100, "SIGMOID"}, 50, 0.5},
		{Window{50, 100, "SIGMOID"}, 100, 1 / (1 + math.Exp(-2))},
	}
	for _, tt := range tests {
		if got := tt.w.apply(tt.x); math.Abs(got-tt.want) > 1e-4 {
			t.Errorf("%+v.apply(%v) = %v, want %v", tt.w, tt.x, got, tt.want)
		}
	}
}

// gray renders a one-row image and returns its pixels.
func gray(t *testing.T, in *Info, data []byte, opt Options) []uint8 {
	t.Helper()
	img, err := Render(in, 0, data, opt)
	if err != nil {
		t.Fatalf("Render = %v", err)
	}
	return img.(*image.Gray).Pix
}

func u16(v ...uint16) []byte {
	var b []byte
	for _, x := range v {
		b = binary.LittleEndian.AppendUint16(b, x)
	}
	return b
}

func mono(cols, ba, bs, pr int, photometric string) *Info {
	return &Info{Rows: 1, Columns: cols, SamplesPerPixel: 1, BitsAllocated: ba, BitsStored: bs, HighBit: bs - 1,
		PixelRepresentation: pr, Photometric: photometric, Frames: 1, Transform: Transform{Slope: 1}}
}

func TestRenderGray(t *testing.T) {
	minmax := mono(3, 16, 16, 0, "MONOCHROME2")
	inverted := mono(3, 16, 16, 0, "MONOCHROME1")
	signed := mono(3, 16, 16, 1, "MONOCHROME2")
	masked := mono(3, 16, 12, 0, "MONOCHROME2") // bits 12-15 hold overlay garbage
	rescaled := mono(3, 16, 16, 0, "MONOCHROME2")
	rescaled.Transform = Transform{Slope: 2, Intercept: -1000, Windows: []Window{{Center: -800, Width: 201}}}
	lut := mono(3, 8, 8, 0, "MONOCHROME2")
	lut.Transform.ModalityLUT = &LUT{First: 0, Bits: 16, Data: []uint16{0, 1000, 2000}}
	voiLUT := mono(3, 16, 16, 0, "MONOCHROME2")
	voiLUT.Transform.VOILUT = &LUT{First: 10, Bits: 8, Data: []uint16{0, 255}}
	perFrame := mono(3, 16, 16, 0, "MONOCHROME2")
	perFrame.PerFrame = []Transform{{Slope: 1, Windows: []Window{{Center: 0.5, Width: 2}}}}
	tests := []struct {
		name string
		in   *Info
		data []byte
		opt  Options
		want []uint8
	}{
		{"min-max", minmax, u16(100, 150, 200), Options{}, []uint8{0, 128, 255}},
		{"MONOCHROME1 inverted", inverted, u16(100, 150, 200), Options{}, []uint8{255, 128, 0}},
		{"signed 16-bit", signed, u16(0xFFFF, 0, 1), Options{}, []uint8{0, 128, 255}}, // -1, 0, 1
		{"bits stored masked", masked, u16(0xF000|10, 0x1000|20, 30), Options{}, []uint8{0, 128, 255}},
		{"rescale then window", rescaled, u16(0, 100, 200), Options{}, []uint8{0, 128, 255}}, // -1000, -800, -600
		{"explicit window wins", minmax, u16(100, 150, 200), Options{Window: &Window{Center: 150, Width: 1}}, []uint8{0, 255, 255}},
		{"modality LUT", lut, []byte{0, 1, 2}, Options{Window: &Window{Center: 1000, Width: 2000, Function: "LINEAR_EXACT"}}, []uint8{0, 128, 255}},
		{"VOI LUT", voiLUT, u16(9, 10, 11), Options{}, []uint8{0, 0, 255}},
		{"functional group window", perFrame, u16(0, 1, 2), Options{}, []uint8{128, 255, 255}},
		{"32-bit", mono(3, 32, 32, 0, "MONOCHROME2"), []byte{0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0}, Options{}, []uint8{0, 128, 255}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := gray(t, tt.in, tt.data, tt.opt)
			for i := range tt.want {
				if d := int(got[i]) - int(tt.want[i]); d > 1 || d < -1 {
					t.Fatalf("Render = %v, want %v", got, tt.want)
				}
			}
		})
	}
}

func TestRenderOneBit(t *testing.T) {
	in := mono(10, 1, 1, 0, "MONOCHROME2")
	// Bits are packed from the least significant bit: pixels 0, 3 and 9 set.
	got := gray(t, in, []byte{0b00001001, 0b00000010}, Options{})
	want := []uint8{255, 0, 0, 255, 0, 0, 0, 0, 0, 255}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Render = %v, want %v", got, want)
		}
	}
	if blank := gray(t, in, []byte{0, 0}, Options{}); blank[0] != 0 {
		t.Errorf("an empty mask renders %d, want black", blank[0])
	}
}

func TestRenderColour(t *testing.T) {
	rgb := func(photometric string, planar int) *Info {
		return &Info{Rows: 1, Columns: 2, SamplesPerPixel: 3, BitsAllocated: 8, BitsStored: 8, HighBit: 7,
			Photometric: photometric, PlanarConfiguration: planar, Frames: 1}
	}
	palette := mono(2, 8, 8, 0, "PALETTE COLOR")
	for c := range 3 {
		palette.Palette[c] = &LUT{First: 0, Bits: 16, Data: []uint16{uint16(c) * 0x1000, 0xFFFF}}
	}
	tests := []struct {
		name string
		in   *Info
		data []byte
		want []uint8 // RGBA of both pixels
	}{
		{"RGB interleaved", rgb("RGB", 0), []byte{1, 2, 3, 4, 5, 6}, []uint8{1, 2, 3, 255, 4, 5, 6, 255}},
		{"RGB planar", rgb("RGB", 1), []byte{1, 4, 2, 5, 3, 6}, []uint8{1, 2, 3, 255, 4, 5, 6, 255}},
		{"YBR_FULL grey and red", rgb("YBR_FULL", 0), []byte{128, 128, 128, 76, 85, 255}, []uint8{128, 128, 128, 255, 254, 0, 0, 255}},
		{"YBR_FULL_422 pair", rgb("YBR_FULL_422", 0), []byte{100, 200, 128, 128}, []uint8{100, 100, 100, 255, 200, 200, 200, 255}},
		{"palette", palette, []byte{0, 1}, []uint8{0, 16, 32, 255, 255, 255, 255, 255}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img, err := Render(tt.in, 0, tt.data, Options{})
			if err != nil {
				t.Fatal(err)
			}
			got := img.(*image.RGBA).Pix
			for i := range tt.want {
				if d := int(got[i]) - int(tt.want[i]); d > 1 || d < -1 {
					t.Fatalf("Render = %v, want %v", got, tt.want)
				}
			}
		})
	}
}

func TestRenderRefuses(t *testing.T) {
	for name, in := range map[string]*Info{
		"short frame":           mono(4, 16, 16, 0, "MONOCHROME2"),
		"unknown photometric":   mono(2, 8, 8, 0, "CMYK"),
		"palette without a LUT": mono(2, 8, 8, 0, "PALETTE COLOR"),
	} {
		if _, err := Render(in, 0, []byte{1, 2, 3, 4}, Options{}); err == nil {
			t.Errorf("%s: Render succeeded, want an error", name)
		}
	}
}

func TestFit(t *testing.T) {
	for _, tt := range []struct {
		w, h, vw, vh int
		up           bool
		ww, wh       int
	}{
		{512, 256, 128, 128, false, 128, 64},
		{64, 64, 128, 128, false, 64, 64},
		{64, 64, 128, 128, true, 128, 128},
		{100, 300, 50, 50, true, 17, 50},
	} {
		if w, h := FitSize(tt.w, tt.h, tt.vw, tt.vh, tt.up); w != tt.ww || h != tt.wh {
			t.Errorf("FitSize(%d, %d, %d, %d, %v) = %d, %d, want %d, %d", tt.w, tt.h, tt.vw, tt.vh, tt.up, w, h, tt.ww, tt.wh)
		}
	}
	src := image.NewGray(image.Rect(0, 0, 4, 2))
	copy(src.Pix, []uint8{0, 100, 200, 255, 0, 100, 200, 255})
	small := Resize(src, 2, 1).(*image.Gray)
	if small.Pix[0] != 50 || small.Pix[1] != 228 {
		t.Errorf("Resize 4x2 to 2x1 = %v, want area averages [50 228]", small.Pix)
	}
	if big := Resize(src, 8, 4).(*image.Gray); big.Pix[0] != 0 || big.Pix[7] != 255 {
		t.Errorf("Resize 4x2 to 8x4 corners = %d, %d", big.Pix[0], big.Pix[7])
	}
}

// BenchmarkRenderCT renders a 512x512 16-bit CT frame (signed, rescaled,
// windowed) to 8-bit grey.
func BenchmarkRenderCT(b *testing.B) {
	in := &Info{Rows: 512, Columns: 512, SamplesPerPixel: 1, BitsAllocated: 16, BitsStored: 12, HighBit: 11,
		PixelRepresentation: 1, Photometric: "MONOCHROME2", Frames: 1,
		Transform: Transform{Slope: 1, Intercept: -1024, Windows: []Window{{Center: 40, Width: 400}}}}
	data := make([]byte, 512*512*2)
	for i := range 512 * 512 {
		binary.LittleEndian.PutUint16(data[2*i:], uint16(i%2000))
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Render(in, 0, data, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
