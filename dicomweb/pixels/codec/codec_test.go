package codec

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pacslite/pacslite/dicomweb/dataset"
)

// testFile is a parsed testdata file with its pixel data.
type testFile struct {
	ts     string
	info   FrameInfo
	frames [][]byte // compressed frames, or native frames
}

func load(t *testing.T, rel string) testFile {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "testdata", filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	f, err := dataset.Parse(bytes.NewReader(b), dataset.Options{InlineLimit: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	us := func(tag dataset.Tag) int {
		e := f.Dataset.Find(tag)
		if e == nil || len(e.Value) < 2 {
			return 0
		}
		return int(f.ByteOrder.Uint16(e.Value))
	}
	str := func(tag dataset.Tag) string {
		s := f.Dataset.Find(tag).Strings(nil)
		if len(s) == 0 {
			return ""
		}
		return s[0]
	}
	tf := testFile{ts: f.TransferSyntax, info: FrameInfo{
		Rows: us(0x00280010), Columns: us(0x00280011), SamplesPerPixel: us(0x00280002),
		BitsAllocated: us(0x00280100), BitsStored: us(0x00280101), PixelRepresentation: us(0x00280103),
		Photometric: str(0x00280004),
	}}
	n, _ := strconv.Atoi(str(0x00280008))
	n = max(n, 1)
	px := f.Dataset.Find(dataset.TagPixelData)
	if px.Fragments == nil {
		size := tf.info.Size()
		for i := 0; i < n; i++ {
			tf.frames = append(tf.frames, px.Value[i*size:(i+1)*size])
		}
		return tf
	}
	var frags [][]byte
	for _, fr := range px.Fragments[1:] {
		frags = append(frags, b[fr.Offset:fr.Offset+fr.Length])
	}
	if n == 1 {
		tf.frames = [][]byte{bytes.Join(frags, nil)}
	} else {
		tf.frames = frags
	}
	return tf
}

// TestLossless decodes lossless files of every codec and compares them with
// the native pixels of their source.
func TestLossless(t *testing.T) {
	mr := load(t, "pydicom/MR_small.dcm").frames[0]
	ct := load(t, "pydicom/CT_small.dcm").frames[0]
	tests := []struct {
		file string
		want []byte
	}{
		{"pydicom/MR_small_RLE.dcm", mr},
		{"pydicom/MR_small_jpeg_ls_lossless.dcm", mr},
		{"pydicom/MR_small_jp2klossless.dcm", mr},
		{"crafted/pixels/MR_small_jpeg_sv1.dcm", mr},
		{"crafted/pixels/MR_small_jpeg_p14.dcm", mr},
		{"crafted/pixels/MR_small_htj2k.dcm", mr},
		{"crafted/pixels/CT_small_jpeg_sv1.dcm", ct},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f := load(t, tt.file)
			got, err := Decode(f.ts, f.frames[0], f.info)
			if err != nil {
				t.Fatalf("Decode = %v", err)
			}
			if !bytes.Equal(got, tt.want) {
				t.Errorf("Decode differs from the native pixels at byte %d", firstDiff(got, tt.want))
			}
		})
	}
}

// TestColour checks colour codecs against the RLE RGB sample: lossless ones
// exactly, near-lossless JPEG-LS within its NEAR of 2.
func TestColour(t *testing.T) {
	src := load(t, "pydicom/SC_rgb_rle.dcm")
	want, err := Decode(src.ts, src.frames[0], src.info)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		file      string
		tolerance int
		photo     string
	}{
		{"crafted/pixels/SC_rgb_jpls_planar.dcm", 0, "RGB"},
		{"crafted/pixels/SC_rgb_jpls_near.dcm", 2, "RGB"},
		{"crafted/pixels/SC_rgb_j2k_rct.dcm", 0, "RGB"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f := load(t, tt.file)
			if p := OutputPhotometric(f.ts, f.info); p != tt.photo {
				t.Errorf("OutputPhotometric = %s, want %s", p, tt.photo)
			}
			got, err := Decode(f.ts, f.frames[0], f.info)
			if err != nil {
				t.Fatalf("Decode = %v", err)
			}
			if len(got) != len(want) {
				t.Fatalf("Decode = %d bytes, want %d", len(got), len(want))
			}
			for i := range got {
				if d := int(got[i]) - int(want[i]); d > tt.tolerance || -d > tt.tolerance {
					t.Fatalf("byte %d = %d, want %d (tolerance %d)", i, got[i], want[i], tt.tolerance)
				}
			}
		})
	}
}

// TestLossy compares lossy JPEG decoding with the SHA-256 of the pixel data
// DCMTK 3.6.7's dcmdjpeg writes for the same files (default options, which
// convert YBR_FULL to RGB as Decode does).
func TestLossy(t *testing.T) {
	tests := []struct {
		file, sha string
	}{
		{"pydicom/JPGExtended.dcm", "d30242775a414c01d616447854ebe3f2b20259822894bcd6891f879bcdcbf313"},
		{"pydicom/JPEG-lossy.dcm", "d30242775a414c01d616447854ebe3f2b20259822894bcd6891f879bcdcbf313"},
		{"pydicom/SC_rgb_jpeg_dcmtk.dcm", "ddb100d8f45a7fbf420e8ce5d1b376a5479f068c5109daac31eb982f662d228f"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f := load(t, tt.file)
			got, err := Decode(f.ts, f.frames[0], f.info)
			if err != nil {
				t.Fatalf("Decode = %v", err)
			}
			sum := sha256.Sum256(got)
			if h := hex.EncodeToString(sum[:]); h != tt.sha {
				t.Errorf("sha256(Decode) = %s, want %s", h, tt.sha)
			}
		})
	}
}

// TestErrors: bad input is an error, never a panic or a wrong image.
func TestErrors(t *testing.T) {
	mr := load(t, "crafted/pixels/MR_small_jpeg_sv1.dcm")
	rle := load(t, "pydicom/MR_small_RLE.dcm")
	j2k := load(t, "pydicom/MR_small_jp2klossless.dcm")
	jls := load(t, "pydicom/MR_small_jpeg_ls_lossless.dcm")
	bigger := mr.info
	bigger.Rows = 65
	tests := []struct {
		name  string
		ts    string
		frame []byte
		info  FrameInfo
	}{
		{"truncated jpeg", mr.ts, mr.frames[0][:100], mr.info},
		{"wrong size jpeg", mr.ts, mr.frames[0], bigger},
		{"garbage jpeg", mr.ts, []byte("not a jpeg at all"), mr.info},
		{"truncated rle", rle.ts, rle.frames[0][:200], rle.info},
		{"truncated j2k", j2k.ts, j2k.frames[0][:100], j2k.info},
		{"wrong size j2k", j2k.ts, j2k.frames[0], bigger},
		{"truncated jpeg-ls", jls.ts, jls.frames[0][:100], jls.info},
		{"wrong size jpeg-ls", jls.ts, jls.frames[0], bigger},
		{"unknown syntax", "1.2.840.10008.1.2.4.100", mr.frames[0], mr.info},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := Decode(tt.ts, tt.frame, tt.info); err == nil {
				t.Errorf("Decode = %d bytes, want an error", len(got))
			}
		})
	}
}

func TestSyntaxes(t *testing.T) {
	got := strings.Join(Syntaxes(), " ")
	for _, ts := range []string{JPEGBaseline, JPEGLosslessSV1, JPEGLSLossless, JPEG2000, HTJ2K, RLELossless} {
		if !strings.Contains(got, ts) {
			t.Errorf("Syntaxes() = %s, want %s in it", got, ts)
		}
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
