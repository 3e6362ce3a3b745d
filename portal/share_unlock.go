package portal

import (
	"errors"
	"net/http"

	"github.com/pacslite/pacslite/portal/store"
)

// sharePasswordData is the password form of a share.
type sharePasswordData struct {
	Key   string
	Error string
	Left  int
}

func (h *Handler) sharePasswordForm(w http.ResponseWriter, r *http.Request, s store.Share, status int, msg string) {
	h.render(w, r, status, "share_password", "Password needed",
		sharePasswordData{Key: r.PathValue("key"), Error: msg, Left: store.MaxWrongGuesses - s.FailedPasswords})
}

// shareUnlock checks a share's password. Wrong ones are counted on the
// share for its whole life, atomically, so parallel guesses count too; at
// the tenth the share is dead. The address is throttled as well.
func (h *Handler) shareUnlock(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("key")
	s, err := h.shareByKey(r, key)
	if errors.Is(err, errNoShare) {
		h.shareNotFound(w, r)
		return
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if s.State(h.now()) != store.ShareActive {
		h.shareGone(w, r, s)
		return
	}
	if s.PasswordHash == "" {
		http.Redirect(w, r, "/s/"+key, http.StatusSeeOther)
		return
	}
	remote := h.clientAddr(r)
	if ok, _ := h.sharing.passwords.Allow(remote); !ok {
		h.shareRecord(r, s, "share.password_throttled", http.StatusTooManyRequests)
		h.sharePasswordForm(w, r, s, http.StatusTooManyRequests, "Too many wrong passwords from your network. Wait a few minutes and try again.")
		return
	}
	ok, err := h.hasher.Verify(r.Context(), s.PasswordHash, r.PostFormValue("password"))
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if !ok {
		h.sharing.passwords.Add(remote)
		n, err := h.db.FailSharePassword(r.Context(), s.ID)
		if err != nil && !errors.Is(err, store.ErrGone) {
			h.serverError(w, r, err)
			return
		}
		s.FailedPasswords = n
		h.shareRecord(r, s, "share.password_failed", http.StatusUnauthorized)
		if n >= store.MaxWrongGuesses {
			h.shareRecord(r, s, "share.locked", http.StatusGone)
			h.shareGone(w, r, s)
			return
		}
		h.sharePasswordForm(w, r, s, http.StatusUnauthorized, "That password is not right.")
		return
	}
	if err := h.unlockShare(w, r, s, key); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.shareRecord(r, s, "share.unlock", http.StatusOK)
	http.Redirect(w, r, "/s/"+key, http.StatusSeeOther)
}
