package portal

import (
	"net/http"
	"time"

	"github.com/pacslite/pacslite/portal/store"
)

// studySharing is what the study page shows of sharing, downloads,
// activity, family and retention.
type studySharing struct {
	CanDownload  bool
	ActiveShares int
	DeleteAt     time.Time // zero: kept
	Kept         bool
	IsAdmin      bool
	Members      []string // the family members the study is matched to
}

// studySharingOf gathers the study page's sharing panel; a failure only
// leaves the panel short (the page is still useful), and is logged.
func (h *Handler) studySharingOf(r *http.Request, uid string) studySharing {
	ctx := r.Context()
	v := visitorOf(r)
	s := studySharing{IsAdmin: v.user.Role == store.RoleAdmin}
	log := func(err error) {
		if err != nil {
			h.logger(ctx).Warn().Err(err).Str("study_uid", uid).Msg("study sharing panel")
		}
	}
	var err error
	s.CanDownload, err = h.downloadsAllowed(ctx, uid)
	log(err)
	f := store.ShareFilter{StudyUID: uid, ActiveOnly: true}
	if !s.IsAdmin {
		f.OwnerID = v.user.ID
	}
	shares, err := h.db.Shares(ctx, f)
	log(err)
	s.ActiveShares = len(shares)
	row, err := h.db.RetentionRowOf(ctx, uid)
	if err == nil {
		s.Kept = row.Kept
		s.DeleteAt, err = h.retentionDeadline(ctx, row)
	}
	if err != nil && !isNotFound(err) {
		log(err)
	}
	if v.user.Role == store.RolePatient {
		ms, err := h.db.StudyMembers(ctx, uid)
		log(err)
		for _, m := range ms {
			if m.HolderID == v.user.ID && m.Relationship != store.RelSelf {
				s.Members = append(s.Members, m.Name)
			}
		}
	}
	return s
}
