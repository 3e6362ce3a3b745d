package blobtest

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/pacslite/pacslite/store/blob"
)

var errBoom = errors.New("blobtest: reader failed")

// failingReader yields n bytes of data, then fails with errBoom.
type failingReader struct {
	r io.Reader
	n int64
}

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errBoom
	}
	if int64(len(p)) > f.n {
		p = p[:f.n]
	}
	n, err := f.r.Read(p)
	f.n -= int64(n)
	return n, err
}

func testFailingReader(t *testing.T, s blob.Store) {
	ctx := context.Background()
	old := payload(7, 4000)
	put(t, s, "f/old", old)
	for _, n := range []int64{0, 1, 3 << 20} {
		_, err := s.Put(ctx, "f/old", &failingReader{r: stream(8), n: n})
		if !errors.Is(err, errBoom) {
			t.Errorf("Put(f/old) from a reader failing after %d bytes: error = %v, want %v", n, err, errBoom)
		}
		checkBlob(t, s, "f/old", old)

		_, err = s.Put(ctx, "f/new", &failingReader{r: stream(9), n: n})
		if !errors.Is(err, errBoom) {
			t.Errorf("Put(f/new) from a reader failing after %d bytes: error = %v, want %v", n, err, errBoom)
		}
		if _, err := s.Open(ctx, "f/new"); !errors.Is(err, blob.ErrNotFound) {
			t.Errorf("Open(f/new) after failed Put: error = %v, want ErrNotFound", err)
		}
	}
	assertKeys(t, s, "f/old")
}

// cancellingReader cancels its context after after bytes and goes on
// yielding data up to limit bytes, so a store must notice the context
// rather than the end of the stream.
type cancellingReader struct {
	r      io.Reader
	after  int64
	limit  int64
	cancel context.CancelFunc
	read   int64
}

func (c *cancellingReader) Read(p []byte) (int, error) {
	if c.read >= c.limit {
		return 0, io.EOF
	}
	if int64(len(p)) > c.limit-c.read {
		p = p[:c.limit-c.read]
	}
	n, err := c.r.Read(p)
	c.read += int64(n)
	if c.read >= c.after {
		c.cancel()
	}
	return n, err
}

func testCancelledContext(t *testing.T, s blob.Store) {
	old := payload(10, 3000)
	put(t, s, "c/old", old)

	t.Run("before", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := s.Put(ctx, "c/old", stream(11))
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Put with a cancelled context: error = %v, want context.Canceled", err)
		}
		checkBlob(t, s, "c/old", old)
	})
	t.Run("during", func(t *testing.T) {
		for _, key := range []string{"c/old", "c/new"} {
			ctx, cancel := context.WithCancel(context.Background())
			r := &cancellingReader{r: stream(12), after: 1 << 20, limit: 64 << 20, cancel: cancel}
			_, err := s.Put(ctx, key, r)
			cancel()
			if !errors.Is(err, context.Canceled) {
				t.Errorf("Put(%q) cancelled midway: error = %v, want context.Canceled", key, err)
			}
			if r.read >= r.limit {
				t.Errorf("Put(%q) cancelled after %d bytes read all %d: want it to stop reading", key, r.after, r.limit)
			}
		}
		checkBlob(t, s, "c/old", old)
		if _, err := s.Open(context.Background(), "c/new"); !errors.Is(err, blob.ErrNotFound) {
			t.Errorf("Open(c/new) after cancelled Put: error = %v, want ErrNotFound", err)
		}
	})
	assertKeys(t, s, "c/old")
}
