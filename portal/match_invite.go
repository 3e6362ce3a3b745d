package portal

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pacslite/pacslite/portal/account"
	"github.com/pacslite/pacslite/portal/archive"
	"github.com/pacslite/pacslite/portal/store"
)

// invitationValidity is how long an activation link works.
const invitationValidity = 30 * 24 * time.Hour

// noMatch records that a hospital study fits nobody and, when invitations
// are on, invites its patient to activate an account (as a clinic does
// after a scan): by SMS to the study's phone number and by email to the
// address in its Patient's Telecom Information, whichever it has. Minors
// are not invited: their guardian adds them as a family member.
func (h *Handler) noMatch(ctx context.Context, id store.StudyIdentity) error {
	state := store.MatchUnmatched
	defer func() { h.db.SetMatchState(ctx, id.StudyUID, state) }()
	if !h.sharing.opts.Invitations || (id.Phone == "" && id.Email == "") || id.PatientID == "" {
		return nil
	}
	if isMinor(id.BirthDate, h.now()) {
		h.audit(ctx, store.Event{Actor: "system", Role: "system", Action: "invitation.skipped", StudyUID: id.StudyUID, Detail: "minor"})
		return nil
	}
	phone, err := account.NormalizePhone(id.Phone)
	if err != nil {
		phone = ""
	}
	email, err := account.NormalizeEmail(id.Email)
	if err != nil {
		email = ""
	}
	if phone == "" && email == "" {
		return nil
	}
	token := account.NewSecret()
	inv, err := h.db.CreateInvitation(ctx, account.HashSecret(token), store.Invitation{PatientID: id.PatientID, Issuer: id.Issuer,
		Name: id.Name, BirthDate: id.BirthDate, Phone: phone, StudyUID: id.StudyUID, ExpiresAt: h.now().Add(invitationValidity)})
	if errors.Is(err, store.ErrConflict) {
		state = store.MatchInvited // the patient has an invitation already
		return nil
	}
	if err != nil {
		return err
	}
	var channels []string
	for _, n := range h.invitationMessages(id, phone, email, token) {
		if err := h.notify(ctx, n); err != nil {
			return err
		}
		channels = append(channels, n.Channel)
	}
	h.audit(ctx, store.Event{Actor: "system", Role: "system", Action: "invitation.create", StudyUID: id.StudyUID,
		Detail: fmt.Sprintf("invitation:%d %s", inv.ID, strings.Join(channels, ","))})
	state = store.MatchInvited
	return nil
}

// invitationMessages are the activation SMS and email of an invitation
// (the FAQ's "activation SMS/email"): the account was made for the patient
// at the scan; the link activates it.
func (h *Handler) invitationMessages(id store.StudyIdentity, phone, email, token string) []store.Notification {
	from := h.opts.SiteName
	if id.Institution != "" {
		from = id.Institution
	}
	link := h.sharing.opts.SiteURL + "/invite/" + token
	var out []store.Notification
	if phone != "" {
		out = append(out, store.Notification{Channel: "sms", Recipient: phone, Kind: "invitation", StudyUID: id.StudyUID,
			Body: fmt.Sprintf("%s: your imaging results are ready. Activate your patient account to see them: %s (valid 30 days).", from, link)})
	}
	if email != "" {
		when := ""
		if t, err := time.Parse("20060102", id.StudyDate); err == nil {
			when = " on " + t.Format("2 January 2006")
		}
		body := fmt.Sprintf("Hello,\n\nA patient account was created for you when you had your scan at %s%s. "+
			"Your images, and your report when it is ready, are waiting in it.\n\n"+
			"Activate your account to see them (the link works for 30 days):\n%s\n\n"+
			"You choose your own password there; nobody will ask you for it. "+
			"If you did not have a scan at %s, ignore this email.\n\n%s\n", from, when, link, from, h.opts.SiteName)
		out = append(out, store.Notification{Channel: "email", Recipient: email, Kind: "invitation", StudyUID: id.StudyUID,
			Subject: "Activate your patient account: your imaging results are ready", Body: body})
	}
	return out
}

// isMinor reports whether a birth date (YYYYMMDD) is less than 18 years
// before now; an unknown date is not a minor's.
func isMinor(birth string, now time.Time) bool {
	b, err := time.Parse("20060102", birth)
	return err == nil && now.Before(b.AddDate(18, 0, 0))
}

// studyArrived reads and matches a study that was just stored. Hospital
// systems' studies are matched; patients' uploads only read (for their
// organisation's settings).
func (h *Handler) studyArrived(ctx context.Context, uid string, hospital bool) {
	id, err := h.readIdentity(ctx, uid, hospital)
	if errors.Is(err, archive.ErrNotFound) {
		// Gone from the archive: note it, so the periodic pass stops
		// trying; a study stored again under the UID is read afresh.
		err = h.db.PutStudyIdentity(context.WithoutCancel(ctx), store.StudyIdentity{StudyUID: uid, Hospital: hospital, MatchState: store.MatchUnmatched})
		if err != nil {
			h.logger(ctx).Error().Err(err).Str("study_uid", uid).Msg("match study")
		}
		return
	}
	if err == nil {
		_, err = h.matchStudy(ctx, id)
	}
	if err != nil {
		h.logger(ctx).Error().Err(err).Str("study_uid", uid).Msg("match study")
	}
}

// MatchStudies reads and matches the studies stored before the portal
// could (or whose reading failed); run it now and then.
func (h *Handler) MatchStudies(ctx context.Context) (int, error) {
	pending, err := h.db.StudiesWithoutIdentity(ctx, 500)
	if err != nil {
		return 0, err
	}
	for uid := range pending {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		row, err := h.db.RetentionRowOf(ctx, uid)
		if err != nil {
			continue
		}
		h.studyArrived(ctx, uid, row.Hospital)
	}
	return len(pending), nil
}
