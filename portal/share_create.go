package portal

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pacslite/pacslite/portal/account"
	"github.com/pacslite/pacslite/portal/archive"
	"github.com/pacslite/pacslite/portal/store"
)

// shareCreatedData is the page that shows a new share once: its link,
// its code and the buttons that hand it to an app.
type shareCreatedData struct {
	Study       archive.Study
	Share       store.Share
	Link        string
	Code        string
	CodePage    string
	HasPassword bool
	Email       template.URL
	WhatsApp    template.URL
	SMS         template.URL
}

// shareCreate makes a share of a study: validity, optional password,
// download permission, report inclusion.
func (h *Handler) shareCreate(w http.ResponseWriter, r *http.Request) {
	uid := r.PathValue("uid")
	study, _, ok := h.visibleStudy(w, r, uid, "study.denied")
	if !ok {
		return
	}
	v := visitorOf(r)
	hours, _ := strconv.Atoi(r.PostFormValue("hours"))
	label := strings.TrimSpace(r.PostFormValue("label"))
	password := r.PostFormValue("password")
	d := shareNewData{Hours: hours, Label: label}
	if hours < 1 || hours > h.sharing.opts.MaxShareDays*24 {
		d.Errors = append(d.Errors, fmt.Sprintf("Choose a validity between 1 hour and %d days.", h.sharing.opts.MaxShareDays))
	}
	if utf8.RuneCountInString(label) > 80 {
		d.Errors = append(d.Errors, "Keep the name of the recipient under 80 characters.")
	}
	if password != "" && (utf8.RuneCountInString(password) < 4 || len(password) > 128) {
		d.Errors = append(d.Errors, "A share password needs 4 to 128 characters.")
	}
	allowDownload := r.PostFormValue("download") == "1"
	if allowDownload {
		if ok, err := h.downloadsAllowed(r.Context(), uid); err != nil {
			h.serverError(w, r, err)
			return
		} else if !ok {
			d.Errors = append(d.Errors, "Downloads of originals are turned off for this study's organisation.")
		}
	}
	if len(d.Errors) > 0 {
		h.showShareForm(w, r, http.StatusUnprocessableEntity, d)
		return
	}
	n := store.NewShare{StudyUID: uid, OwnerID: v.user.ID, Label: label, AllowDownload: allowDownload,
		IncludeReport: r.PostFormValue("report") == "1", ExpiresAt: h.now().Add(time.Duration(hours) * time.Hour)}
	if password != "" {
		hash, err := h.hasher.Hash(r.Context(), password)
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		n.PasswordHash = hash
	}
	var token, code string
	var s store.Share
	var err error
	for range 3 { // a collision of 256-bit tokens or 50-bit codes: draw again
		token, code = account.NewSecret(), newShareCode()
		n.TokenHash, n.CodeHash = shareKeyHash(token), shareKeyHash(code)
		if s, err = h.db.CreateShare(r.Context(), n); !errors.Is(err, store.ErrConflict) {
			break
		}
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.auditUser(r, "share.create", uid, fmt.Sprintf("%s valid:%dh password:%t download:%t report:%t",
		shareActor(s), hours, password != "", s.AllowDownload, s.IncludeReport), http.StatusOK)
	site := h.siteURL(r)
	cd := shareCreatedData{Study: study, Share: s, Link: site + "/s/" + token, Code: code, CodePage: site + "/s", HasPassword: password != ""}
	text := fmt.Sprintf("I am sharing my medical images (%s) with you: %s\nValid until %s. Or open %s and enter the code %s.",
		studyTitle(study), cd.Link, s.ExpiresAt.Format("2 Jan 2006, 15:04"), cd.CodePage, code)
	if cd.HasPassword {
		text += "\nI will tell you the password separately."
	}
	esc := func(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }
	cd.Email = template.URL("mailto:?subject=" + esc("Medical images shared with you") + "&body=" + esc(text))
	cd.WhatsApp = template.URL("https://wa.me/?text=" + esc(text))
	cd.SMS = template.URL("sms:?&body=" + esc(text))
	h.render(w, r, http.StatusOK, "share_created", "Share created", cd)
}

// studyTitle names a study in messages: its description, else modality.
func studyTitle(s archive.Study) string {
	t := s.Description
	if t == "" {
		t = strings.Join(s.Modalities, "/") + " study"
	}
	if !s.Date.IsZero() {
		t += ", " + s.Date.Format("2 Jan 2006")
	}
	return t
}
