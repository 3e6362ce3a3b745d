package account

import (
	"context"
	"strings"
	"testing"
)

var cheap = Params{Memory: 64, Time: 1, Threads: 1}

func TestHashVerify(t *testing.T) {
	ctx := context.Background()
	h := NewHasher(cheap, 2)
	hash, err := h.Hash(ctx, "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Errorf("Hash = %q, want an argon2id PHC string", hash)
	}
	tests := []struct {
		hash, password string
		want           bool
	}{
		{hash, "correct horse", true},
		{hash, "correct horsE", false},
		{hash, "", false},
		{"", "not a password anyone has", false}, // the dummy never matches
	}
	for _, tt := range tests {
		got, err := h.Verify(ctx, tt.hash, tt.password)
		if err != nil || got != tt.want {
			t.Errorf("Verify(%q) = %v, %v, want %v", tt.password, got, err, tt.want)
		}
	}
	// A hash made with other costs still verifies: the string carries them.
	other := NewHasher(Params{Memory: 128, Time: 2, Threads: 1}, 1)
	if ok, err := other.Verify(ctx, hash, "correct horse"); !ok || err != nil {
		t.Errorf("Verify with other params = %v, %v, want true", ok, err)
	}
	for _, bad := range []string{"x", "$argon2i$v=19$m=64,t=1,p=1$AAAA$AAAA", "$argon2id$v=19$m=64,t=0,p=1$AAAA$AAAAAAAAAAAAAAAAAAAAAA"} {
		if _, err := h.Verify(ctx, bad, "x"); err == nil {
			t.Errorf("Verify(%q) = nil error, want malformed", bad)
		}
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"  a@b.org ", "a@b.org", true},
		{"+91 98765-43210", "+919876543210", true},
		{"(020) 555 0100", "0205550100", true},
		{"12345", "", false},
		{"98765x43210", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := NormalizeLogin(tt.in)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("NormalizeLogin(%q) = %q, %v, want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	for _, e := range []string{"a@b", "a b@c.org", "Name <a@b.org>", ""} {
		if _, err := NormalizeEmail(e); err == nil {
			t.Errorf("NormalizeEmail(%q) = nil error, want ErrBadEmail", e)
		}
	}
	if _, err := NormalizeEmail("admin@localhost"); err != nil {
		t.Errorf("NormalizeEmail(admin@localhost) = %v, want nil", err)
	}
	if p := NewPassword(); len(p) != 19 || strings.Count(p, "-") != 3 {
		t.Errorf("NewPassword() = %q, want four groups of four", p)
	}
	if a, b := NewToken(), NewToken(); a == b || !strings.HasPrefix(a, TokenPrefix) || HashSecret(a) == HashSecret(b) {
		t.Errorf("NewToken() = %q, %q: want distinct prefixed tokens", a, b)
	}
}
