package blobtest

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/pacslite/pacslite/store/blob"
)

// Run runs the conformance suite. newStore must return a new, empty store
// for each call (each subtest takes its own) and arrange its clean-up with
// t.Cleanup.
func Run(t *testing.T, newStore func(t *testing.T) blob.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s blob.Store)
	}{
		{"RoundTrip", testRoundTrip},
		{"ZeroLength", testZeroLength},
		{"Overwrite", testOverwrite},
		{"FailingReader", testFailingReader},
		{"CancelledContext", testCancelledContext},
		{"Missing", testMissing},
		{"Delete", testDelete},
		{"InvalidKeys", testInvalidKeys},
		{"ValidKeys", testValidKeys},
		{"Range", testRange},
		{"Large", testLarge},
		{"ConcurrentWriters", testConcurrentWriters},
		{"ConcurrentReaders", testConcurrentReaders},
		{"List", testList},
		{"Ping", testPing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fn(t, newStore(t))
		})
	}
}

// payload returns n pseudo-random bytes determined by seed.
func payload(seed uint64, n int) []byte {
	b := make([]byte, n)
	rand.NewChaCha8(seedBytes(seed)).Read(b)
	return b
}

// stream returns an endless deterministic pseudo-random byte stream.
func stream(seed uint64) io.Reader { return rand.NewChaCha8(seedBytes(seed)) }

func seedBytes(seed uint64) [32]byte {
	var s [32]byte
	for i := range 8 {
		s[i] = byte(seed >> (8 * i))
	}
	return s
}

// put stores data under key and fails the test on error.
func put(t *testing.T, s blob.Store, key string, data []byte) {
	t.Helper()
	n, err := s.Put(context.Background(), key, bytes.NewReader(data))
	if err != nil {
		t.Fatalf("Put(%q) error: %v", key, err)
	}
	if n != int64(len(data)) {
		t.Fatalf("Put(%q) = %d bytes, want %d", key, n, len(data))
	}
}

// get reads the whole blob at key and fails the test on error.
func get(t *testing.T, s blob.Store, key string) []byte {
	t.Helper()
	rc, err := s.Open(context.Background(), key)
	if err != nil {
		t.Fatalf("Open(%q) error: %v", key, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("Open(%q): read: %v", key, err)
	}
	return b
}

// checkBlob fails the test unless key holds exactly want.
func checkBlob(t *testing.T, s blob.Store, key string, want []byte) {
	t.Helper()
	got := get(t, s, key)
	if !bytes.Equal(got, want) {
		t.Errorf("Open(%q) = %d bytes (%s), want %d bytes (%s)", key, len(got), head(got), len(want), head(want))
	}
	if st, ok := s.(blob.Stater); ok {
		n, err := st.Size(context.Background(), key)
		if err != nil || n != int64(len(want)) {
			t.Errorf("Size(%q) = %d, %v, want %d, nil", key, n, err, len(want))
		}
	}
}

// head shows the start of b in failure messages.
func head(b []byte) string {
	return hex.EncodeToString(b[:min(len(b), 8)])
}

func testRoundTrip(t *testing.T, s blob.Store) {
	for i, n := range []int{1, 1000, 64 << 10, 1<<20 + 7} {
		key := "round/trip/" + string(rune('a'+i)) + ".dcm"
		data := payload(uint64(n), n)
		put(t, s, key, data)
		checkBlob(t, s, key, data)
	}
}

func testZeroLength(t *testing.T, s blob.Store) {
	put(t, s, "empty", nil)
	checkBlob(t, s, "empty", []byte{})
	if ro, ok := s.(blob.RangeOpener); ok {
		got := readRange(t, ro, "empty", 0, -1)
		if len(got) != 0 {
			t.Errorf("OpenRange(empty, 0, -1) = %d bytes, want 0", len(got))
		}
	}
}

func testOverwrite(t *testing.T, s blob.Store) {
	first, second := payload(1, 5000), payload(2, 3000)
	put(t, s, "k", first)
	put(t, s, "k", second)
	checkBlob(t, s, "k", second)
	third := payload(3, 9000)
	put(t, s, "k", third)
	checkBlob(t, s, "k", third)
}

func testMissing(t *testing.T, s blob.Store) {
	ctx := context.Background()
	put(t, s, "present/x", []byte("x"))
	for _, key := range []string{"absent", "present/absent", "present/x/below", "present"} {
		if _, err := s.Open(ctx, key); !errors.Is(err, blob.ErrNotFound) {
			t.Errorf("Open(%q) error = %v, want ErrNotFound", key, err)
		}
		if st, ok := s.(blob.Stater); ok {
			if _, err := st.Size(ctx, key); !errors.Is(err, blob.ErrNotFound) {
				t.Errorf("Size(%q) error = %v, want ErrNotFound", key, err)
			}
		}
		if ro, ok := s.(blob.RangeOpener); ok {
			if _, err := ro.OpenRange(ctx, key, 0, 1); !errors.Is(err, blob.ErrNotFound) {
				t.Errorf("OpenRange(%q) error = %v, want ErrNotFound", key, err)
			}
		}
		if err := s.Delete(ctx, key); err != nil {
			t.Errorf("Delete(%q) = %v, want nil", key, err)
		}
	}
	checkBlob(t, s, "present/x", []byte("x"))
}

func testDelete(t *testing.T, s blob.Store) {
	ctx := context.Background()
	put(t, s, "d/one", []byte("one"))
	put(t, s, "d/two", []byte("two"))
	if err := s.Delete(ctx, "d/one"); err != nil {
		t.Fatalf("Delete(d/one) = %v", err)
	}
	if _, err := s.Open(ctx, "d/one"); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Open(d/one) after Delete: error = %v, want ErrNotFound", err)
	}
	if err := s.Delete(ctx, "d/one"); err != nil {
		t.Errorf("second Delete(d/one) = %v, want nil", err)
	}
	checkBlob(t, s, "d/two", []byte("two"))
	put(t, s, "d/one", []byte("again"))
	checkBlob(t, s, "d/one", []byte("again"))
}

func testInvalidKeys(t *testing.T, s blob.Store) {
	ctx := context.Background()
	keys := []string{
		"", "/abs", "a/", "a//b", "..", "../x", "a/../b", "a/..", "x..y", ".", "./a", "a/./b",
		"a b", `a\b`, "a:b", "a?b", "a%2Fb", "é", "a\x00b", "a\nb",
		strings.Repeat("k", 300),
		strings.Repeat("abcdefgh/", 113) + "abcdefgh", // 1025 bytes
	}
	for _, key := range keys {
		if _, err := s.Put(ctx, key, strings.NewReader("x")); !errors.Is(err, blob.ErrInvalidKey) {
			t.Errorf("Put(%q) error = %v, want ErrInvalidKey", key, err)
		}
		if _, err := s.Open(ctx, key); !errors.Is(err, blob.ErrInvalidKey) {
			t.Errorf("Open(%q) error = %v, want ErrInvalidKey", key, err)
		}
		if err := s.Delete(ctx, key); !errors.Is(err, blob.ErrInvalidKey) {
			t.Errorf("Delete(%q) error = %v, want ErrInvalidKey", key, err)
		}
		if st, ok := s.(blob.Stater); ok {
			if _, err := st.Size(ctx, key); !errors.Is(err, blob.ErrInvalidKey) {
				t.Errorf("Size(%q) error = %v, want ErrInvalidKey", key, err)
			}
		}
		if ro, ok := s.(blob.RangeOpener); ok {
			if _, err := ro.OpenRange(ctx, key, 0, 1); !errors.Is(err, blob.ErrInvalidKey) {
				t.Errorf("OpenRange(%q) error = %v, want ErrInvalidKey", key, err)
			}
		}
	}
	assertKeys(t, s)
}

func testValidKeys(t *testing.T, s blob.Store) {
	keys := []string{
		"single", "A-Z_0.9", ".hidden", "x.", "a/b/c/d/e/f/g/h",
		"1.2.840.113619.2.55/1.3.12.2.1107.5.1.4/1.3.12.2.1107.5.1.4.1001.dcm",
		strings.Repeat("k", 255),
		strings.Repeat("k", 200) + "/" + strings.Repeat("l", 200) + "/" + strings.Repeat("m", 200) + "/" +
			strings.Repeat("n", 200) + "/" + strings.Repeat("o", 220), // 1024 bytes
	}
	for i, key := range keys {
		data := payload(uint64(100+i), 10+i)
		put(t, s, key, data)
		checkBlob(t, s, key, data)
	}
}

func testPing(t *testing.T, s blob.Store) {
	p, ok := s.(blob.Pinger)
	if !ok {
		t.Skip("store does not implement blob.Pinger")
	}
	if err := p.Ping(context.Background()); err != nil {
		t.Errorf("Ping() = %v, want nil", err)
	}
}
