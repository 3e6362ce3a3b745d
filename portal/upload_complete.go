package portal

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/pacslite/pacslite/portal/store"
)

// uploadComplete is called by the page when every file was sent. The
// server decides from what it stored:
//   - every study of the upload has instances stored, and the files not
//     stored were refused by the archive (at most "rejected" of them):
//     the upload is stored, its studies Ready, replaced studies lose the
//     instances this upload did not bring;
//   - with give_up, when some study has nothing stored because the
//     archive refused its files: the upload fails and its price goes to
//     the credit balance;
//   - otherwise it is not finished: 409, and the page resumes.
func (h *Handler) uploadComplete(w http.ResponseWriter, r *http.Request) {
	u, ok := h.ownUpload(w, r)
	if !ok {
		return
	}
	var in struct {
		Rejected int64  `json:"rejected"`
		GiveUp   bool   `json:"give_up"`
		Reason   string `json:"reason"`
	}
	if err := readUploadJSON(r, &in); err != nil {
		uploadRefuse(w, http.StatusBadRequest, "The request could not be read.", nil)
		return
	}
	switch u.State {
	case store.UploadStored:
		uploadReply(w, http.StatusOK, map[string]any{"state": u.State, "redirect": doneURL(u)})
		return
	case store.UploadCreated:
		uploadRefuse(w, http.StatusPaymentRequired, "This upload is not paid yet.", nil)
		return
	case store.UploadPaid, store.UploadUploading:
	default:
		uploadRefuse(w, http.StatusConflict, "This upload is closed ("+string(u.State)+").", map[string]any{"state": u.State})
		return
	}
	var stored, empty int64
	for _, s := range u.Studies {
		stored += s.Stored
		if s.Stored == 0 {
			empty++
		}
	}
	switch {
	case empty == 0 && stored+max(0, in.Rejected) >= u.Files:
		if err := h.finishUpload(r.Context(), u); err != nil {
			h.uploadFail(w, r, http.StatusInternalServerError, err)
			return
		}
		h.auditUpload(r, "upload.stored", "", fmt.Sprintf("%s %d instances, %d refused", u.ID, stored, in.Rejected))
		u.State = store.UploadStored
		uploadReply(w, http.StatusOK, map[string]any{"state": u.State, "redirect": doneURL(u)})
	case in.GiveUp && empty > 0:
		reason := clip(in.Reason, 200)
		if reason == "" {
			reason = "the archive refused the files of a study"
		}
		credited, err := h.db.FailUpload(r.Context(), u.ID, reason)
		if err != nil {
			h.uploadFail(w, r, http.StatusInternalServerError, err)
			return
		}
		h.auditUpload(r, "upload.failed", "", fmt.Sprintf("%s credited %d paise", u.ID, credited))
		uploadReply(w, http.StatusOK, map[string]any{"state": store.UploadCredited, "credited": credited,
			"credited_text": rupees(credited), "redirect": "/settings#credit"})
	default:
		uploadRefuse(w, http.StatusConflict, fmt.Sprintf("%d of %d files are stored so far: resume the upload to send the rest.", stored, u.Files),
			map[string]any{"state": u.State, "stored": stored, "files": u.Files})
	}
}

// finishUpload closes a stored upload: replaced studies keep only the
// instances this upload brought, then the upload and its studies are done.
func (h *Handler) finishUpload(ctx context.Context, u store.Upload) error {
	ctx = context.WithoutCancel(ctx)
	for _, s := range u.Studies {
		if s.Replace {
			if err := h.pruneReplaced(ctx, u.ID, s.StudyUID); err != nil {
				return err
			}
		}
	}
	if err := h.db.FinishUpload(ctx, u.ID); err != nil && !errors.Is(err, store.ErrConflict) {
		return err
	}
	return nil
}

// doneURL is where the page goes when an upload is stored: the dashboard.
func doneURL(u store.Upload) string {
	return "/studies?uploaded=" + strconv.Itoa(len(u.Studies)) + "&type=" + url.QueryEscape(u.ReportType)
}

// uploadedNotice is the dashboard's notice after an upload (doneURL).
func (h *Handler) uploadedNotice(r *http.Request) string {
	q := r.URL.Query()
	n, err := strconv.Atoi(q.Get("uploaded"))
	if err != nil || n <= 0 {
		return ""
	}
	studies := "1 study was"
	if n > 1 {
		studies = strconv.Itoa(n) + " studies were"
	}
	msg := "Upload complete: " + studies + " stored and the radiologists were notified."
	if rt, ok := h.opts.Payments.reportType(q.Get("type")); ok {
		msg += " " + rt.Name + " report (" + rt.Hours + " turnaround): the countdown shows the time left."
	}
	return msg
}
