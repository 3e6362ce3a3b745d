package portal

import (
	"net/http"

	"github.com/pacslite/pacslite/portal/store"
)

// uploadStatus tells the page where an upload is and, for a resumed one,
// which instances are already stored, so only the rest is sent again.
func (h *Handler) uploadStatus(w http.ResponseWriter, r *http.Request) {
	u, ok := h.ownUpload(w, r)
	if !ok {
		return
	}
	out := struct {
		uploadView
		StoredSOPs []string `json:"stored_sops"`
	}{uploadView: uploadViewOf(u), StoredSOPs: []string{}}
	if u.State.Accepting() || u.State == store.UploadStored {
		sops, err := h.db.UploadInstances(r.Context(), u.ID)
		if err != nil {
			h.uploadFail(w, r, http.StatusInternalServerError, err)
			return
		}
		if sops != nil {
			out.StoredSOPs = sops
		}
	}
	uploadReply(w, http.StatusOK, out)
}

// uploadCancel abandons an upload that was never paid (the patient closed
// Checkout and changed the selection): the credit it reserved comes back.
func (h *Handler) uploadCancel(w http.ResponseWriter, r *http.Request) {
	u, ok := h.ownUpload(w, r)
	if !ok {
		return
	}
	if u.State != store.UploadCreated {
		uploadRefuse(w, http.StatusConflict, "Only an upload that is not paid can be cancelled.", nil)
		return
	}
	if err := h.db.CancelUpload(r.Context(), u.ID, userPrincipal(visitorOf(r).user, visitorOf(r).session).actor); err != nil {
		h.uploadFail(w, r, http.StatusInternalServerError, err)
		return
	}
	h.auditUpload(r, "upload.cancel", "", u.ID)
	u.State = store.UploadCancelled
	uploadReply(w, http.StatusOK, uploadViewOf(u))
}
