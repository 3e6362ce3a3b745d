package account

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id costs. The hash records them, so changing them only
// affects new hashes.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// DefaultParams are OWASP's argon2id minimum (19 MiB, 2 passes, 1 lane).
var DefaultParams = Params{Memory: 19 * 1024, Time: 2, Threads: 1}

// ErrWeakPassword is returned by CheckPolicy.
var ErrWeakPassword = errors.New("passwords need at least 8 characters")

// Hasher hashes and verifies passwords with argon2id. At most a few hashes
// run at once, so a flood of logins cannot take all memory. Safe for
// concurrent use.
type Hasher struct {
	p   Params
	sem chan struct{}
	// dummy is verified against when an account does not exist, so that
	// the answer takes as long as for one that does.
	dummy string
}

// NewHasher returns a hasher with the given costs, running at most
// parallel hashes at a time.
func NewHasher(p Params, parallel int) *Hasher {
	if parallel < 1 {
		parallel = 1
	}
	h := &Hasher{p: p, sem: make(chan struct{}, parallel)}
	h.dummy, _ = h.Hash(context.Background(), "not a password anyone has")
	return h
}

// CheckPolicy tells whether a new password is acceptable.
func CheckPolicy(password string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case n < 8:
		return ErrWeakPassword
	case len(password) > 1024:
		return errors.New("passwords can be at most 1024 bytes")
	}
	return nil
}

// Hash returns the PHC string of password:
// $argon2id$v=19$m=MEM,t=TIME,p=THREADS$SALT$KEY.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	salt := make([]byte, 16)
	rand.Read(salt)
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, h.p.Time, h.p.Memory, h.p.Threads, 32)
	<-h.sem
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, h.p.Memory, h.p.Time, h.p.Threads,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// Verify reports whether password matches hash. An empty hash (no such
// account) is checked against a dummy, so it costs the same and is false.
func (h *Hasher) Verify(ctx context.Context, hash, password string) (bool, error) {
	dummy := hash == ""
	if dummy {
		hash = h.dummy
	}
	p, salt, key, err := parsePHC(hash)
	if err != nil {
		return false, err
	}
	if err := h.acquire(ctx); err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	<-h.sem
	return subtle.ConstantTimeCompare(got, key) == 1 && !dummy, nil
}

func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func parsePHC(s string) (Params, []byte, []byte, error) {
	bad := func() (Params, []byte, []byte, error) {
		return Params{}, nil, nil, errors.New("account: malformed password hash")
	}
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return bad()
	}
	var p Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil || p.Time == 0 || p.Threads == 0 {
		return bad()
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[4])
	key, err2 := enc.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(key) < 16 {
		return bad()
	}
	return p, salt, key, nil
}
