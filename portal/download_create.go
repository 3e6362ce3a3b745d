package portal

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"time"

	"github.com/pacslite/pacslite/portal/account"
	"github.com/pacslite/pacslite/portal/store"
)

// downloadValidity is how long a download link works.
const downloadValidity = 30 * time.Minute

// downloadCreate starts a download of a study's originals: a link valid
// 30 minutes and a 6-digit security code sent to the account's email and
// phone through the outbox.
func (h *Handler) downloadCreate(w http.ResponseWriter, r *http.Request) {
	uid := r.PathValue("uid")
	if _, _, ok := h.visibleStudy(w, r, uid, "study.denied"); !ok {
		return
	}
	v := visitorOf(r)
	allowed, err := h.downloadsAllowed(r.Context(), uid)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if !allowed {
		h.auditUser(r, "download.denied", uid, "downloads off", http.StatusForbidden)
		h.errorPage(w, r, http.StatusForbidden, "Downloads are turned off",
			"The organisation this study comes from does not allow downloads of the original files. You can still view the images here.")
		return
	}
	key := "user:" + fmt.Sprint(v.user.ID)
	if ok, _ := h.sharing.codes.Allow(key); !ok {
		h.errorPage(w, r, http.StatusTooManyRequests, "Too many codes",
			"We have sent you several security codes in the last hour. Use the last one, or try again later.")
		return
	}
	h.sharing.codes.Add(key)
	token, code := account.NewSecret(), newDigitCode()
	var sentTo []string
	if v.user.Email != "" {
		sentTo = append(sentTo, maskEmail(v.user.Email))
	}
	if v.user.Phone != "" {
		sentTo = append(sentTo, maskPhone(v.user.Phone))
	}
	d, err := h.db.CreateDownload(r.Context(), store.NewDownload{TokenHash: account.HashSecret(token), CodeHash: downloadCodeHash(token, code),
		UserID: v.user.ID, StudyUID: uid, SentTo: strings.Join(sentTo, " and "), ExpiresAt: h.now().Add(downloadValidity)})
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	text := fmt.Sprintf("%s: your security code to download your images is %s. It is valid for 30 minutes. Never share it.", h.opts.SiteName, code)
	for _, n := range []store.Notification{
		{Channel: "email", Recipient: v.user.Email, Subject: "Your download security code", Body: text},
		{Channel: "sms", Recipient: v.user.Phone, Body: text},
	} {
		if n.Recipient == "" {
			continue
		}
		n.Kind, n.StudyUID = "download.code", uid
		if err := h.notify(r.Context(), n); err != nil {
			h.serverError(w, r, err)
			return
		}
	}
	h.auditUser(r, "download.code_sent", uid, fmt.Sprintf("download:%d", d.ID), http.StatusOK)
	http.Redirect(w, r, "/downloads/"+token, http.StatusSeeOther)
}

// newDigitCode returns a 6-digit security code.
func newDigitCode() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(1_000_000))
	return fmt.Sprintf("%06d", n.Int64())
}

// downloadCodeHash binds a code to its link, so that equal codes of two
// links have different hashes.
func downloadCodeHash(token, code string) string {
	return account.HashSecret("download:" + token + ":" + code)
}

// maskEmail shows enough of an address to recognise it: j•••@example.org.
func maskEmail(e string) string {
	local, domain, ok := strings.Cut(e, "@")
	if !ok || local == "" {
		return "your email"
	}
	return local[:1] + "•••@" + domain
}

// maskPhone shows the last four digits of a number.
func maskPhone(p string) string {
	if len(p) < 4 {
		return "your phone"
	}
	return "the phone ending " + p[len(p)-4:]
}
