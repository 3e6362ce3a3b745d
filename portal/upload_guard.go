package portal

import (
	"context"
	"errors"
	"net/http"
	"sync"

	"github.com/pacslite/pacslite/dicomweb"
	"github.com/pacslite/pacslite/portal/store"
)

// uploadHeader names the upload a patient's STOW-RS belongs to.
const uploadHeader = "X-Upload-Id"

// errNotInUpload refuses an instance of a study the upload did not pay for.
var errNotInUpload = errors.New("the study is not part of this upload: start a new upload for it")

// uploadRule holds patients' STOW-RS to their upload flow: each request
// names a paid upload of theirs (X-Upload-Id), and only the studies paid
// for with it are stored. Every instance stored is recorded with the
// upload, and its study shows as Processing with the upload's deadline.
// It answers the refusal itself and returns false when the request must
// stop.
func (h *Handler) uploadRule(w http.ResponseWriter, r *http.Request, p principal, a *dicomweb.Access) bool {
	if p.user == nil || p.user.Role != store.RolePatient || r.Method != http.MethodPost {
		return true
	}
	refuse := func(status int, msg string) bool {
		h.audit(r.Context(), store.Event{Actor: p.actor, Role: p.role, Action: "dicomweb.denied",
			Detail: r.Method + " " + r.URL.Path + " upload " + r.Header.Get(uploadHeader), Status: status, Remote: h.clientAddr(r)})
		h.refuse(w, r, &refusal{status: status, msg: msg})
		return false
	}
	id := r.Header.Get(uploadHeader)
	if id == "" {
		return refuse(http.StatusForbidden, "patients store studies through the upload page: a paid upload is required (X-Upload-Id)")
	}
	u, err := h.db.Upload(r.Context(), id)
	switch {
	case errors.Is(err, store.ErrNotFound) || (err == nil && u.UserID != p.user.ID):
		return refuse(http.StatusForbidden, "unknown upload")
	case err != nil:
		h.logger(r.Context()).Error().Err(err).Msg("dicomweb upload rule")
		h.refuse(w, r, &refusal{status: http.StatusInternalServerError, msg: "internal error; request id " + w.Header().Get("X-Request-Id")})
		return false
	case u.State == store.UploadCreated:
		return refuse(http.StatusPaymentRequired, "this upload is not paid yet")
	case !u.State.Accepting():
		return refuse(http.StatusConflict, "this upload is closed ("+string(u.State)+")")
	}
	if err := h.db.StartUploading(r.Context(), u.ID); err != nil {
		h.logger(r.Context()).Warn().Err(err).Msg("start uploading")
	}
	replace := make(map[string]bool, len(u.Studies))
	for _, s := range u.Studies {
		replace[s.StudyUID] = s.Replace
	}
	a.MayStore = func(_ context.Context, study string) error {
		if _, ok := replace[study]; !ok {
			return errNotInUpload
		}
		return nil
	}
	var mu sync.Mutex
	marked := map[string]bool{}
	recordUpload := a.Stored
	a.Stored = func(ctx context.Context, study, series, sop string) {
		recordUpload(ctx, study, series, sop)
		// Stored is committed: record it even if the browser has gone.
		ctx = context.WithoutCancel(ctx)
		if err := h.db.RecordUploadInstance(ctx, u.ID, study, sop); err != nil {
			h.logger(ctx).Error().Err(err).Str("study_uid", study).Msg("record upload instance")
		}
		mu.Lock()
		first := !marked[study]
		marked[study] = true
		mu.Unlock()
		if first {
			if err := h.db.MarkStudyProcessing(ctx, study, u, replace[study]); err != nil {
				h.logger(ctx).Error().Err(err).Str("study_uid", study).Msg("mark study processing")
			}
		}
	}
	return true
}
