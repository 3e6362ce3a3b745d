package portal

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/pacslite/pacslite/portal/store"
)

// downloadVerify checks a download link's security code. Wrong codes are
// counted on the link, atomically; at the tenth it is invalid.
func (h *Handler) downloadVerify(w http.ResponseWriter, r *http.Request) {
	d, ok := h.downloadOf(w, r)
	if !ok {
		return
	}
	token := r.PathValue("token")
	code := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, r.PostFormValue("code"))
	detail := fmt.Sprintf("download:%d", d.ID)
	if subtle.ConstantTimeCompare([]byte(downloadCodeHash(token, code)), []byte(d.CodeHash)) != 1 {
		n, err := h.db.FailDownloadCode(r.Context(), d.ID)
		if err != nil && !errors.Is(err, store.ErrGone) {
			h.serverError(w, r, err)
			return
		}
		d.FailedCodes = n
		h.auditUser(r, "download.code_failed", d.StudyUID, detail, http.StatusUnauthorized)
		if n >= store.MaxWrongGuesses {
			h.auditUser(r, "download.invalidated", d.StudyUID, detail, http.StatusGone)
			h.downloadGone(w, r, d)
			return
		}
		h.renderDownload(w, r, http.StatusUnauthorized, d, "That code is not right. Check the latest message we sent you.")
		return
	}
	if err := h.db.VerifyDownload(r.Context(), d.ID); errors.Is(err, store.ErrGone) {
		h.downloadGone(w, r, d)
		return
	} else if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.auditUser(r, "download.code_ok", d.StudyUID, detail, http.StatusOK)
	http.Redirect(w, r, "/downloads/"+url.PathEscape(token), http.StatusSeeOther)
}

// downloadFile streams the originals of a verified download link.
func (h *Handler) downloadFile(w http.ResponseWriter, r *http.Request) {
	d, ok := h.downloadOf(w, r)
	if !ok {
		return
	}
	if d.VerifiedAt.IsZero() {
		http.Redirect(w, r, "/downloads/"+url.PathEscape(r.PathValue("token")), http.StatusSeeOther)
		return
	}
	if allowed, err := h.downloadsAllowed(r.Context(), d.StudyUID); err != nil || !allowed {
		h.errorPage(w, r, http.StatusForbidden, "Downloads are turned off",
			"The organisation this study comes from no longer allows downloads of the original files.")
		return
	}
	ctx, err := h.archiveContext(r)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if err := h.db.CountFetch(r.Context(), d.ID); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.sendZIP(ctx, w, r, d.StudyUID, func(action, detail string, status int) {
		h.auditUser(r, action, d.StudyUID, fmt.Sprintf("download:%d %s", d.ID, detail), status)
	})
}
