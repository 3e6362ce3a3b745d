package portal

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/pacslite/pacslite/portal/account"
	"github.com/pacslite/pacslite/portal/archive"
	"github.com/pacslite/pacslite/portal/store"
)

// inviteData is the activation page of an invitation.
type inviteData struct {
	Token  string
	Name   string
	Email  string
	Errors []string
}

// inviteShow is the page an invitation's SMS links to: choose an email
// and a password to activate the account the clinic's study is waiting in.
func (h *Handler) inviteShow(w http.ResponseWriter, r *http.Request) {
	inv, ok := h.invitationOf(w, r)
	if !ok {
		return
	}
	h.render(w, r, http.StatusOK, "invite", "Activate your account", inviteData{Token: r.PathValue("token"), Name: archive.FormatName(inv.Name)})
}

func (h *Handler) invitationOf(w http.ResponseWriter, r *http.Request) (store.Invitation, bool) {
	remote := h.clientAddr(r)
	if ok, _ := h.sharing.guess.Allow(remote); !ok {
		h.notFound(w, r)
		return store.Invitation{}, false
	}
	inv, err := h.db.InvitationByTokenHash(r.Context(), account.HashSecret(r.PathValue("token")))
	if errors.Is(err, store.ErrNotFound) {
		h.sharing.guess.Add(remote)
		h.notFound(w, r)
		return inv, false
	}
	if err != nil {
		h.serverError(w, r, err)
		return inv, false
	}
	if !inv.AcceptedAt.IsZero() || !h.now().Before(inv.ExpiresAt) {
		h.errorPage(w, r, http.StatusGone, "This activation link no longer works",
			"It was used already or it expired. Log in if you activated your account; otherwise contact support.")
		return inv, false
	}
	return inv, true
}

// inviteAccept creates the account, its holder (with the study's name,
// birth date, phone and Patient ID) and links the patient's studies.
func (h *Handler) inviteAccept(w http.ResponseWriter, r *http.Request) {
	inv, ok := h.invitationOf(w, r)
	if !ok {
		return
	}
	d := inviteData{Token: r.PathValue("token"), Name: strings.TrimSpace(r.PostFormValue("name")), Email: strings.TrimSpace(r.PostFormValue("email"))}
	email, emailErr := account.NormalizeEmail(d.Email)
	password := r.PostFormValue("password")
	for _, err := range []error{nonEmpty(d.Name, "Enter your name."), emailErr, account.CheckPolicy(password),
		same(password, r.PostFormValue("confirm"), "The two passwords differ.")} {
		if err != nil {
			d.Errors = append(d.Errors, err.Error())
		}
	}
	if len(d.Errors) > 0 {
		h.render(w, r, http.StatusUnprocessableEntity, "invite", "Activate your account", d)
		return
	}
	hash, err := h.hasher.Hash(r.Context(), password)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	u, err := h.db.CreateUser(r.Context(), store.NewUser{Email: email, Phone: inv.Phone, Name: d.Name, Role: store.RolePatient, PasswordHash: hash})
	if errors.Is(err, store.ErrConflict) {
		d.Errors = []string{"An account with this email or phone number exists already. Log in, then find your studies under Members."}
		h.render(w, r, http.StatusUnprocessableEntity, "invite", "Activate your account", d)
		return
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if err := h.db.AcceptInvitation(r.Context(), inv.ID, u.ID); err != nil {
		h.serverError(w, r, err)
		return
	}
	actor := fmt.Sprintf("user:%d", u.ID)
	self, err := h.db.SaveMember(r.Context(), store.Member{HolderID: u.ID, Name: d.Name, BirthDate: inv.BirthDate,
		PhoneKey: phoneKey(inv.Phone), Relationship: store.RelSelf, Consent: true})
	if err == nil {
		_, err = h.linkPatientStudies(r.Context(), self, inv.PatientID, inv.Issuer, "invitation", actor, string(store.RolePatient))
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if _, err := h.startSession(w, r, u); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.audit(r.Context(), store.Event{Actor: actor, Role: string(u.Role), Action: "invitation.accept", StudyUID: inv.StudyUID,
		Detail: fmt.Sprintf("invitation:%d", inv.ID), Remote: h.clientAddr(r)})
	http.Redirect(w, r, "/studies?welcome=1", http.StatusSeeOther)
}
