package portal

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"unicode"

	"github.com/pacslite/pacslite/dicomweb"
	"github.com/pacslite/pacslite/portal/account"
	"github.com/pacslite/pacslite/portal/archive"
	"github.com/pacslite/pacslite/portal/store"
)

// identityFields are the attributes matching reads from a study's first
// instance: name, IDs with issuer, other IDs, birth date, phones, telecom
// information (emails), accession, date, institution, description.
const identityFields = "00100010,00100020,00100021,00100030,00101000,00101002,00102154,00102155,00080050,00080020,00080080,00081030"

// fullAccess is a context that reads the whole archive: for the portal's
// own background work (matching, retention), never for a visitor.
func fullAccess(ctx context.Context) context.Context {
	return dicomweb.WithAccess(context.WithoutCancel(ctx), &dicomweb.Access{CanDelete: true})
}

// readIdentity reads what matching needs of a study and stores it.
func (h *Handler) readIdentity(ctx context.Context, uid string, hospital bool) (store.StudyIdentity, error) {
	o, err := h.archive.FirstInstance(fullAccess(ctx), uid, identityFields)
	if err != nil {
		return store.StudyIdentity{}, err
	}
	id := store.StudyIdentity{
		StudyUID: uid, PatientID: strings.TrimSpace(o.String(0x00100020)), Issuer: strings.TrimSpace(o.String(0x00100021)),
		BirthDate: strings.TrimSpace(o.String(0x00100030)), Name: strings.TrimSpace(o.String(0x00100010)),
		Accession: strings.TrimSpace(o.String(0x00080050)), StudyDate: strings.TrimSpace(o.String(0x00080020)),
		Institution: strings.TrimSpace(o.String(0x00080080)), Description: strings.TrimSpace(o.String(0x00081030)),
		Hospital: hospital,
	}
	seen := map[string]bool{}
	addID := func(s string) {
		if n := normalizeID(s); n != "" && !seen[n] {
			seen[n] = true
			id.OtherIDs = append(id.OtherIDs, n)
		}
	}
	if a, ok := o.Get(0x00101000); ok {
		for _, s := range a.Strings() {
			addID(s)
		}
	}
	if a, ok := o.Get(0x00101002); ok {
		for _, item := range a.Items() {
			addID(item.String(0x00100020))
		}
	}
	if a, ok := o.Get(0x00102154); ok {
		for _, s := range a.Strings() {
			if k := phoneKey(s); k != "" {
				id.Phones = append(id.Phones, k)
				if id.Phone == "" {
					id.Phone = s
				}
			}
		}
	}
	// Patient's Telecom Information (LT) is free text: phone numbers,
	// email addresses, one per line or separated by spaces.
	if a, ok := o.Get(0x00102155); ok {
		for _, s := range a.Strings() {
			if id.Email == "" {
				id.Email = firstEmail(s)
			}
		}
	}
	if !hospital {
		id.MatchState = store.MatchUpload
	}
	if err := h.db.PutStudyIdentity(context.WithoutCancel(ctx), id); err != nil {
		return store.StudyIdentity{}, err
	}
	stored, err := h.db.StudyIdentityOf(context.WithoutCancel(ctx), uid)
	stored.Phone, stored.Email = id.Phone, id.Email
	return stored, err
}

// studyIdentity returns what was read of a study, reading it now if it
// was not yet.
func (h *Handler) studyIdentity(ctx context.Context, uid string) (store.StudyIdentity, error) {
	id, err := h.db.StudyIdentityOf(ctx, uid)
	if !errors.Is(err, store.ErrNotFound) {
		return id, err
	}
	row, err := h.db.RetentionRowOf(ctx, uid)
	hospital := true
	if err == nil {
		hospital = row.Hospital
	} else if !errors.Is(err, store.ErrNotFound) {
		return store.StudyIdentity{}, err
	}
	return h.readIdentity(ctx, uid, hospital)
}

// organisationOf returns the settings of a study's organisation; ok is
// false when it has none.
func (h *Handler) organisationOf(ctx context.Context, uid string) (store.Organisation, bool, error) {
	id, err := h.studyIdentity(ctx, uid)
	if errors.Is(err, archive.ErrNotFound) || (err == nil && id.Institution == "") {
		return store.Organisation{}, false, nil
	}
	if err != nil {
		return store.Organisation{}, false, err
	}
	o, err := h.db.OrganisationByName(ctx, id.Institution)
	if errors.Is(err, store.ErrNotFound) {
		return store.Organisation{}, false, nil
	}
	return o, err == nil, err
}

// normalizeID is how ID numbers compare: letters and digits, upper case.
func normalizeID(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToUpper(r)
		}
		return -1
	}, s)
}

// phoneKey is how phone numbers compare: their last ten digits, so that
// "+91 98765 43210" and "098765 43210" agree; "" for too short a number.
func phoneKey(s string) string {
	d := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
	if len(d) < 7 {
		return ""
	}
	return d[max(0, len(d)-10):]
}

var emailLike = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`)

// firstEmail returns the first valid email address in free text, or "".
func firstEmail(text string) string {
	for _, m := range emailLike.FindAllString(text, -1) {
		if e, err := account.NormalizeEmail(m); err == nil {
			return e
		}
	}
	return ""
}
