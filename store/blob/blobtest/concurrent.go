package blobtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"io"
	"sync"
	"testing"

	"github.com/pacslite/pacslite/store/blob"
)

func hashOf(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func testConcurrentWriters(t *testing.T, s blob.Store) {
	const writers, rounds = 8, 3
	for round := range rounds {
		payloads := make(map[string]int) // hash -> writer
		datas := make([][]byte, writers)
		for w := range writers {
			// Distinct content and lengths, so a mix shows in either.
			datas[w] = payload(uint64(1000*round+w), 256<<10+w*1031)
			payloads[hashOf(datas[w])] = w
		}
		var wg sync.WaitGroup
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := s.Put(context.Background(), "same/key", bytes.NewReader(datas[w]))
				if err != nil || n != int64(len(datas[w])) {
					t.Errorf("round %d: writer %d: Put = %d, %v, want %d, nil", round, w, n, err, len(datas[w]))
				}
			}()
		}
		wg.Wait()
		got := get(t, s, "same/key")
		if _, ok := payloads[hashOf(got)]; !ok {
			t.Errorf("round %d: after %d concurrent Puts the blob (%d bytes) equals none of the payloads", round, writers, len(got))
		}
	}
	assertKeys(t, s, "same/key")
}

// version returns blob version v: an 8-byte version number, then
// pseudo-random bytes, with a length that differs between versions.
func version(v uint64) []byte {
	b := payload(v+5000, 64<<10+int(v)*777)
	binary.BigEndian.PutUint64(b, v)
	return b
}

func testConcurrentReaders(t *testing.T, s blob.Store) {
	const versions, readers = 30, 4
	want := make([][]byte, versions)
	for v := range want {
		want[v] = version(uint64(v))
	}
	put(t, s, "rw", want[0])

	done := make(chan struct{})
	var wg sync.WaitGroup
	reads := make([]int, readers)
	for r := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				if !readOne(t, s, want) {
					return
				}
				reads[r]++
			}
		}()
	}
	for v := 1; v < versions; v++ {
		if _, err := s.Put(context.Background(), "rw", bytes.NewReader(want[v])); err != nil {
			t.Errorf("Put(rw) version %d: %v", v, err)
		}
	}
	close(done)
	wg.Wait()
	for r, n := range reads {
		if n == 0 {
			t.Errorf("reader %d completed no reads", r)
		}
	}
	checkBlob(t, s, "rw", want[versions-1])
}

// readOne reads "rw" once and checks it is one whole version. It reports
// false after a failure, to stop the reader.
func readOne(t *testing.T, s blob.Store, want [][]byte) bool {
	rc, err := s.Open(context.Background(), "rw")
	if err != nil {
		t.Errorf("Open(rw) during overwrites: %v", err)
		return false
	}
	got, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		t.Errorf("Open(rw) during overwrites: read: %v", err)
		return false
	}
	if len(got) < 8 {
		t.Errorf("Open(rw) during overwrites = %d bytes, want a whole version", len(got))
		return false
	}
	v := binary.BigEndian.Uint64(got)
	if v >= uint64(len(want)) || !bytes.Equal(got, want[v]) {
		t.Errorf("Open(rw) during overwrites = %d bytes claiming version %d, which it is not", len(got), v)
		return false
	}
	return true
}
