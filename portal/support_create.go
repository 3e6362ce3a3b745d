package portal

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/pacslite/pacslite/portal/account"
	"github.com/pacslite/pacslite/portal/store"
)

// supportCreate stores a call-back request; requests are limited per
// address.
func (h *Handler) supportCreate(w http.ResponseWriter, r *http.Request) {
	d := supportData{
		Name:      strings.TrimSpace(r.PostFormValue("name")),
		Phone:     strings.TrimSpace(r.PostFormValue("phone")),
		Issue:     strings.TrimSpace(r.PostFormValue("issue")),
		Preferred: r.PostFormValue("preferred"),
		Times:     callbackTimes,
	}
	remote := h.clientAddr(r)
	if ok, wait := h.limits.support.Allow(remote); !ok {
		d.Errors = []string{fmt.Sprintf("We have received several requests from this network. Try again in %s, or call us.", minutes(wait))}
		h.render(w, r, http.StatusTooManyRequests, "support", "Support", d)
		return
	}
	phone, err := account.NormalizePhone(d.Phone)
	if err == nil && phone == "" {
		err = errors.New("Enter a phone number we can call you back on.")
	}
	for _, e := range []error{
		nonEmpty(d.Name, "Enter your name."), err, nonEmpty(d.Issue, "Tell us briefly what the problem is."),
	} {
		if e != nil {
			d.Errors = append(d.Errors, e.Error())
		}
	}
	if utf8.RuneCountInString(d.Issue) > 2000 || utf8.RuneCountInString(d.Name) > 200 {
		d.Errors = append(d.Errors, "Please keep the description under 2000 characters.")
	}
	if !slices.Contains(callbackTimes, d.Preferred) {
		d.Preferred = callbackTimes[0]
	}
	if len(d.Errors) > 0 {
		h.render(w, r, http.StatusUnprocessableEntity, "support", "Support", d)
		return
	}
	req := store.SupportRequest{Name: d.Name, Phone: phone, Issue: d.Issue, PreferredTime: d.Preferred}
	actor, role := anonymous.actor, anonymous.role
	if v := visitorOf(r); v.user != nil {
		req.UserID = v.user.ID
		p := userPrincipal(v.user, v.session)
		actor, role = p.actor, p.role
	}
	id, err := h.db.CreateSupportRequest(r.Context(), req)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.limits.support.Add(remote)
	h.audit(r.Context(), store.Event{Actor: actor, Role: role, Action: "support.request", Detail: fmt.Sprintf("support:%d", id),
		Status: http.StatusSeeOther, Remote: remote})
	http.Redirect(w, r, "/support?sent=1", http.StatusSeeOther)
}
