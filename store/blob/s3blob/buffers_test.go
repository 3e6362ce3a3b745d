package s3blob

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
)

func TestReadPart(t *testing.T) {
	const part = MinPartSize
	b := newBuffers(part)
	data := make([]byte, part+10)
	rand.NewChaCha8([32]byte{7}).Read(data)
	tests := []struct {
		size, wantTier, wantN int
		wantEnd               bool
	}{
		{0, 0, 0, true},
		{1, 0, 1, true},
		{64 << 10, 1, 64 << 10, true},
		{64<<10 + 1, 1, 64<<10 + 1, true},
		{1 << 20, 2, 1 << 20, true},
		{1<<20 + 1, 2, 1<<20 + 1, true},
		{part, 2, part, false},
		{part + 10, 2, part, false},
	}
	for _, tt := range tests {
		for range 2 { // the second time from pooled, dirty buffers
			buf, tier, n, err := b.readPart(bytes.NewReader(data[:tt.size]))
			end := errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
			if tier != tt.wantTier || n != tt.wantN || end != tt.wantEnd || (err != nil && !end) {
				t.Errorf("readPart(%d bytes) = tier %d, %d bytes, %v; want tier %d, %d bytes, end %v",
					tt.size, tier, n, err, tt.wantTier, tt.wantN, tt.wantEnd)
			}
			if !bytes.Equal((*buf)[:n], data[:n]) {
				t.Errorf("readPart(%d bytes): the buffer does not hold the data read", tt.size)
			}
			b.put(tier, buf)
		}
	}
}
