package dicomweb

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/pacslite/pacslite/dicomweb/dataset"
	"github.com/pacslite/pacslite/dicomweb/pixels"
	"github.com/pacslite/pacslite/store/blob"
	"github.com/pacslite/pacslite/store/index"
)

// pixelHeader is what serving frames, rendered images and documents needs
// from a stored instance, read once per blob and cached (blob keys carry
// the content digest, so an entry never goes stale).
type pixelHeader struct {
	key      string
	size     int64 // of the blob
	ts       string
	sopClass string
	info     *pixels.Info // nil when the instance has no image
	order    binary.ByteOrder
	deflated bool
	dataAt   int64 // DatasetOffset: where deflated data starts in the file
	// headerEnd is where the Pixel Data element's header starts.
	headerEnd int64
	// Native pixel data: the value in the (inflated) stream.
	valueAt, valueLen int64
	// Encapsulated pixel data: frames as fragment lists, or (Basic Offset
	// Table without a fragment walk) the offset of each frame's first item,
	// a frame then ending where the next starts or at the sequence end.
	encapsulated bool
	frames       [][]dataset.Fragment
	spans        []int64
	// Encapsulated document (PDF, CDA, ...): the value and its media type.
	docAt, docLen int64
	docType       string
}

// frameCount is the number of frames the instance holds.
func (p *pixelHeader) frameCount() int {
	switch {
	case p.info == nil:
		return 0
	case p.encapsulated && p.frames != nil:
		return min(len(p.frames), p.info.Frames)
	case p.encapsulated:
		return min(len(p.spans), p.info.Frames)
	}
	size := p.info.FrameBits()
	if size == 0 {
		return 0
	}
	return int(min(int64(p.info.Frames), p.valueLen*8/size))
}

// headerParse keeps values up to 1 MiB in memory: palette and VOI LUT data,
// Extended Offset Tables of up to 128k frames.
var headerParse = dataset.Options{InlineLimit: 1 << 20, StopAtPixelData: true}

// readPixelHeader locates the pixel data (or encapsulated document) of a
// stored instance without reading its bulk: the start of the file is
// parsed up to the Pixel Data element (growing the prefix read until the
// element is found), and encapsulated fragments are found from the offset
// tables or by walking item headers with ranged reads. Deflated files, and
// files whose header is not in their first 16 MiB, are parsed as a stream.
func readPixelHeader(ctx context.Context, store blob.Store, ref index.InstanceRef) (*pixelHeader, error) {
	ro, ok := store.(blob.RangeOpener)
	if !ok {
		return nil, errors.New("dicomweb: the blob store cannot read ranges")
	}
	p := &pixelHeader{key: ref.BlobKey, size: ref.Size, sopClass: ref.SOPClassUID}
	var f *dataset.File
	var px *dataset.Element
	var err error
	if ref.TransferSyntaxUID != dataset.DeflatedExplicitVRLittleEndian {
		for n := int64(256 << 10); f == nil; n *= 4 {
			if f, px, err = parsePrefix(ctx, ro, ref, min(n, ref.Size)); err != nil {
				return nil, err
			}
			if n >= ref.Size || n >= 16<<20 {
				break
			}
		}
	}
	if f == nil {
		if f, px, err = parseStream(ctx, store, ref); err != nil {
			return nil, err
		}
	}
	p.ts, p.order, p.deflated, p.dataAt = f.TransferSyntax, f.ByteOrder, f.Deflated, f.DatasetOffset
	if doc := f.Dataset.Find(0x00420011); doc != nil && !f.Deflated {
		p.docAt, p.docLen, p.docType = doc.Offset, doc.Length, "application/pdf"
		if s := f.Dataset.Find(0x00420012).Strings(nil); len(s) > 0 {
			p.docType = s[0]
		}
	}
	if px == nil {
		return p, nil
	}
	p.info, err = pixels.ReadInfo(f.Dataset, f.ByteOrder)
	if err != nil {
		if errors.Is(err, pixels.ErrNoPixels) {
			return p, nil
		}
		return nil, errorf(http.StatusUnsupportedMediaType, "the instance's pixel data cannot be used: %v", err)
	}
	p.headerEnd = px.Offset - 12
	if f.Implicit {
		p.headerEnd = px.Offset - 8
	}
	if px.Length >= 0 {
		p.valueAt, p.valueLen = px.Offset, px.Length
		return p, nil
	}
	p.encapsulated = true
	if err := p.locateFrames(ctx, ro, f, px); err != nil {
		return nil, err
	}
	return p, nil
}

// parsePrefix parses the first n bytes of the blob up to the top-level
// Pixel Data element. The element is found by looking for its tag and
// checking that everything before it parses as a complete dataset: then
// the tag starts a top-level element. It returns a nil File when the
// prefix does not reach the element (nor the end of a file without one).
func parsePrefix(ctx context.Context, ro blob.RangeOpener, ref index.InstanceRef, n int64) (*dataset.File, *dataset.Element, error) {
	buf, err := readRange(ctx, ro, ref.BlobKey, 0, n)
	if err != nil {
		return nil, nil, err
	}
	if int64(len(buf)) == ref.Size {
		return parseAll(buf)
	}
	tag := []byte{0xE0, 0x7F, 0x10, 0x00}
	if ref.TransferSyntaxUID == dataset.ExplicitVRBigEndian {
		tag = []byte{0x7F, 0xE0, 0x00, 0x10}
	}
	from := 0
	for tries := 0; tries < 16; tries++ {
		i := bytes.Index(buf[from:], tag)
		if i < 0 {
			return nil, nil, nil
		}
		at := from + i
		from = at + 1
		if at+12 > len(buf) {
			return nil, nil, nil
		}
		f, err := dataset.Parse(bytes.NewReader(buf[:at]), headerParse)
		if err != nil || f.DatasetOffset > int64(at) {
			continue
		}
		px := &dataset.Element{Tag: dataset.TagPixelData, VR: "OW"}
		if f.Implicit {
			px.Offset, px.Length = int64(at+8), int64(f.ByteOrder.Uint32(buf[at+4:]))
		} else {
			px.VR = string(buf[at+4 : at+6])
			px.Offset, px.Length = int64(at+12), int64(f.ByteOrder.Uint32(buf[at+8:]))
		}
		if px.Length == 0xFFFFFFFF {
			px.Length = -1
		}
		f.Dataset.Elements = append(f.Dataset.Elements, px)
		return f, px, nil
	}
	return nil, nil, nil
}

// parseAll parses a whole file held in memory.
func parseAll(buf []byte) (*dataset.File, *dataset.Element, error) {
	f, err := dataset.Parse(bytes.NewReader(buf), headerParse)
	if err != nil {
		return nil, nil, fmt.Errorf("dicomweb: parse stored instance: %w", err)
	}
	return f, f.Dataset.Find(dataset.TagPixelData), nil
}

// parseStream parses the whole stored file as a stream.
func parseStream(ctx context.Context, store blob.Store, ref index.InstanceRef) (*dataset.File, *dataset.Element, error) {
	rc, err := store.Open(ctx, ref.BlobKey)
	if err != nil {
		return nil, nil, err
	}
	defer rc.Close()
	f, err := dataset.Parse(bufio.NewReaderSize(rc, 64<<10), headerParse)
	if err != nil {
		return nil, nil, fmt.Errorf("dicomweb: parse stored instance %s: %w", ref.BlobKey, err)
	}
	return f, f.Dataset.Find(dataset.TagPixelData), nil
}

// readRange reads n bytes at off (fewer at the end of the blob).
func readRange(ctx context.Context, ro blob.RangeOpener, key string, off, n int64) ([]byte, error) {
	rc, err := ro.OpenRange(ctx, key, off, n)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b := make([]byte, n)
	m, err := io.ReadFull(rc, b)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, fmt.Errorf("dicomweb: read %s at %d: %w", key, off, err)
	}
	return b[:m], nil
}
