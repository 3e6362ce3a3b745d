package portal

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/pacslite/pacslite/portal/store"
)

// The upload page talks to the /uploads endpoints in JSON. Errors are
// {"error": "a sentence for the patient"} with a 4xx status, or a 5xx that
// names only the request id.

// uploadReply writes v as JSON.
func uploadReply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// uploadRefuse answers a 4xx with a message, plus extra fields.
func uploadRefuse(w http.ResponseWriter, status int, msg string, extra map[string]any) {
	body := map[string]any{"error": msg}
	for k, v := range extra {
		body[k] = v
	}
	uploadReply(w, status, body)
}

// uploadFail logs err once and answers 500 (or 502 when the payment
// provider failed) naming the request id.
func (h *Handler) uploadFail(w http.ResponseWriter, r *http.Request, status int, err error) {
	id := w.Header().Get("X-Request-Id")
	h.logger(r.Context()).Error().Err(err).Str("path", r.URL.Path).Msg("upload error")
	msg := "Something went wrong on our side. Please try again; if it keeps happening, contact support and quote " + id + "."
	if status == http.StatusBadGateway {
		msg = "The payment service did not answer. Nothing was charged; please try again in a moment."
	}
	uploadRefuse(w, status, msg, map[string]any{"request_id": id})
}

// readUploadJSON decodes a request body (already bounded by withSession).
func readUploadJSON(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		return errors.New("send JSON")
	}
	return json.NewDecoder(r.Body).Decode(v)
}

// newUploadID returns an unguessable upload id: 130 random bits.
func newUploadID() string {
	b := make([]byte, 17)
	rand.Read(b)
	return "up_" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))[:26]
}

// ownUpload loads the upload named in the path if it is the visitor's;
// anyone else's, or one that does not exist, is 404 alike.
func (h *Handler) ownUpload(w http.ResponseWriter, r *http.Request) (store.Upload, bool) {
	u, err := h.db.Upload(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) || (err == nil && u.UserID != visitorOf(r).user.ID) {
		uploadRefuse(w, http.StatusNotFound, "No such upload.", nil)
		return store.Upload{}, false
	}
	if err != nil {
		h.uploadFail(w, r, http.StatusInternalServerError, err)
		return store.Upload{}, false
	}
	return u, true
}

// patientOnly lets only patients through to the upload endpoints: staff
// send studies with an API token or pacslite import.
func (h *Handler) patientOnly(next http.HandlerFunc) http.HandlerFunc {
	return h.loggedIn(func(w http.ResponseWriter, r *http.Request) {
		if visitorOf(r).user.Role != store.RolePatient {
			if r.Method == http.MethodGet && r.URL.Path == "/upload" {
				h.errorPage(w, r, http.StatusForbidden, "Uploads are for patients",
					"Staff send studies to the archive with an API token (Admin › API tokens) or pacslite import.")
				return
			}
			uploadRefuse(w, http.StatusForbidden, "Uploads are for patient accounts.", nil)
			return
		}
		if h.opts.Payments.Gateway == nil {
			if r.Method == http.MethodGet && r.URL.Path == "/upload" {
				h.errorPage(w, r, http.StatusServiceUnavailable, "Uploads are not available",
					"This portal does not take uploads yet. Contact the hospital to send your scans.")
				return
			}
			uploadRefuse(w, http.StatusServiceUnavailable, "Uploads are not available: payments are not configured.", nil)
			return
		}
		next(w, r)
	})
}

// demoPayments serves the fake Razorpay of the demo mode, if any.
func (h *Handler) demoPayments() http.Handler {
	if h.opts.Payments.DemoHandler == nil {
		return http.HandlerFunc(h.notFound)
	}
	return http.StripPrefix("/payments/demo", h.opts.Payments.DemoHandler)
}

// uploadView is an upload as the page sees it.
type uploadView struct {
	ID         string           `json:"id"`
	State      string           `json:"state"`
	ReportType string           `json:"report_type"`
	Price      int64            `json:"price"`
	CreditUsed int64            `json:"credit_used"`
	AmountDue  int64            `json:"amount_due"`
	PriceText  string           `json:"price_text"`
	CreditText string           `json:"credit_text"`
	DueText    string           `json:"amount_due_text"`
	Failure    string           `json:"failure,omitempty"`
	Studies    []uploadStudyRef `json:"studies"`
	Checkout   map[string]any   `json:"checkout,omitempty"`
}

type uploadStudyRef struct {
	UID     string `json:"uid"`
	Files   int64  `json:"files"`
	Stored  int64  `json:"stored"`
	Replace bool   `json:"replace"`
}

func uploadViewOf(u store.Upload) uploadView {
	v := uploadView{ID: u.ID, State: string(u.State), ReportType: u.ReportType, Price: u.Price, CreditUsed: u.CreditUsed,
		AmountDue: u.AmountDue, PriceText: rupees(u.Price), CreditText: rupees(u.CreditUsed), DueText: rupees(u.AmountDue),
		Failure: u.Failure, Studies: []uploadStudyRef{}}
	for _, s := range u.Studies {
		v.Studies = append(v.Studies, uploadStudyRef{UID: s.StudyUID, Files: s.Files, Stored: s.Stored, Replace: s.Replace})
	}
	return v
}
