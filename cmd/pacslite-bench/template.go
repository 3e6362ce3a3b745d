package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/pacslite/pacslite/dicomweb/dataset"
	"github.com/pacslite/pacslite/dicomweb/dicomjson"
)

// template is a real DICOM file from testdata/ that synthetic instances are
// cloned from: its top-level elements are copied byte for byte except the
// few the generator rewrites (UIDs, patient, study and series attributes,
// and the image matrix).
type template struct {
	name     string
	data     []byte // the whole file
	ts       string // transfer syntax UID
	implicit bool
	sopClass string
	elems    []span // top-level dataset elements in file order
	has      map[dataset.Tag]bool

	rows, cols, spp, bits int
	pixels                []byte // native Pixel Data value

	mu     sync.Mutex
	scaled map[[2]int][]byte // rows, cols -> resampled Pixel Data
	meta   *dicomjson.Object // metadata, see metadataBase
}

// span is where one top-level element (header and value) lies in the file.
type span struct {
	tag        dataset.Tag
	start, end int
}

// loadTemplate parses a little endian file with native pixel data and
// records where each top-level element starts.
func loadTemplate(name, path string) (*template, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	f, err := dataset.Parse(bytes.NewReader(data), dataset.Options{InlineLimit: 1 << 30})
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	if f.ByteOrder != binary.LittleEndian || f.Deflated {
		return nil, fmt.Errorf("template %s: want a little endian, not deflated file", name)
	}
	t := &template{name: name, data: data, ts: f.TransferSyntax, implicit: f.Implicit,
		has: map[dataset.Tag]bool{}, scaled: map[[2]int][]byte{}}
	for i, e := range f.Dataset.Elements {
		start, err := t.headerStart(e)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
		if i == 0 && int64(start) != f.DatasetOffset {
			return nil, fmt.Errorf("template %s: first element at %d, dataset at %d", name, start, f.DatasetOffset)
		}
		if i > 0 {
			t.elems[i-1].end = start
		}
		t.elems = append(t.elems, span{tag: e.Tag, start: start, end: len(data)})
		t.has[e.Tag] = true
	}
	us := func(tag dataset.Tag) int {
		if e := f.Dataset.Find(tag); e != nil && len(e.Value) >= 2 {
			return int(binary.LittleEndian.Uint16(e.Value))
		}
		return 0
	}
	t.rows, t.cols, t.spp, t.bits = us(0x00280010), us(0x00280011), max(us(0x00280002), 1), us(0x00280100)
	if e := f.Dataset.Find(dataset.TagSOPClassUID); e != nil {
		if v := e.Strings(nil); len(v) == 1 {
			t.sopClass = v[0]
		}
	}
	px := f.Dataset.Find(dataset.TagPixelData)
	if px == nil || px.Fragments != nil || px.Value == nil {
		return nil, fmt.Errorf("template %s: want native pixel data", name)
	}
	if want := t.rows * t.cols * t.spp * t.bits / 8; len(px.Value) != want {
		return nil, fmt.Errorf("template %s: pixel data is %d bytes, %dx%dx%d at %d bits is %d", name, len(px.Value), t.rows, t.cols, t.spp, t.bits, want)
	}
	t.pixels = px.Value
	return t, nil
}

// headerStart finds where e's header begins: its value offset less an
// 8- or 12-byte header, checked against the tag bytes in the file.
func (t *template) headerStart(e *dataset.Element) (int, error) {
	for _, n := range []int64{8, 12} {
		s := e.Offset - n
		if s < 0 || e.Length < 0 && n == 8 && !t.implicit {
			continue
		}
		b := t.data[s:]
		if binary.LittleEndian.Uint16(b) == e.Tag.Group() && binary.LittleEndian.Uint16(b[2:]) == e.Tag.Element() {
			return int(s), nil
		}
	}
	return 0, fmt.Errorf("element %s: cannot find its header", e.Tag)
}

// pixelsFor returns Pixel Data for a rows x cols matrix, resampled from the
// template's image (nearest neighbour), computed once per size.
func (t *template) pixelsFor(rows, cols int) []byte {
	if rows == t.rows && cols == t.cols {
		return t.pixels
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if p, ok := t.scaled[[2]int{rows, cols}]; ok {
		return p
	}
	px := t.spp * t.bits / 8
	out := make([]byte, rows*cols*px)
	for y := range rows {
		sy := y * t.rows / rows
		for x := range cols {
			sx := x * t.cols / cols
			copy(out[(y*cols+x)*px:], t.pixels[(sy*t.cols+sx)*px:(sy*t.cols+sx+1)*px])
		}
	}
	t.scaled[[2]int{rows, cols}] = out
	return out
}

// templates are the files the synthetic archive is cloned from.
type templates struct {
	ct, mr, pt, cr *template
}

func loadTemplates(repo string) (*templates, error) {
	var ts templates
	for _, x := range []struct {
		dst  **template
		name string
		path string
	}{
		{&ts.ct, "CT", "testdata/pydicom/CT_small.dcm"}, // explicit LE, 128x128
		{&ts.mr, "MR", "testdata/suyashkumar/3.dcm"},    // explicit LE, TCIA MR
		{&ts.pt, "PT", "testdata/suyashkumar/1.dcm"},    // explicit LE, TCIA PET
		{&ts.cr, "CR", "testdata/suyashkumar/4.dcm"},    // implicit LE, TCIA CR, 7.5 MB
	} {
		t, err := loadTemplate(x.name, filepath.Join(repo, x.path))
		if err != nil {
			return nil, err
		}
		*x.dst = t
	}
	return &ts, nil
}
