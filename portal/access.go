package portal

import (
	"context"
	"fmt"
	"strconv"
	"sync"

	"github.com/pacslite/pacslite/dicomweb"
	"github.com/pacslite/pacslite/portal/store"
)

// The scopes of API clients.
const (
	ScopeRead   = "dicomweb:read"   // QIDO-RS, WADO-RS
	ScopeWrite  = "dicomweb:write"  // STOW-RS
	ScopeDelete = "dicomweb:delete" // DELETE of studies, series, instances
)

// Scopes are all the scopes, in the order forms show them.
var Scopes = []string{ScopeRead, ScopeWrite, ScopeDelete}

// principal is who sent a request: an account (through its session), an
// API client, or nobody.
type principal struct {
	actor   string // as in the audit trail: "user:12", "client:3", "anonymous"
	role    string // patient, radiologist, admin, client, anonymous
	user    *store.User
	session *store.Session
	client  *store.Client
}

func userPrincipal(u *store.User, s *store.Session) principal {
	return principal{actor: "user:" + strconv.FormatInt(u.ID, 10), role: string(u.Role), user: u, session: s}
}

func clientPrincipal(c *store.Client) principal {
	return principal{actor: "client:" + strconv.FormatInt(c.ID, 10), role: "client", client: c}
}

var anonymous = principal{actor: "anonymous", role: "anonymous"}

// accessFor decides what a principal may do in the archive, the same for
// portal pages and DICOMweb requests:
//   - a patient reads the studies linked to the account and may store new
//     studies, which become linked to it; never delete;
//   - a radiologist reads everything and changes nothing;
//   - an admin may do everything;
//   - an API client reads everything with dicomweb:read, stores with
//     dicomweb:write, deletes with dicomweb:delete (the guard refuses
//     requests outside the scopes before they get here);
//   - anonymous (only when enabled) may do everything.
//
// Every study stored is recorded (upload time, by whom) for the dashboard.
func (h *Handler) accessFor(ctx context.Context, p principal, remote string) (*dicomweb.Access, error) {
	a := &dicomweb.Access{}
	var linkTo int64
	switch {
	case p.user != nil && p.user.Role == store.RolePatient:
		// Linked to the account or matched to its members (family), or
		// only the member the session switched to (member_switch.go).
		studies, err := h.db.VisibleStudies(ctx, p.user.ID, sessionHash(p.session))
		if err != nil {
			return nil, fmt.Errorf("portal: access: %w", err)
		}
		a.Studies = studies
		linkTo = p.user.ID
	case p.user != nil:
		a.ReadOnly = p.user.Role != store.RoleAdmin
		a.CanDelete = p.user.Role == store.RoleAdmin
	case p.client != nil:
		a.ReadOnly = !p.client.HasScope(ScopeWrite)
		a.CanDelete = p.client.HasScope(ScopeDelete)
	default:
		a.CanDelete = true
	}
	var mu sync.Mutex
	recorded := map[string]bool{}
	a.Stored = func(ctx context.Context, studyUID, _, _ string) {
		mu.Lock()
		defer mu.Unlock()
		if recorded[studyUID] {
			return
		}
		recorded[studyUID] = true
		log := h.logger(ctx)
		// The instances are stored: record them even if the client has
		// gone, or the uploader would lose sight of the study.
		if err := h.db.RecordUpload(context.WithoutCancel(ctx), studyUID, p.actor, linkTo); err != nil {
			log.Error().Err(err).Str("study_uid", studyUID).Msg("record upload")
		}
		h.audit(ctx, store.Event{Actor: p.actor, Role: p.role, Action: "study.upload", StudyUID: studyUID, Remote: remote})
		// Read for matching (hospital pushes) and organisation settings.
		h.studyArrived(ctx, studyUID, p.role != string(store.RolePatient))
	}
	return a, nil
}

// audit appends to the audit trail; a failure is logged, not shown.
func (h *Handler) audit(ctx context.Context, e store.Event) {
	if err := h.db.Record(context.WithoutCancel(ctx), e); err != nil {
		h.logger(ctx).Error().Err(err).Str("action", e.Action).Msg("audit")
	}
}
