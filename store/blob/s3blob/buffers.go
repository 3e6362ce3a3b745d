package s3blob

import (
	"io"
	"sync"
)

// smallSizes are the buffers a Put climbs through before a part-sized
// one: most instances are far smaller than a part, and a small blob should
// not hold (and, reusing a pooled buffer, touch) a part-sized buffer.
var smallSizes = []int{64 << 10, 1 << 20}

// buffers pools byte slices in a few sizes, the largest the part size.
type buffers struct {
	sizes []int
	pools []sync.Pool // of *[]byte; idle buffers go at the next GC
}

func newBuffers(partSize int) *buffers {
	b := &buffers{}
	for _, n := range smallSizes {
		if n < partSize {
			b.sizes = append(b.sizes, n)
		}
	}
	b.sizes = append(b.sizes, partSize)
	b.pools = make([]sync.Pool, len(b.sizes))
	return b
}

func (b *buffers) get(tier int) *[]byte {
	if p, ok := b.pools[tier].Get().(*[]byte); ok {
		return p
	}
	p := make([]byte, b.sizes[tier])
	return &p
}

func (b *buffers) put(tier int, p *[]byte) { b.pools[tier].Put(p) }

// readPart reads from r until it has a whole part or r ends, moving to a
// larger buffer each time the current one fills. It returns the buffer,
// its tier (to give it back with put), the bytes read and the read error:
// nil when the part is full and r may hold more, io.EOF or
// io.ErrUnexpectedEOF when r ended.
func (b *buffers) readPart(r io.Reader) (buf *[]byte, tier, n int, err error) {
	for tier = 0; ; tier++ {
		next := b.get(tier)
		if buf != nil {
			copy(*next, (*buf)[:n])
			b.put(tier-1, buf)
		}
		buf = next
		var m int
		m, err = io.ReadFull(r, (*buf)[n:])
		n += m
		if err != nil || tier == len(b.sizes)-1 {
			return buf, tier, n, err
		}
	}
}
