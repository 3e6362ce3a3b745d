package account

import (
	"errors"
	"net/mail"
	"strings"
)

// Errors of the login id rules.
var (
	ErrBadEmail = errors.New("enter a valid email address")
	ErrBadPhone = errors.New("enter a phone number of 7 to 15 digits, optionally starting with +")
)

// NormalizeEmail trims an email address and checks its form. Case is
// kept; the database compares emails without case.
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > 254 || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") && !strings.HasSuffix(s, "@localhost") {
		return "", ErrBadEmail
	}
	return s, nil
}

// NormalizePhone keeps the digits of a phone number and a leading +,
// dropping spaces, dots, dashes and brackets; "" stays "".
func NormalizePhone(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')':
		default:
			return "", ErrBadPhone
		}
	}
	out := b.String()
	digits := len(strings.TrimPrefix(out, "+"))
	if digits < 7 || digits > 15 {
		return "", ErrBadPhone
	}
	return out, nil
}

// NormalizeLogin turns what someone typed in the login box into the form
// accounts are stored under: an email address as typed (trimmed), else a
// phone number's digits. ok is false when it is neither.
func NormalizeLogin(s string) (id string, ok bool) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "@") {
		return s, s != ""
	}
	p, err := NormalizePhone(s)
	return p, err == nil && p != ""
}
