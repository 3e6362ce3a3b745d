package portal

import (
	"crypto/rand"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pacslite/pacslite/portal/account"
	"github.com/pacslite/pacslite/portal/store"
)

// A share is reached by a long random token (in the link) or by a short
// code to read out over the phone: 10 characters of Crockford's base 32,
// 50 bits, shown as XXXXX-XXXXX. Both are kept only as hashes. Guessing
// is throttled per address: past the limit every key is "not found".
const codeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// shareUnlockCookie holds the id of a share's unlock (password given); its
// path is the share's, so the browser sends it nowhere else.
const shareUnlockCookie = "pacslite_share"

// newShareCode returns a fresh code, formatted XXXXX-XXXXX.
func newShareCode() string {
	b := make([]byte, 10)
	rand.Read(b)
	var sb strings.Builder
	for i, c := range b {
		if i == 5 {
			sb.WriteByte('-')
		}
		sb.WriteByte(codeAlphabet[int(c)%len(codeAlphabet)])
	}
	return sb.String()
}

// normalizeCode reads a code as typed: any case, dashes and spaces, and
// the letters people confuse with digits. ok is false when s cannot be a
// code.
func normalizeCode(s string) (string, bool) {
	var sb strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch r {
		case '-', ' ':
			continue
		case 'O':
			r = '0'
		case 'I', 'L':
			r = '1'
		}
		if !strings.ContainsRune(codeAlphabet, r) {
			return "", false
		}
		sb.WriteRune(r)
	}
	if sb.Len() != 10 {
		return "", false
	}
	return sb.String(), true
}

// formatCode puts the dash back into a normalised code.
func formatCode(c string) string { return c[:5] + "-" + c[5:] }

// shareKeyHash is what a share's token or code is stored as.
func shareKeyHash(key string) string {
	if c, ok := normalizeCode(key); ok {
		return account.HashSecret("code:" + c)
	}
	return account.HashSecret(key)
}

// errNoShare is a key that names no share, or a throttled guesser.
var errNoShare = errors.New("portal: no such share")

// shareByKey finds the share a key names, counting misses per address.
func (h *Handler) shareByKey(r *http.Request, key string) (store.Share, error) {
	remote := h.clientAddr(r)
	if ok, _ := h.sharing.guess.Allow(remote); !ok || key == "" || len(key) > 128 {
		return store.Share{}, errNoShare
	}
	s, err := h.db.ShareByKeyHash(r.Context(), shareKeyHash(key))
	if errors.Is(err, store.ErrNotFound) {
		h.sharing.guess.Add(remote)
		h.audit(r.Context(), store.Event{Actor: "anonymous", Role: "anonymous", Action: "share.unknown",
			Status: http.StatusNotFound, Remote: remote})
		return store.Share{}, errNoShare
	}
	return s, err
}

// shareUnlocked reports whether the browser gave the share's password
// (always true for a share without one).
func (h *Handler) shareUnlocked(r *http.Request, s store.Share) (bool, error) {
	if s.PasswordHash == "" {
		return true, nil
	}
	c, err := r.Cookie(shareUnlockCookie)
	if err != nil || c.Value == "" {
		return false, nil
	}
	return h.db.ShareUnlocked(r.Context(), account.HashSecret(c.Value), s.ID)
}

// unlockShare remembers in the browser that it gave the password, for the
// share's pages and its DICOMweb root only.
func (h *Handler) unlockShare(w http.ResponseWriter, r *http.Request, s store.Share, key string) error {
	id := account.NewSecret()
	expires := h.now().Add(12 * time.Hour)
	if s.ExpiresAt.Before(expires) {
		expires = s.ExpiresAt
	}
	if err := h.db.UnlockShare(r.Context(), account.HashSecret(id), s.ID, expires); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: shareUnlockCookie, Value: id, Path: "/s/" + key, HttpOnly: true,
		Secure: h.secure(r), SameSite: http.SameSiteLaxMode, Expires: expires})
	return nil
}

// shareActor is a share recipient in the audit trail.
func shareActor(s store.Share) string { return "share:" + strconv.FormatInt(s.ID, 10) }

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
