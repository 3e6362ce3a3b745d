package dicomweb

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"

	"github.com/pacslite/pacslite/dicomweb/dataset"
	"github.com/pacslite/pacslite/store/blob"
)

// locateFrames finds the frames of encapsulated pixel data (PS3.5 A.4):
// by the Extended Offset Table when there is one, else by the Basic Offset
// Table, else from the fragments: one per frame when the counts agree, all
// of them for a single frame, else split where a codestream starts.
func (p *pixelHeader) locateFrames(ctx context.Context, ro blob.RangeOpener, f *dataset.File, px *dataset.Element) error {
	n := p.info.Frames
	// The first item is the Basic Offset Table.
	head, err := readRange(ctx, ro, p.key, px.Offset, 8)
	if err != nil {
		return err
	}
	if len(head) < 8 || binary.LittleEndian.Uint32(head) != 0xE000FFFE {
		return fmt.Errorf("dicomweb: %s: encapsulated pixel data does not start with an item", p.key)
	}
	botLen := int64(binary.LittleEndian.Uint32(head[4:]))
	base := px.Offset + 8 + botLen
	if videoTypes[p.ts] != "" {
		// One stream, cut into fragments anywhere: all of it is the video.
		frags, err := walkFragments(ctx, ro, p.key, base, p.size)
		p.frames = [][]dataset.Fragment{frags}
		return err
	}
	if eot, lens := f.Dataset.Find(0x7FE00001), f.Dataset.Find(0x7FE00002); eot != nil && lens != nil &&
		len(eot.Value) == 8*n && len(lens.Value) == 8*n {
		for i := range n {
			at := base + int64(binary.LittleEndian.Uint64(eot.Value[8*i:])) + 8
			l := int64(binary.LittleEndian.Uint64(lens.Value[8*i:]))
			if at < base || l < 0 || at+l > p.size {
				return fmt.Errorf("dicomweb: %s: Extended Offset Table points outside the file", p.key)
			}
			p.frames = append(p.frames, []dataset.Fragment{{Offset: at, Length: l}})
		}
		return nil
	}
	if botLen == int64(4*n) && n > 1 {
		bot, err := readRange(ctx, ro, p.key, px.Offset+8, botLen)
		if err != nil {
			return err
		}
		for i := range n {
			at := base + int64(binary.LittleEndian.Uint32(bot[4*i:]))
			if at >= p.size || i > 0 && at <= p.spans[i-1] {
				return fmt.Errorf("dicomweb: %s: Basic Offset Table offsets out of order or outside the file", p.key)
			}
			p.spans = append(p.spans, at)
		}
		return nil
	}
	var frags []dataset.Fragment
	if px.Fragments != nil {
		frags = px.Fragments[1:]
	} else if frags, err = walkFragments(ctx, ro, p.key, base, p.size); err != nil {
		return err
	}
	switch {
	case len(frags) == 0:
		return fmt.Errorf("dicomweb: %s: encapsulated pixel data without fragments", p.key)
	case n == 1:
		p.frames = [][]dataset.Fragment{frags}
	case len(frags) == n:
		for _, fr := range frags {
			p.frames = append(p.frames, []dataset.Fragment{fr})
		}
	default:
		return p.splitByMarkers(ctx, ro, frags)
	}
	return nil
}

// splitByMarkers groups fragments into frames, starting a frame at each
// fragment that begins a JPEG, JPEG-LS or JPEG 2000 codestream.
func (p *pixelHeader) splitByMarkers(ctx context.Context, ro blob.RangeOpener, frags []dataset.Fragment) error {
	for _, fr := range frags {
		b, err := readRange(ctx, ro, p.key, fr.Offset, 4)
		if err != nil {
			return err
		}
		start := len(b) >= 4 && (b[0] == 0xFF && b[1] == 0xD8 || // JPEG, JPEG-LS: SOI
			b[0] == 0xFF && b[1] == 0x4F && b[2] == 0xFF && b[3] == 0x51 || // J2K: SOC SIZ
			b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] == 12) // JP2 signature box
		if start || len(p.frames) == 0 {
			p.frames = append(p.frames, nil)
		}
		p.frames[len(p.frames)-1] = append(p.frames[len(p.frames)-1], fr)
	}
	if len(p.frames) != p.info.Frames {
		return errorf(http.StatusNotAcceptable, "the pixel data has %d fragments for %d frames and no offset table; its frames cannot be told apart",
			len(frags), p.info.Frames)
	}
	return nil
}

// walkFragments reads the item headers of encapsulated pixel data from
// offset at to the sequence delimiter, skipping fragment bytes: small
// fragments are read through, large ones skipped with a new ranged read.
func walkFragments(ctx context.Context, ro blob.RangeOpener, key string, at, size int64) ([]dataset.Fragment, error) {
	var frags []dataset.Fragment
	var rc io.ReadCloser
	var br *bufio.Reader
	defer func() {
		if rc != nil {
			rc.Close()
		}
	}()
	var h [8]byte
	for at+8 <= size {
		if br == nil {
			var err error
			if rc, err = ro.OpenRange(ctx, key, at, -1); err != nil {
				return nil, err
			}
			br = bufio.NewReaderSize(rc, 64<<10)
		}
		if _, err := io.ReadFull(br, h[:]); err != nil {
			return nil, fmt.Errorf("dicomweb: %s: read fragment header at %d: %w", key, at, err)
		}
		tag, n := binary.LittleEndian.Uint32(h[:]), int64(binary.LittleEndian.Uint32(h[4:]))
		if tag == 0xE0DDFFFE {
			return frags, nil
		}
		if tag != 0xE000FFFE || at+8+n > size {
			return nil, fmt.Errorf("dicomweb: %s: bad pixel data item at %d", key, at)
		}
		frags = append(frags, dataset.Fragment{Offset: at + 8, Length: n})
		at += 8 + n
		if n <= 256<<10 {
			if _, err := br.Discard(int(n)); err != nil {
				return nil, fmt.Errorf("dicomweb: %s: skip fragment: %w", key, err)
			}
			continue
		}
		rc.Close()
		rc, br = nil, nil
	}
	return frags, nil // no sequence delimiter: take what is there
}
