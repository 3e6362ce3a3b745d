package dicomweb

import (
	"container/list"
	"context"
	"sync"

	"github.com/pacslite/pacslite/store/index"
)

// headerCache keeps the pixel headers of recently used blobs. A viewer
// asks for the frames of one instance in a burst; the first request reads
// the header and the others wait for it rather than read it again.
type headerCache struct {
	mu  sync.Mutex
	max int
	ll  *list.List // of *headerEntry, most recent first
	m   map[string]*list.Element
}

type headerEntry struct {
	key   string
	ready chan struct{} // closed once hdr or err is set
	hdr   *pixelHeader
	err   error
}

func newHeaderCache(max int) *headerCache {
	return &headerCache{max: max, ll: list.New(), m: map[string]*list.Element{}}
}

// get returns the cached header of ref's blob, loading it on a miss.
// Failures are not cached.
func (c *headerCache) get(ctx context.Context, ref index.InstanceRef, load func(context.Context, index.InstanceRef) (*pixelHeader, error)) (*pixelHeader, error) {
	c.mu.Lock()
	if el, ok := c.m[ref.BlobKey]; ok {
		c.ll.MoveToFront(el)
		e := el.Value.(*headerEntry)
		c.mu.Unlock()
		select {
		case <-e.ready:
			if e.err == nil {
				return e.hdr, nil
			}
			return load(ctx, ref) // the loader we waited for failed; try ourselves
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	e := &headerEntry{key: ref.BlobKey, ready: make(chan struct{})}
	el := c.ll.PushFront(e)
	c.m[ref.BlobKey] = el
	for c.ll.Len() > c.max {
		old := c.ll.Back()
		c.ll.Remove(old)
		delete(c.m, old.Value.(*headerEntry).key)
	}
	c.mu.Unlock()

	e.hdr, e.err = load(ctx, ref)
	close(e.ready)
	if e.err != nil {
		c.mu.Lock()
		if cur, ok := c.m[ref.BlobKey]; ok && cur == el {
			c.ll.Remove(el)
			delete(c.m, ref.BlobKey)
		}
		c.mu.Unlock()
	}
	return e.hdr, e.err
}
