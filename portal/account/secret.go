package account

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// TokenPrefix starts every API token, so that a leaked one is easy to
// recognise (and to grep for in a repository).
const TokenPrefix = "pacslite_"

// NewSecret returns 256 random bits, URL-safe: session ids and CSRF tokens.
func NewSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// NewToken returns a new API token.
func NewToken() string { return TokenPrefix + NewSecret() }

// HashSecret is how sessions and tokens are stored: secrets of 256 random
// bits need no slow hash, only one that cannot be reversed.
func HashSecret(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// passwordAlphabet has no look-alikes (0/O, 1/l/I), for passwords read
// out over the phone.
const passwordAlphabet = "abcdefghijkmnpqrstuvwxyz23456789"

// NewPassword returns a one-time password of 80 random bits, as four
// groups of four letters and digits.
func NewPassword() string {
	b := make([]byte, 16)
	rand.Read(b)
	var sb strings.Builder
	for i, c := range b {
		if i > 0 && i%4 == 0 {
			sb.WriteByte('-')
		}
		sb.WriteByte(passwordAlphabet[int(c)%len(passwordAlphabet)])
	}
	return sb.String()
}
