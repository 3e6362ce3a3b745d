package dataset

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"path/filepath"
	"testing"
)

// fuzzSeeds are small test files covering each encoding; testdata/fuzz
// holds inputs the fuzzer found.
var fuzzSeeds = []string{
	"pydicom/empty_charset_LEI.dcm", // implicit VR
	"pydicom/nested_priv_SQ.dcm",    // private sequences, implicit
	"pydicom/UN_sequence.dcm",       // UN of undefined length
	"pydicom/SC_rgb_small_odd.dcm",  // odd lengths
	"pydicom/SC_rgb_rle.dcm",        // encapsulated
	"pydicom/rtplan.dcm",            // nested sequences, implicit
	"pydicom/rtstruct.dcm",          // no meta group
	"pydicom/image_dfl.dcm",         // deflated
	"charset/chrH32.dcm",            // ISO 2022 Japanese
	"charset/chrKoreanMulti.dcm",    // ISO 2022 Korean
	"charset/chrSQEncoding.dcm",     // charset in an item
}

func FuzzParse(f *testing.F) {
	for _, name := range fuzzSeeds {
		f.Add(readFile(f, filepath.Join(testdataDir, name)))
	}
	be := newEnc(binary.BigEndian, false)
	be.elem(0x00280010, "US", []byte{0, 2})
	be.elem(0x00181310, "FD", []byte{0x3F, 0xF0, 0, 0, 0, 0, 0, 0})
	be.header(0x00081115, "SQ", 0xFFFFFFFF)
	be.item(TagItem, 0xFFFFFFFF)
	be.elem(0x00080100, "SH", []byte("AB"))
	be.item(TagItemDelimitation, 0)
	be.item(TagSequenceDelimitation, 0)
	f.Add(part10(ExplicitVRBigEndian, be.Bytes()))
	f.Add(part10(ExplicitVRLittleEndian, nested(4)))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse(bytes.NewReader(data), Options{InlineLimit: 512, MaxElements: 10000})
		if err != nil {
			if !errors.Is(err, ErrNotDICOM) && !errors.Is(err, ErrMalformed) {
				t.Fatalf("Parse error %v wraps neither ErrNotDICOM nor ErrMalformed", err)
			}
		} else {
			exercise(file.Dataset, file.Charset(), file.ByteOrder)
		}
		err = Transcode(io.Discard, bytes.NewReader(data))
		if err != nil && !errors.Is(err, ErrNotDICOM) && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrCompressed) {
			t.Fatalf("Transcode error %v wraps no sentinel", err)
		}
	})
}

// exercise calls every accessor on every element, for the fuzzer.
func exercise(d *Dataset, cs *Charset, bo binary.ByteOrder) {
	for _, e := range d.Elements {
		e.Strings(cs)
		e.PersonNames(cs)
		e.Numbers(bo)
		e.Tags(bo)
		for _, item := range e.Items {
			exercise(item, cs.ForItem(item), bo)
		}
	}
}
