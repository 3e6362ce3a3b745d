package portal

import (
	"errors"
	"net/http"

	"github.com/pacslite/pacslite/portal/account"
	"github.com/pacslite/pacslite/portal/store"
)

// downloadShowData is the page of a download link.
type downloadShowData struct {
	Token    string
	Download store.Download
	Verified bool
	Left     int
	Error    string
}

// downloadShow asks for the security code of a download link, or offers
// the file once the code was given. Links are the account's own.
func (h *Handler) downloadShow(w http.ResponseWriter, r *http.Request) {
	d, ok := h.downloadOf(w, r)
	if !ok {
		return
	}
	h.renderDownload(w, r, http.StatusOK, d, "")
}

func (h *Handler) renderDownload(w http.ResponseWriter, r *http.Request, status int, d store.Download, msg string) {
	h.render(w, r, status, "download", "Download images", downloadShowData{Token: r.PathValue("token"), Download: d,
		Verified: !d.VerifiedAt.IsZero(), Left: store.MaxWrongGuesses - d.FailedCodes, Error: msg})
}

// downloadOf finds the visitor's download link; an expired or invalidated
// one answers a page saying so, a stranger's "not found".
func (h *Handler) downloadOf(w http.ResponseWriter, r *http.Request) (store.Download, bool) {
	d, err := h.db.DownloadByTokenHash(r.Context(), account.HashSecret(r.PathValue("token")))
	if errors.Is(err, store.ErrNotFound) || (err == nil && d.UserID != visitorOf(r).user.ID) {
		h.notFound(w, r)
		return d, false
	}
	if err != nil {
		h.serverError(w, r, err)
		return d, false
	}
	if !d.Usable(h.now()) {
		h.downloadGone(w, r, d)
		return d, false
	}
	return d, true
}

func (h *Handler) downloadGone(w http.ResponseWriter, r *http.Request, d store.Download) {
	msg := "Download links work for 30 minutes. Go back to the study and ask for a new code."
	if d.FailedCodes >= store.MaxWrongGuesses {
		msg = "The security code was entered wrongly too many times, so this link no longer works. Go back to the study and ask for a new code."
	}
	h.errorPage(w, r, http.StatusGone, "This download link no longer works", msg)
}
