package dataset

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
)

// testdataDir is the repository's shared test data.
const testdataDir = "../../testdata"

// allTestFiles lists every .dcm file of the shared test data.
func allTestFiles(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(testdataDir, "*", "*.dcm"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no test files: %v", err)
	}
	return files
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// enc builds element bytes by hand for crafted inputs.
type enc struct {
	bytes.Buffer
	bo       binary.ByteOrder
	implicit bool
}

func newEnc(bo binary.ByteOrder, implicit bool) *enc { return &enc{bo: bo, implicit: implicit} }

func (e *enc) tag(t Tag) {
	var b [4]byte
	e.bo.PutUint16(b[:], t.Group())
	e.bo.PutUint16(b[2:], t.Element())
	e.Write(b[:])
}

func (e *enc) u32(v uint32) {
	var b [4]byte
	e.bo.PutUint32(b[:], v)
	e.Write(b[:])
}

// header writes an element header; length 0xFFFFFFFF is undefined.
func (e *enc) header(t Tag, vr string, length uint32) {
	e.tag(t)
	switch {
	case e.implicit:
		e.u32(length)
	case hasLongLength(vr):
		e.WriteString(vr)
		e.Write([]byte{0, 0})
		e.u32(length)
	default:
		e.WriteString(vr)
		var b [2]byte
		e.bo.PutUint16(b[:], uint16(length))
		e.Write(b[:])
	}
}

// elem writes a whole element with a defined length.
func (e *enc) elem(t Tag, vr string, value []byte) {
	e.header(t, vr, uint32(len(value)))
	e.Write(value)
}

// item writes an item or delimiter header.
func (e *enc) item(t Tag, length uint32) {
	e.tag(t)
	e.u32(length)
}

// part10 wraps a dataset in a preamble and a meta group declaring ts.
func part10(ts string, dataset []byte) []byte {
	m := newEnc(binary.LittleEndian, false)
	uid := []byte(ts)
	if len(uid)%2 == 1 {
		uid = append(uid, 0)
	}
	m.elem(0x00020001, "OB", []byte{0, 1})
	m.elem(0x00020010, "UI", uid)
	var out bytes.Buffer
	out.Write(make([]byte, 128))
	out.WriteString("DICM")
	g := newEnc(binary.LittleEndian, false)
	var l [4]byte
	binary.LittleEndian.PutUint32(l[:], uint32(m.Len()))
	g.elem(0x00020000, "UL", l[:])
	out.Write(g.Bytes())
	out.Write(m.Bytes())
	out.Write(dataset)
	return out.Bytes()
}
