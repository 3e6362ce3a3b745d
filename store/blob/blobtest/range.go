package blobtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
	"testing"

	"github.com/pacslite/pacslite/store/blob"
)

func readRange(t *testing.T, ro blob.RangeOpener, key string, off, n int64) []byte {
	t.Helper()
	rc, err := ro.OpenRange(context.Background(), key, off, n)
	if err != nil {
		t.Fatalf("OpenRange(%q, %d, %d) error: %v", key, off, n, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("OpenRange(%q, %d, %d): read: %v", key, off, n, err)
	}
	return b
}

func testRange(t *testing.T, s blob.Store) {
	ro, ok := s.(blob.RangeOpener)
	if !ok {
		t.Skip("store does not implement blob.RangeOpener")
	}
	data := payload(20, 1000)
	put(t, s, "r", data)
	tests := []struct {
		name        string
		off, n      int64
		wantA, want int // data[wantA:want]
	}{
		{"start", 0, 10, 0, 10},
		{"middle", 500, 100, 500, 600},
		{"end", 990, 10, 990, 1000},
		{"to end", 990, -1, 990, 1000},
		{"whole", 0, -1, 0, 1000},
		{"exact", 0, 1000, 0, 1000},
		{"past end", 990, 100, 990, 1000},
		{"zero length", 100, 0, 100, 100},
		{"at end", 1000, 10, 1000, 1000},
		{"beyond end", 5000, -1, 1000, 1000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readRange(t, ro, "r", tt.off, tt.n)
			if want := data[tt.wantA:tt.want]; !bytes.Equal(got, want) {
				t.Errorf("OpenRange(r, %d, %d) = %d bytes, want %d (data[%d:%d])", tt.off, tt.n, len(got), len(want), tt.wantA, tt.want)
			}
		})
	}
	t.Run("negative offset", func(t *testing.T) {
		rc, err := ro.OpenRange(context.Background(), "r", -1, 10)
		if err == nil {
			rc.Close()
			t.Errorf("OpenRange(r, -1, 10) error = nil, want an error")
		}
	})
}

// largeSize is big enough to cross every buffer and multipart threshold a
// backend is likely to have (S3 clients switch to multipart at 16 MiB).
const largeSize = 20<<20 + 12345

// streamHash returns the SHA-256 of n bytes of stream(seed) starting at off,
// regenerating them instead of keeping them.
func streamHash(t *testing.T, seed uint64, off, n int64) string {
	t.Helper()
	r := stream(seed)
	if _, err := io.CopyN(io.Discard, r, off); err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	if _, err := io.CopyN(h, r, n); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func readerHash(t *testing.T, rc io.ReadCloser) (string, int64) {
	t.Helper()
	defer rc.Close()
	h := sha256.New()
	n, err := io.Copy(h, rc)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return sum(h), n
}

func sum(h hash.Hash) string { return hex.EncodeToString(h.Sum(nil)) }

func testLarge(t *testing.T, s blob.Store) {
	if testing.Short() {
		t.Skip("skipping the 20 MB blob in -short mode")
	}
	ctx := context.Background()
	const seed = 42
	h := sha256.New()
	n, err := s.Put(ctx, "large/blob", io.TeeReader(io.LimitReader(stream(seed), largeSize), h))
	if err != nil {
		t.Fatalf("Put(large/blob) error: %v", err)
	}
	if n != largeSize {
		t.Fatalf("Put(large/blob) = %d bytes, want %d", n, largeSize)
	}
	want := sum(h)

	rc, err := s.Open(ctx, "large/blob")
	if err != nil {
		t.Fatalf("Open(large/blob) error: %v", err)
	}
	if got, n := readerHash(t, rc); got != want || n != largeSize {
		t.Errorf("Open(large/blob) = %d bytes sha256 %s, want %d bytes sha256 %s", n, got, int64(largeSize), want)
	}
	if st, ok := s.(blob.Stater); ok {
		if n, err := st.Size(ctx, "large/blob"); n != largeSize || err != nil {
			t.Errorf("Size(large/blob) = %d, %v, want %d, nil", n, err, largeSize)
		}
	}

	ro, ok := s.(blob.RangeOpener)
	if !ok {
		return
	}
	ranges := []struct{ off, n, wantN int64 }{
		{0, 1 << 20, 1 << 20},
		{7<<20 + 13, 3<<20 + 5, 3<<20 + 5},
		{largeSize - 100, -1, 100},
		{largeSize - 100, 1000, 100},
		{16<<20 - 1, 2, 2},
	}
	for _, r := range ranges {
		rc, err := ro.OpenRange(ctx, "large/blob", r.off, r.n)
		if err != nil {
			t.Errorf("OpenRange(large/blob, %d, %d) error: %v", r.off, r.n, err)
			continue
		}
		got, n := readerHash(t, rc)
		if want := streamHash(t, seed, r.off, r.wantN); got != want || n != r.wantN {
			t.Errorf("OpenRange(large/blob, %d, %d) = %d bytes sha256 %s, want %d bytes sha256 %s", r.off, r.n, n, got, r.wantN, want)
		}
	}
}
