package portal

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/pacslite/pacslite/portal/store"
)

// errRefund is a refund the admin asked for that cannot be made; its
// message is for the admin.
type errRefund struct{ msg string }

func (e *errRefund) Error() string { return e.msg }

// refundUpload gives back amount (paise) of an upload: to the original
// method through Razorpay's refund API, or to the patient's credit
// balance. Amounts over what is left are refused. Other features (deleting
// a paid study) refund through it too.
func (h *Handler) refundUpload(ctx context.Context, uploadID, kind string, amount int64, reason, actor string) (store.Refund, error) {
	u, err := h.db.Upload(ctx, uploadID)
	if err != nil {
		return store.Refund{}, err
	}
	if kind == store.RefundToMethod && (u.PaymentID == "" || h.opts.Payments.Gateway == nil) {
		return store.Refund{}, &errRefund{"This upload was not paid through Razorpay: refund it to credit."}
	}
	f, err := h.db.CreateRefund(ctx, store.NewRefund{UploadID: u.ID, Kind: kind, Amount: amount, Reason: reason, Actor: actor})
	if errors.Is(err, store.ErrInvalid) {
		left, lerr := h.db.UploadRefundable(ctx, u.ID)
		if lerr != nil {
			return store.Refund{}, lerr
		}
		max := left.Total
		if kind == store.RefundToMethod {
			max = left.ToMethod
		}
		return store.Refund{}, &errRefund{fmt.Sprintf("At most %s can be refunded this way.", rupees(max))}
	}
	if err != nil || kind != store.RefundToMethod {
		return f, err
	}
	rf, err := h.opts.Payments.Gateway.Refund(ctx, u.PaymentID, amount, map[string]string{"upload_id": u.ID, "reason": clip(reason, 200)})
	if err != nil {
		// Refused or unreachable: the refund did not happen here; the
		// admin can try again.
		if serr := h.db.SetRefundResult(context.WithoutCancel(ctx), f.ID, "", "failed"); serr != nil {
			err = errors.Join(err, serr)
		}
		h.logger(ctx).Error().Err(err).Str("upload", u.ID).Msg("razorpay refund")
		return store.Refund{}, &errRefund{"Razorpay did not make the refund. Nothing was refunded; try again later or refund to credit."}
	}
	status := "pending"
	if rf.Status == "processed" {
		status = "processed"
	}
	if err := h.db.SetRefundResult(context.WithoutCancel(ctx), f.ID, rf.ID, status); err != nil {
		return store.Refund{}, err
	}
	f.RazorpayID, f.Status = rf.ID, status
	return f, nil
}

// paymentRefund is the admin's refund form on the payments page.
func (h *Handler) paymentRefund(w http.ResponseWriter, r *http.Request) {
	v := visitorOf(r)
	id := r.PathValue("id")
	kind := r.PostFormValue("kind")
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	amount, ok := parseRupees(r.PostFormValue("amount"))
	back := func(param, msg string) {
		http.Redirect(w, r, "/admin/payments?"+param+"="+url.QueryEscape(msg)+"#"+url.QueryEscape(id), http.StatusSeeOther)
	}
	switch {
	case kind != store.RefundToMethod && kind != store.RefundToCredit:
		back("error", "Choose where the refund goes.")
		return
	case !ok || amount <= 0:
		back("error", "Enter the amount in rupees, e.g. 2500 or 2500.50.")
		return
	case reason == "":
		back("error", "Give a reason for the refund.")
		return
	}
	f, err := h.refundUpload(r.Context(), id, kind, amount, clip(reason, 500), userPrincipal(v.user, v.session).actor)
	var bad *errRefund
	switch {
	case errors.As(err, &bad):
		back("error", bad.msg)
		return
	case errors.Is(err, store.ErrNotFound):
		h.notFound(w, r)
		return
	case err != nil:
		h.serverError(w, r, err)
		return
	}
	h.audit(r.Context(), store.Event{Actor: userPrincipal(v.user, v.session).actor, Role: string(v.user.Role), Action: "payment.refund",
		Detail: fmt.Sprintf("%s %s %d paise", id, kind, amount), Status: http.StatusOK, Remote: h.clientAddr(r)})
	where := "to the patient's credit balance"
	if f.Kind == store.RefundToMethod {
		where = "to the original payment method (Razorpay " + f.Status + ")"
	}
	back("notice", rupees(amount)+" refunded "+where+".")
}

// parseRupees reads "2500", "2,500" or "2500.5" as paise.
func parseRupees(s string) (int64, bool) {
	s = strings.ReplaceAll(strings.TrimPrefix(strings.TrimSpace(s), "₹"), ",", "")
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 2 {
		return 0, false
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w < 0 || w > 1e9 {
		return 0, false
	}
	var p int64
	if frac != "" {
		f, err := strconv.Atoi(frac + strings.Repeat("0", 2-len(frac)))
		if err != nil || f < 0 {
			return 0, false
		}
		p = int64(f)
	}
	return w*100 + p, true
}
