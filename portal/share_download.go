package portal

import (
	"net/http"

	"github.com/pacslite/pacslite/portal/store"
)

// shareDownload sends a share's recipient the study's originals as a ZIP,
// when the owner allowed it and the organisation has downloads on.
func (h *Handler) shareDownload(w http.ResponseWriter, r *http.Request) {
	s, ok := h.sharePage(w, r)
	if !ok {
		return
	}
	allowed, err := h.downloadsAllowed(r.Context(), s.StudyUID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if !s.AllowDownload || !allowed {
		h.shareRecord(r, s, "download.denied", http.StatusForbidden)
		h.errorPage(w, r, http.StatusForbidden, "Download not available",
			"This share lets you view the images but not download the original files.")
		return
	}
	h.sendZIP(shareContext(r.Context(), s), w, r, s.StudyUID, func(action, detail string, status int) {
		h.audit(r.Context(), store.Event{Actor: shareActor(s), Role: "share", Action: action, StudyUID: s.StudyUID,
			Detail: shareActor(s) + " " + detail, Status: status, Remote: h.clientAddr(r)})
	})
}
