package conformance

import (
	"bytes"
	bin "encoding/binary"
	"strconv"
	"strings"
	"testing"

	"github.com/pacslite/pacslite/dicomweb/dataset"
)

// pixelFile is a testdata file with what the frame tests expect of it,
// read from the original bytes (values in the file's byte order).
type pixelFile struct {
	path                string
	bytes               []byte
	study, series, sop  string
	ts                  string
	rows, cols, spp, ba int
	frames              int
	photometric         string
	bigEndian           bool
	value               []byte   // native Pixel Data value (inflated)
	fragments           [][]byte // encapsulated: the items after the Basic Offset Table
	docValue            []byte   // EncapsulatedDocument
	botSize             int      // bytes in the Basic Offset Table
}

func loadPixelFile(t testing.TB, rel string) pixelFile {
	t.Helper()
	return loadPixelBytes(t, rel, readTestdata(t, rel))
}

// loadPixelBytes is loadPixelFile of a file's bytes (rel names it).
func loadPixelBytes(t testing.TB, rel string, b []byte) pixelFile {
	t.Helper()
	f, err := dataset.Parse(bytes.NewReader(b), dataset.Options{InlineLimit: 1 << 30})
	if err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
	ds := f.Dataset
	str := func(tag dataset.Tag) string {
		if s := ds.Find(tag).Strings(nil); len(s) > 0 {
			return s[0]
		}
		return ""
	}
	us := func(tag dataset.Tag) int {
		if e := ds.Find(tag); e != nil && len(e.Value) >= 2 {
			return int(f.ByteOrder.Uint16(e.Value))
		}
		return 0
	}
	pf := pixelFile{path: rel, bytes: b, study: str(0x0020000D), series: str(0x0020000E), sop: str(0x00080018),
		ts: f.TransferSyntax, rows: us(0x00280010), cols: us(0x00280011), spp: max(us(0x00280002), 1),
		ba: us(0x00280100), photometric: str(0x00280004), bigEndian: f.ByteOrder == bin.BigEndian, frames: 1}
	if n, err := strconv.Atoi(str(0x00280008)); err == nil && n > 0 {
		pf.frames = n
	}
	if e := ds.Find(0x00420011); e != nil {
		pf.docValue = e.Value
	}
	px := ds.Find(dataset.TagPixelData)
	switch {
	case px == nil:
	case px.Fragments == nil:
		pf.value = px.Value
	default:
		pf.botSize = int(px.Fragments[0].Length)
		for _, fr := range px.Fragments[1:] {
			pf.fragments = append(pf.fragments, b[fr.Offset:fr.Offset+fr.Length])
		}
	}
	return pf
}

// url is the instance's WADO-RS path.
func (pf pixelFile) url() string {
	return "/studies/" + pf.study + "/series/" + pf.series + "/instances/" + pf.sop
}

// frameBits is the size of one native frame in bits.
func (pf pixelFile) frameBits() int {
	samples := pf.spp
	if samples == 3 && strings.HasSuffix(pf.photometric, "_422") {
		samples = 2
	}
	return pf.rows * pf.cols * samples * pf.ba
}

// nativeFrame is native frame i (from 0) as the server must send it:
// little endian, 1-bit frames shifted to start at bit 0 of their own
// bytes. Computed bit by bit, independently of the server's code.
func (pf pixelFile) nativeFrame(i int) []byte {
	bits := pf.frameBits()
	if pf.ba == 1 {
		out := make([]byte, (bits+7)/8)
		for k := 0; k < bits; k++ {
			src := i*bits + k
			if pf.value[src/8]&(1<<(src%8)) != 0 {
				out[k/8] |= 1 << (k % 8)
			}
		}
		return out
	}
	size := bits / 8
	out := append([]byte(nil), pf.value[i*size:(i+1)*size]...)
	if w := pf.ba / 8; pf.bigEndian && w > 1 {
		for k := 0; k+w <= len(out); k += w {
			for a, z := k, k+w-1; a < z; a, z = a+1, z-1 {
				out[a], out[z] = out[z], out[a]
			}
		}
	}
	return out
}
