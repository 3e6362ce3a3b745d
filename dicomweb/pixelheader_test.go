package dicomweb

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"strconv"
	"sync"
	"testing"

	"github.com/pacslite/pacslite/dicomweb/dataset"
	"github.com/pacslite/pacslite/store/blob/fsblob"
	"github.com/pacslite/pacslite/store/index"
)

// countingStore is an in-memory blob store that counts the bytes read.
type countingStore struct {
	mu    sync.Mutex
	blobs map[string][]byte
	read  int64
}

func (s *countingStore) Put(_ context.Context, key string, r io.Reader) (int64, error) {
	b, err := io.ReadAll(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.blobs[key] = b
	return int64(len(b)), err
}

func (s *countingStore) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	return s.OpenRange(ctx, key, 0, -1)
}

func (s *countingStore) OpenRange(_ context.Context, key string, off, n int64) (io.ReadCloser, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.blobs[key]
	end := int64(len(b))
	if n >= 0 && off+n < end {
		end = off + n
	}
	return io.NopCloser(&countingReader{s: s, r: bytes.NewReader(b[min(off, end):end])}), nil
}

func (s *countingStore) Delete(context.Context, string) error { return nil }

func (s *countingStore) bytesRead() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.read
}

type countingReader struct {
	s *countingStore
	r io.Reader
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.s.mu.Lock()
	c.s.read += int64(n)
	c.s.mu.Unlock()
	return n, err
}

// multiFrame builds an explicit VR little endian file of n 256x256 16-bit
// frames, frame i filled with the byte i; encapsulated, each frame is one
// fragment of 64 KiB (a fake codestream) after a Basic Offset Table
// (bot) or an empty one.
func multiFrame(n int, encapsulated, bot bool) []byte {
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	ts := dataset.ExplicitVRLittleEndian
	if encapsulated {
		ts = "1.2.840.10008.1.2.4.70"
	}
	meta := &dataset.Dataset{Elements: []*dataset.Element{
		{Tag: 0x00020002, VR: "UI", Value: padEven("1.2.840.10008.5.1.4.1.1.2.1", 0)},
		{Tag: 0x00020003, VR: "UI", Value: padEven("1.2.3.4", 0)},
		{Tag: dataset.TagTransferSyntaxUID, VR: "UI", Value: padEven(ts, 0)},
	}}
	writeMetaGroup(w, meta)
	us := func(v uint16) []byte { return binary.LittleEndian.AppendUint16(nil, v) }
	writeElement(w, 0x00280002, "US", us(1), -1)
	writeElement(w, 0x00280004, "CS", padEven("MONOCHROME2", ' '), -1)
	writeElement(w, 0x00280008, "IS", padEven(strconv.Itoa(n), ' '), -1)
	writeElement(w, 0x00280010, "US", us(256), -1)
	writeElement(w, 0x00280011, "US", us(256), -1)
	writeElement(w, 0x00280100, "US", us(16), -1)
	writeElement(w, 0x00280101, "US", us(16), -1)
	writeElement(w, 0x00280102, "US", us(15), -1)
	writeElement(w, 0x00280103, "US", us(0), -1)
	frame := func(i int) []byte { return bytes.Repeat([]byte{byte(i)}, 256*256*2) }
	if !encapsulated {
		writeElement(w, dataset.TagPixelData, "OW", nil, int64(n)*256*256*2)
		for i := range n {
			w.Write(frame(i))
		}
		w.Flush()
		return buf.Bytes()
	}
	writeElement(w, dataset.TagPixelData, "OB", nil, 0xFFFFFFFF)
	item := func(b []byte) {
		w.Write([]byte{0xFE, 0xFF, 0x00, 0xE0})
		w.Write(binary.LittleEndian.AppendUint32(nil, uint32(len(b))))
		w.Write(b)
	}
	var table []byte
	for i := range n {
		if bot {
			table = binary.LittleEndian.AppendUint32(table, uint32(i*(8+64<<10)))
		}
	}
	item(table)
	for i := range n {
		item(append([]byte{0xFF, 0xD8}, frame(i)[:64<<10-2]...))
	}
	w.Write([]byte{0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0})
	w.Flush()
	return buf.Bytes()
}

// TestFrameReadsOnlyTheFrame: serving one frame of a large multi-frame
// instance reads the start of the file once (the header, cached) and then
// only that frame.
func TestFrameReadsOnlyTheFrame(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name               string
		encapsulated, bot  bool
		frameSize, maxCold int64
	}{
		{"native", false, false, 256 * 256 * 2, 256<<10 + 256*256*2},
		{"encapsulated with offset table", true, true, 64 << 10, 256<<10 + 64<<10 + 8*100},
		// Without an offset table the item headers are walked: fragments
		// over 256 KiB are skipped, smaller ones read through.
		{"encapsulated without offset table", true, false, 64 << 10, 256<<10 + 100*(64<<10+8) + 128<<10},
	} {
		t.Run(c.name, func(t *testing.T) {
			file := multiFrame(100, c.encapsulated, c.bot)
			store := &countingStore{blobs: map[string][]byte{"k": file}}
			v := &viewer{h: &Handler{opts: Options{Blobs: store}}, headers: newHeaderCache(8)}
			ref := index.InstanceRef{BlobKey: "k", Size: int64(len(file)), TransferSyntaxUID: "1.2.840.10008.1.2.1"}
			if c.encapsulated {
				ref.TransferSyntaxUID = "1.2.840.10008.1.2.4.70"
			}
			p, err := v.header(ctx, ref)
			if err != nil {
				t.Fatal(err)
			}
			b, err := v.readFrame(ctx, p, 49)
			if err != nil {
				t.Fatal(err)
			}
			if int64(len(b)) != c.frameSize || b[100] != 49 {
				t.Fatalf("frame 50: %d bytes starting %d, want %d bytes of 49", len(b), b[100], c.frameSize)
			}
			if cold := store.bytesRead(); cold > c.maxCold {
				t.Errorf("first frame read %d bytes of a %d-byte file, want at most %d", cold, len(file), c.maxCold)
			}
			before := store.bytesRead()
			p, _ = v.header(ctx, ref)
			if _, err := v.readFrame(ctx, p, 70); err != nil {
				t.Fatal(err)
			}
			if warm := store.bytesRead() - before; warm > c.frameSize+8 {
				t.Errorf("second frame read %d bytes, want at most %d", warm, c.frameSize+8)
			}
		})
	}
}

// BenchmarkFrameNative reads frame 50 of a 100-frame native instance
// from the filesystem store, header cached: what a viewer scrolling
// through a cine loop costs.
func BenchmarkFrameNative(b *testing.B) {
	ctx := context.Background()
	fs, err := fsblob.New(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	file := multiFrame(100, false, false)
	if _, err := fs.Put(ctx, "k", bytes.NewReader(file)); err != nil {
		b.Fatal(err)
	}
	v := &viewer{h: &Handler{opts: Options{Blobs: fs}}, headers: newHeaderCache(8)}
	ref := index.InstanceRef{BlobKey: "k", Size: int64(len(file)), TransferSyntaxUID: dataset.ExplicitVRLittleEndian}
	b.SetBytes(256 * 256 * 2)
	for b.Loop() {
		p, err := v.header(ctx, ref)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := v.readFrame(ctx, p, 49); err != nil {
			b.Fatal(err)
		}
	}
}
