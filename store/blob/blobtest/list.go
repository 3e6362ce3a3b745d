package blobtest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/pacslite/pacslite/store/blob"
)

// listed returns what List(prefix) reports, as key -> size.
func listed(t *testing.T, l blob.Lister, prefix string) map[string]int64 {
	t.Helper()
	now := time.Now().Unix()
	got := make(map[string]int64)
	err := l.List(context.Background(), prefix, func(key string, size, mod int64) error {
		if _, dup := got[key]; dup {
			t.Errorf("List(%q) reported %q twice", prefix, key)
		}
		got[key] = size
		if d := mod - now; d < -3600 || d > 3600 {
			t.Errorf("List(%q): %q modified at %d, want about %d", prefix, key, mod, now)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("List(%q) error: %v", prefix, err)
	}
	return got
}

// assertKeys checks that List reports exactly the keys want, when the store
// can list: it catches debris such as failed uploads shown as keys.
func assertKeys(t *testing.T, s blob.Store, want ...string) {
	t.Helper()
	l, ok := s.(blob.Lister)
	if !ok {
		return
	}
	var got []string
	for k := range listed(t, l, "") {
		got = append(got, k)
	}
	if diff := cmp.Diff(want, got, cmpopts.SortSlices(func(a, b string) bool { return a < b }), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("List(\"\") keys mismatch (-want +got):\n%s", diff)
	}
}

func testList(t *testing.T, s blob.Store) {
	l, ok := s.(blob.Lister)
	if !ok {
		t.Skip("store does not implement blob.Lister")
	}
	keys := map[string]int64{
		"a/1": 1, "a/2": 22, "ab": 3, "b/c/3": 4444, "top": 0,
		"studies/1.2.3/series/4.5/6.7.dcm": 100,
	}
	for k, n := range keys {
		put(t, s, k, payload(uint64(n), int(n)))
	}
	tests := []struct {
		prefix string
		want   []string
	}{
		{"", []string{"a/1", "a/2", "ab", "b/c/3", "top", "studies/1.2.3/series/4.5/6.7.dcm"}},
		{"a/", []string{"a/1", "a/2"}},
		{"a", []string{"a/1", "a/2", "ab"}},
		{"b/c", []string{"b/c/3"}},
		{"b/c/3", []string{"b/c/3"}},
		{"b/c/3/", nil},
		{"studies/1.2.3/", []string{"studies/1.2.3/series/4.5/6.7.dcm"}},
		{"studies/1.2", []string{"studies/1.2.3/series/4.5/6.7.dcm"}},
		{"zzz", nil},
		{"zzz/", nil},
	}
	for _, tt := range tests {
		want := make(map[string]int64)
		for _, k := range tt.want {
			want[k] = keys[k]
		}
		if diff := cmp.Diff(want, listed(t, l, tt.prefix)); diff != "" {
			t.Errorf("List(%q) mismatch (-want +got):\n%s", tt.prefix, diff)
		}
	}

	errStop := errors.New("stop")
	calls := 0
	err := l.List(context.Background(), "", func(string, int64, int64) error {
		calls++
		return errStop
	})
	if !errors.Is(err, errStop) || calls != 1 {
		t.Errorf("List with fn failing: error = %v after %d calls, want %v after 1", err, calls, errStop)
	}

	s.Delete(context.Background(), "a/1")
	delete(keys, "a/1")
	if diff := cmp.Diff(keys, listed(t, l, "")); diff != "" {
		t.Errorf("List after Delete(a/1) mismatch (-want +got):\n%s", diff)
	}
}
