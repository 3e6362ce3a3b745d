package dicomweb

import (
	"bytes"
	"container/list"
	"io"
	"sync"

	"github.com/klauspost/compress/gzip"
)

// metadataBodyCacheSize bounds the gzipped metadata bodies kept in memory.
// A 1,000-instance CT series is about 10 MB of JSON and 0.5-1 MB gzipped,
// so 64 MB holds the series of dozens of studies a reading room has open.
const metadataBodyCacheSize = 64 << 20

// bodyCache is a least-recently-used cache of response bodies bounded by
// their total size. Bodies are never modified once stored.
type bodyCache struct {
	mu    sync.Mutex
	max   int64
	size  int64
	ll    *list.List // of *bodyEntry, most recent first
	items map[string]*list.Element
}

type bodyEntry struct {
	key  string
	body []byte
}

func newBodyCache(max int64) *bodyCache {
	return &bodyCache{max: max, ll: list.New(), items: map[string]*list.Element{}}
}

// get returns the body stored under key, or nil.
func (c *bodyCache) get(key string) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		return nil
	}
	c.ll.MoveToFront(el)
	return el.Value.(*bodyEntry).body
}

// put stores body under key, evicting the least recently used bodies to
// stay within the bound. Bodies larger than a quarter of the bound are not
// kept: one study would otherwise flush every series.
func (c *bodyCache) put(key string, body []byte) {
	n := int64(len(body))
	if n > c.max/4 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		c.size -= int64(len(el.Value.(*bodyEntry).body))
		c.ll.Remove(el)
	}
	c.items[key] = c.ll.PushFront(&bodyEntry{key: key, body: body})
	c.size += n
	for c.size > c.max {
		el := c.ll.Back()
		e := el.Value.(*bodyEntry)
		c.ll.Remove(el)
		delete(c.items, e.key)
		c.size -= int64(len(e.body))
	}
}

// gzipWriters recycles compressors: a fresh one allocates about 1 MB of
// tables, more than many metadata bodies.
var gzipWriters = sync.Pool{New: func() any {
	// BestSpeed: on a LAN the network is not the limit, the CPU is, and
	// metadata JSON still shrinks about tenfold at this level.
	gz, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed)
	return gz
}}

// capture keeps a copy of what is written through it, up to limit bytes;
// beyond that it gives up the copy (over is set) but still passes
// everything through to w.
type capture struct {
	w     io.Writer
	buf   bytes.Buffer
	limit int
	over  bool
}

func (c *capture) Write(p []byte) (int, error) {
	if !c.over {
		if c.buf.Len()+len(p) > c.limit {
			c.over = true
			c.buf = bytes.Buffer{}
		} else {
			c.buf.Write(p)
		}
	}
	return c.w.Write(p)
}
