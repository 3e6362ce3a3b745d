package dicomweb

import (
	"container/list"
	"net/http"
	"sync"
)

// thumbnail answers the thumbnail of a study, series or instance (PS3.18
// 10.4.1.1.4): a representative frame, fitted into 128x128 (or the
// viewport) without enlarging it, as image/jpeg unless the client prefers
// image/png or image/gif. Thumbnails are cached in memory by blob key and
// parameters.
func (v *viewer) thumbnail(w http.ResponseWriter, r *http.Request) {
	scope, err := uidsFrom(r)
	if err != nil {
		fail(w, r, err)
		return
	}
	rp, err := parseRenderParams(r, 75)
	if err != nil {
		fail(w, r, err)
		return
	}
	mt, err := negotiateImage(r)
	if err != nil {
		fail(w, r, err)
		return
	}
	p, err := v.representative(r.Context(), scope)
	if err != nil {
		fail(w, r, err)
		return
	}
	key := p.key + "|" + mt + "|" + rp.key()
	body, ok := v.thumbs.get(key)
	if !ok {
		if body, err = v.renderImage(r.Context(), p, 0, rp, mt, true); err != nil {
			fail(w, r, err)
			return
		}
		v.thumbs.put(key, body)
	}
	sendImage(w, r, mt, body)
}

// thumbCache is an LRU of encoded thumbnails bounded by their total size.
type thumbCache struct {
	mu       sync.Mutex
	max, cur int
	ll       *list.List // of *thumbEntry, most recent first
	m        map[string]*list.Element
}

type thumbEntry struct {
	key  string
	body []byte
}

func newThumbCache(maxBytes int) *thumbCache {
	return &thumbCache{max: maxBytes, ll: list.New(), m: map[string]*list.Element{}}
}

func (c *thumbCache) get(key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.m[key]
	if !ok {
		return nil, false
	}
	c.ll.MoveToFront(el)
	return el.Value.(*thumbEntry).body, true
}

func (c *thumbCache) put(key string, body []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[key]; ok || len(body) > c.max/8 {
		return
	}
	c.m[key] = c.ll.PushFront(&thumbEntry{key: key, body: body})
	c.cur += len(body)
	for c.cur > c.max {
		old := c.ll.Back()
		e := old.Value.(*thumbEntry)
		c.ll.Remove(old)
		delete(c.m, e.key)
		c.cur -= len(e.body)
	}
}
