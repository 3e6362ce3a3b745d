package portal

import (
	"net/http"

	"github.com/pacslite/pacslite/portal/store"
)

// paymentRow is an upload on the admin's payments page.
type paymentRow struct {
	store.Upload
	User       store.User
	Payments   []store.PaymentRecord
	Refunds    []store.Refund
	Refundable store.Refundable
	Left       string // refundable, in rupees for the form
}

// paymentListData is what the payments page shows.
type paymentListData struct {
	Rows    []paymentRow
	State   string
	States  []store.UploadState
	Events  []store.WebhookEvent
	Notice  string
	Error   string
	Demo    bool
	Rupees  func(int64) string
	Methods bool // refunds to the original method are possible
}

var uploadStates = []store.UploadState{store.UploadCreated, store.UploadPaid, store.UploadUploading, store.UploadStored,
	store.UploadCredited, store.UploadCancelled}

// paymentList is the admin's view of uploads and their money: payments,
// refunds, what is left to refund, and the latest webhook events.
func (h *Handler) paymentList(w http.ResponseWriter, r *http.Request) {
	state := store.UploadState(r.URL.Query().Get("state"))
	f := store.UploadFilter{Limit: 100}
	for _, s := range uploadStates {
		if s == state {
			f.States = []store.UploadState{s}
		}
	}
	ups, err := h.db.Uploads(r.Context(), f)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	d := paymentListData{State: string(state), States: uploadStates, Notice: r.URL.Query().Get("notice"), Error: r.URL.Query().Get("error"),
		Demo: h.opts.Payments.Demo, Rupees: rupees, Methods: h.opts.Payments.Gateway != nil}
	users := map[int64]store.User{}
	for _, u := range ups {
		row := paymentRow{Upload: u}
		if _, ok := users[u.UserID]; !ok {
			if users[u.UserID], err = h.db.UserByID(r.Context(), u.UserID); err != nil {
				h.serverError(w, r, err)
				return
			}
		}
		row.User = users[u.UserID]
		if row.Payments, err = h.db.Payments(r.Context(), u.ID); err == nil {
			if row.Refunds, err = h.db.Refunds(r.Context(), u.ID); err == nil {
				row.Refundable, err = h.db.UploadRefundable(r.Context(), u.ID)
			}
		}
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		row.Left = rupeesPlain(row.Refundable.Total)
		d.Rows = append(d.Rows, row)
	}
	if d.Events, err = h.db.WebhookEvents(r.Context(), 20); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "admin_payments", "Payments", d)
}

// rupeesPlain is paise as a number of rupees for a form field: "2500",
// "12.50".
func rupeesPlain(paise int64) string {
	s := rupees(paise)
	out := make([]rune, 0, len(s))
	for _, c := range s {
		if c != '₹' && c != ',' {
			out = append(out, c)
		}
	}
	return string(out)
}
