package portal

import (
	"context"

	"github.com/pacslite/pacslite/portal/store"
)

// billingData is a patient's refund credit balance and payment history,
// shown in Settings.
type billingData struct {
	Balance string
	Lines   []creditLineView
	Uploads []uploadHistoryRow
}

type creditLineView struct {
	store.CreditLine
	AmountText string
	Credit     bool
}

type uploadHistoryRow struct {
	store.Upload
	PriceText, PaidText, CreditText string
	Refunds                         []refundView
}

type refundView struct {
	store.Refund
	AmountText string
}

// billingFor gathers the billing section of Settings; staff have none.
func (h *Handler) billingFor(ctx context.Context, u *store.User) (*billingData, error) {
	if u.Role != store.RolePatient {
		return nil, nil
	}
	balance, err := h.db.CreditBalance(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	d := &billingData{Balance: rupees(balance)}
	lines, err := h.db.CreditLines(ctx, u.ID, 50)
	if err != nil {
		return nil, err
	}
	for _, l := range lines {
		d.Lines = append(d.Lines, creditLineView{CreditLine: l, AmountText: rupees(l.Amount), Credit: l.Amount > 0})
	}
	ups, err := h.db.Uploads(ctx, store.UploadFilter{UserID: u.ID, Limit: 50})
	if err != nil {
		return nil, err
	}
	for _, up := range ups {
		if up.State == store.UploadCancelled && up.PaymentID == "" {
			continue // never paid: not part of the history
		}
		row := uploadHistoryRow{Upload: up, PriceText: rupees(up.Price), CreditText: rupees(up.CreditUsed)}
		if up.PaymentID != "" {
			row.PaidText = rupees(up.AmountDue)
		}
		refunds, err := h.db.Refunds(ctx, up.ID)
		if err != nil {
			return nil, err
		}
		for _, f := range refunds {
			row.Refunds = append(row.Refunds, refundView{Refund: f, AmountText: rupees(f.Amount)})
		}
		d.Uploads = append(d.Uploads, row)
	}
	return d, nil
}
