package blob

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestValidateKey(t *testing.T) {
	valid := []string{"a", "a/b", "1.2.840/3.4-5_6.dcm", ".x", "x.", strings.Repeat("a", 255),
		strings.Repeat(strings.Repeat("a", 254)+"/", 4) + strings.Repeat("b", 4)}
	invalid := []string{"", "/a", "a/", "a//b", ".", "./a", "a/.", "..", "a..b", "a/../b", "a b", "a\\b",
		"ü", strings.Repeat("a", 256), strings.Repeat(strings.Repeat("a", 254)+"/", 4) + strings.Repeat("b", 5)}
	for _, k := range valid {
		if err := ValidateKey(k); err != nil {
			t.Errorf("ValidateKey(%q) = %v, want nil", k, err)
		}
	}
	for _, k := range invalid {
		if err := ValidateKey(k); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("ValidateKey(%q) = %v, want ErrInvalidKey", k, err)
		}
	}
}

// FuzzValidateKey checks that a valid key, joined to a folder, names a
// path strictly inside it and maps back to itself.
func FuzzValidateKey(f *testing.F) {
	for _, s := range []string{"a/b", "../x", "a/./b", "a//b", "/x", "x/..", "..."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		if ValidateKey(key) != nil {
			return
		}
		root := filepath.FromSlash("/data/blobs")
		p := filepath.Join(root, filepath.FromSlash(key))
		rel, err := filepath.Rel(root, p)
		if err != nil || filepath.ToSlash(rel) != key {
			t.Errorf("key %q maps to %q, outside or altered (%q, %v)", key, p, rel, err)
		}
	})
}
