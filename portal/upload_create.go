package portal

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/pacslite/pacslite/portal/archive"
	"github.com/pacslite/pacslite/portal/payment"
	"github.com/pacslite/pacslite/portal/store"
)

// uploadRequest is what the page sends after consent and the choice of
// report type. There is no amount in it: the server decides the price.
type uploadRequest struct {
	ReportType     string `json:"report_type"`
	Consent        bool   `json:"consent"`
	ConsentVersion string `json:"consent_version"`
	Replaces       string `json:"replaces"` // an unpaid upload of the same page to cancel
	Studies        []struct {
		UID         string `json:"uid"`
		Action      string `json:"action"` // "new" or "replace"
		Files       int64  `json:"files"`
		Bytes       int64  `json:"bytes"`
		PatientName string `json:"patient_name"`
		StudyDate   string `json:"study_date"`
		Modality    string `json:"modality"`
		Description string `json:"description"`
	} `json:"studies"`
}

var uidPattern = regexp.MustCompile(`^[0-9]+(\.[0-9]+)*$`)

// maxUploadStudies bounds the studies of one upload (a CD holds a few).
const maxUploadStudies = 200

// uploadCreate records an upload and, unless the credit balance covers
// its price, creates the Razorpay order Checkout will pay.
func (h *Handler) uploadCreate(w http.ResponseWriter, r *http.Request) {
	v := visitorOf(r)
	var in uploadRequest
	if err := readUploadJSON(r, &in); err != nil {
		uploadRefuse(w, http.StatusBadRequest, "The request could not be read.", nil)
		return
	}
	rt, ok := h.opts.Payments.reportType(in.ReportType)
	switch {
	case !ok:
		uploadRefuse(w, http.StatusBadRequest, "Choose Standard or Priority.", nil)
		return
	case !in.Consent || in.ConsentVersion != consentVersion():
		uploadRefuse(w, http.StatusBadRequest, "Please read and accept the consent terms first.", map[string]any{"consent_version": consentVersion()})
		return
	case len(in.Studies) == 0 || len(in.Studies) > maxUploadStudies:
		uploadRefuse(w, http.StatusBadRequest, fmt.Sprintf("An upload holds 1 to %d studies.", maxUploadStudies), nil)
		return
	}
	n := store.NewUpload{ID: newUploadID(), UserID: v.user.ID, ReportType: rt.Key, Price: rt.Price, Currency: "INR",
		Turnaround: rt.Turnaround, ConsentVersion: consentVersion(), ConsentRemote: h.clientAddr(r), MinCharge: minCharge,
		Actor: userPrincipal(v.user, v.session).actor}
	seen := map[string]bool{}
	for _, s := range in.Studies {
		if !uidPattern.MatchString(s.UID) || len(s.UID) > 64 || seen[s.UID] || s.Files <= 0 || s.Bytes < 0 {
			uploadRefuse(w, http.StatusBadRequest, "A study in the request is not valid.", nil)
			return
		}
		seen[s.UID] = true
		n.Files += s.Files
		n.Bytes += s.Bytes
		n.Studies = append(n.Studies, store.UploadStudy{StudyUID: s.UID, Replace: s.Action == "replace", Files: s.Files, Bytes: s.Bytes,
			PatientName: clip(s.PatientName, 200), StudyDate: clip(s.StudyDate, 8), Modality: clip(s.Modality, 32),
			Description: clip(s.Description, 200), NameMismatch: !sameName(s.PatientName, v.user.Name)})
	}
	if dup, foreign, err := h.checkDuplicates(r.Context(), v.user.ID, n.Studies); err != nil {
		h.uploadFail(w, r, http.StatusInternalServerError, err)
		return
	} else if len(foreign) > 0 {
		uploadRefuse(w, http.StatusConflict, "Some studies are already in the archive under another account and cannot be uploaded from yours. Leave them out, or contact support.", map[string]any{"foreign": foreign})
		return
	} else if len(dup) > 0 {
		uploadRefuse(w, http.StatusConflict, "Some studies are already in your account: choose to skip or replace each.", map[string]any{"duplicates": dup})
		return
	}
	if in.Replaces != "" {
		// The page's earlier attempt, never paid: its reserved credit comes back first.
		if old, err := h.db.Upload(r.Context(), in.Replaces); err == nil && old.UserID == v.user.ID && old.State == store.UploadCreated {
			if err := h.db.CancelUpload(r.Context(), old.ID, n.Actor); err != nil && !errors.Is(err, store.ErrConflict) {
				h.uploadFail(w, r, http.StatusInternalServerError, err)
				return
			}
		}
	}
	u, err := h.db.CreateUpload(r.Context(), n)
	if err != nil {
		h.uploadFail(w, r, http.StatusInternalServerError, err)
		return
	}
	h.auditUpload(r, "upload.consent", "", u.ID+" terms "+u.ConsentVersion)
	for _, s := range n.Studies {
		if s.NameMismatch {
			h.auditUpload(r, "upload.name_mismatch", s.StudyUID, u.ID)
		}
	}
	if u.AmountDue > 0 {
		order, err := h.opts.Payments.Gateway.CreateOrder(r.Context(), payment.OrderRequest{Amount: u.AmountDue, Currency: u.Currency,
			Receipt: u.ID, Notes: map[string]string{"upload_id": u.ID, "patient_user_id": strconv.FormatInt(v.user.ID, 10), "report_type": u.ReportType}})
		if err == nil {
			err = h.db.SetUploadOrder(r.Context(), u.ID, order.ID)
			u.OrderID = order.ID
		}
		if err != nil {
			if cerr := h.db.CancelUpload(context.WithoutCancel(r.Context()), u.ID, n.Actor); cerr != nil {
				err = errors.Join(err, cerr)
			}
			h.uploadFail(w, r, http.StatusBadGateway, err)
			return
		}
	}
	h.auditUpload(r, "upload.create", "", fmt.Sprintf("%s %s %d studies, %d paise due, %d paise credit", u.ID, u.ReportType, len(u.Studies), u.AmountDue, u.CreditUsed))
	out := uploadViewOf(u)
	if u.AmountDue > 0 {
		out.Checkout = h.checkoutOptions(r, u, rt)
	}
	uploadReply(w, http.StatusCreated, out)
}

// checkDuplicates sorts the studies of an upload that already exist in
// the archive: the account's own need "replace" (else they are dup);
// other accounts' cannot be uploaded from this one (foreign).
func (h *Handler) checkDuplicates(ctx context.Context, userID int64, studies []store.UploadStudy) (dup, foreign []string, err error) {
	linked, err := h.db.LinkedStudies(ctx, userID)
	if err != nil {
		return nil, nil, err
	}
	for i, s := range studies {
		if linked[s.StudyUID] {
			if !s.Replace {
				dup = append(dup, s.StudyUID)
			}
			continue
		}
		// Without an Access in ctx the archive answers for every study.
		_, err := h.archive.Study(ctx, s.StudyUID)
		switch {
		case errors.Is(err, archive.ErrNotFound):
			studies[i].Replace = false // nothing to replace
		case err != nil:
			return nil, nil, err
		default:
			foreign = append(foreign, s.StudyUID)
		}
	}
	return dup, foreign, nil
}

// checkoutOptions are the options the page opens Checkout with.
func (h *Handler) checkoutOptions(r *http.Request, u store.Upload, rt reportType) map[string]any {
	v := visitorOf(r)
	studies := "1 study"
	if len(u.Studies) != 1 {
		studies = strconv.Itoa(len(u.Studies)) + " studies"
	}
	return map[string]any{
		"key": h.opts.Payments.KeyID, "order_id": u.OrderID, "amount": u.AmountDue, "currency": u.Currency,
		"name": h.opts.SiteName, "description": rt.Name + " report (" + rt.Hours + ") · " + studies,
		"prefill": map[string]string{"name": v.user.Name, "email": v.user.Email, "contact": v.user.Phone},
		"notes":   map[string]string{"upload_id": u.ID}, "theme": map[string]string{"color": "#0f766e"},
	}
}

// auditUpload writes an upload event of the visitor to the audit trail.
func (h *Handler) auditUpload(r *http.Request, action, studyUID, detail string) {
	v := visitorOf(r)
	h.audit(r.Context(), store.Event{Actor: userPrincipal(v.user, v.session).actor, Role: string(v.user.Role), Action: action,
		StudyUID: studyUID, Detail: detail, Status: http.StatusOK, Remote: h.clientAddr(r)})
}

// sameName reports whether a DICOM patient name (Family^Given^Middle)
// names the account holder: every word of the shorter name appears in
// the other, ignoring case, order and punctuation. An empty name cannot
// be told apart and counts as the same.
func sameName(dicomName, account string) bool {
	if i := strings.IndexByte(dicomName, '='); i >= 0 {
		dicomName = dicomName[:i] // the alphabetic group only
	}
	words := func(s string) map[string]bool {
		out := map[string]bool{}
		for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			out[w] = true
		}
		return out
	}
	a, b := words(dicomName), words(account)
	if len(a) == 0 || len(b) == 0 {
		return true
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	for w := range a {
		if !b[w] {
			return false
		}
	}
	return true
}

func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8Start(s[n]) {
		n--
	}
	return s[:n]
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }
