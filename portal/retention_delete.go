package portal

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/pacslite/pacslite/portal/archive"
	"github.com/pacslite/pacslite/portal/store"
)

// paidUpload is an upload that paid for a study, with what is left to
// give back.
type paidUpload struct {
	store.Upload
	Left            store.Refundable
	Total, ToMethod string // in rupees, for the page
}

// studyDeleteData is the confirmation page of deleting a study.
type studyDeleteData struct {
	Study   archive.Study
	Uploads []paidUpload
	Error   string
}

// studyDeleteShow asks an admin to confirm deleting a study, and whether
// to refund what was paid for it (to credit or the original method).
func (h *Handler) studyDeleteShow(w http.ResponseWriter, r *http.Request) {
	h.showStudyDelete(w, r, http.StatusOK, "")
}

func (h *Handler) showStudyDelete(w http.ResponseWriter, r *http.Request, status int, msg string) {
	study, _, ok := h.visibleStudy(w, r, r.PathValue("uid"), "study.denied")
	if !ok {
		return
	}
	ups, err := h.paidUploads(r, study.UID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, status, "admin_study_delete", "Delete study", studyDeleteData{Study: study, Uploads: ups, Error: msg})
}

func (h *Handler) paidUploads(r *http.Request, uid string) ([]paidUpload, error) {
	ups, err := h.db.UploadsOfStudy(r.Context(), uid)
	if err != nil {
		return nil, err
	}
	var out []paidUpload
	for _, u := range ups {
		left, err := h.db.UploadRefundable(r.Context(), u.ID)
		if err != nil {
			return nil, err
		}
		if left.Total > 0 {
			out = append(out, paidUpload{Upload: u, Left: left, Total: rupees(left.Total), ToMethod: rupees(left.ToMethod)})
		}
	}
	return out, nil
}

// studyDelete deletes a study for an admin: refunds first when asked (a
// failed refund stops the deletion), then the archive's DELETE, the
// portal's records, and the audit trail.
func (h *Handler) studyDelete(w http.ResponseWriter, r *http.Request) {
	uid := r.PathValue("uid")
	if _, _, ok := h.visibleStudy(w, r, uid, "study.denied"); !ok {
		return
	}
	v := visitorOf(r)
	actor := userPrincipal(v.user, v.session).actor
	if kind := r.PostFormValue("refund"); kind == store.RefundToCredit || kind == store.RefundToMethod {
		err := h.refundStudy(r, uid, kind, actor)
		var refused *errRefund
		if errors.As(err, &refused) {
			h.showStudyDelete(w, r, http.StatusUnprocessableEntity, refused.Error())
			return
		}
		if err != nil {
			h.serverError(w, r, err)
			return
		}
	}
	err := h.deleteStudy(r.Context(), uid, store.Event{Actor: actor, Role: string(v.user.Role), Action: "study.delete",
		Detail: "refund:" + r.PostFormValue("refund"), Status: http.StatusOK, Remote: h.clientAddr(r)})
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/studies?deleted=1", http.StatusSeeOther)
}

// refundStudy gives back what is left of every upload that paid for a
// study. To the original method means the card part through Razorpay and
// the part paid from the credit balance back to that balance, so nothing
// paid is lost either way. Each refund is checked against what is left in
// one transaction, so a second or parallel deletion refunds nothing more.
func (h *Handler) refundStudy(r *http.Request, uid, kind, actor string) error {
	ups, err := h.paidUploads(r, uid)
	if err != nil {
		return err
	}
	const reason = "study deleted by an admin"
	for _, u := range ups {
		credit := u.Left.Total
		if kind == store.RefundToMethod && u.Left.ToMethod > 0 {
			if _, err := h.refundUpload(r.Context(), u.ID, store.RefundToMethod, u.Left.ToMethod, reason, actor); err != nil {
				return err
			}
			credit -= u.Left.ToMethod
		}
		if credit > 0 {
			if _, err := h.refundUpload(r.Context(), u.ID, store.RefundToCredit, credit, reason, actor); err != nil {
				return err
			}
		}
	}
	return nil
}

// studyKeep exempts a study from retention, or ends the exemption.
func (h *Handler) studyKeep(w http.ResponseWriter, r *http.Request) {
	uid := r.PathValue("uid")
	if _, _, ok := h.visibleStudy(w, r, uid, "study.denied"); !ok {
		return
	}
	keep := r.PostFormValue("keep") == "1"
	v := visitorOf(r)
	if err := h.db.KeepStudy(r.Context(), uid, userPrincipal(v.user, v.session).actor, keep); err != nil {
		h.serverError(w, r, err)
		return
	}
	action := "study.unkeep"
	if keep {
		action = "study.keep"
	}
	h.auditUser(r, action, uid, fmt.Sprint(keep), http.StatusOK)
	http.Redirect(w, r, "/studies/"+url.PathEscape(uid), http.StatusSeeOther)
}
