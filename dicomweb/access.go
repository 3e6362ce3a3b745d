package dicomweb

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/pacslite/pacslite/store/index"
)

// Access limits what one request may see and do. An authenticating layer
// in front of the handler (the portal, an API-token check) decides it and
// puts it in the request context with WithAccess. A request without one
// has full access: the handler itself trusts its network, and whoever
// mounts it decides who reaches it.
//
// An Access belongs to one request: STOW-RS adds the studies it stores to
// Studies, so that later parts of the same request may add to them.
type Access struct {
	// Studies, when non-nil, are the Study Instance UIDs the request may
	// read; every other study looks absent (404, or missing from search
	// results), so that their existence does not leak.
	Studies map[string]bool
	// ReadOnly refuses STOW-RS and DELETE with 403.
	ReadOnly bool
	// CanDelete allows DELETE (in addition to not being ReadOnly).
	CanDelete bool
	// Stored, when set, is told of every instance stored by the request,
	// after it is committed (e.g. to record who uploaded a study).
	Stored func(ctx context.Context, studyUID, seriesUID, sopUID string)
	// MayStore, when set, is asked before an instance of a study is
	// stored; an error refuses the instance (a STOW-RS failure, "not
	// authorized", with the error as comment). The portal limits a
	// patient's upload to the studies paid for with it.
	MayStore func(ctx context.Context, studyUID string) error
}

type accessKey struct{}

// WithAccess returns a context whose requests are limited by a.
func WithAccess(ctx context.Context, a *Access) context.Context {
	return context.WithValue(ctx, accessKey{}, a)
}

// accessOf returns the request's access; nil means unrestricted.
func accessOf(ctx context.Context) *Access {
	a, _ := ctx.Value(accessKey{}).(*Access)
	return a
}

// mayRead checks the study of a request path against the access.
func mayRead(r *http.Request, study string) error {
	a := accessOf(r.Context())
	if a == nil || a.Studies == nil || study == "" || a.Studies[study] {
		return nil
	}
	return errorf(http.StatusNotFound, "no such study, series or instance")
}

// limitSearch narrows a search to the studies the request may read; ok is
// false when it may read none.
func limitSearch(r *http.Request, q *index.Query) (ok bool) {
	a := accessOf(r.Context())
	if a == nil || a.Studies == nil {
		return true
	}
	if len(a.Studies) == 0 {
		return false
	}
	uids := make([]string, 0, len(a.Studies))
	for u := range a.Studies {
		uids = append(uids, u)
	}
	q.Filters = append(q.Filters, index.Filter{Tag: 0x0020000D, Kind: index.MatchList, Values: uids})
	return true
}

// mayStoreInto refuses, for a request limited to some studies, instances
// of an existing study outside them: storing would replace or add to
// another account's data.
func (h *Handler) mayStoreInto(ctx context.Context, study string) error {
	a := accessOf(ctx)
	if a != nil && a.MayStore != nil {
		if err := a.MayStore(ctx, study); err != nil {
			return err
		}
	}
	if a == nil || a.Studies == nil || a.Studies[study] {
		return nil
	}
	_, err := h.opts.Index.Instances(ctx, study, "", "")
	switch {
	case errors.Is(err, index.ErrNotFound):
		return nil
	case err != nil:
		return fmt.Errorf("cannot check the study: %w", err)
	}
	return errors.New("the study exists and belongs to another account")
}

// mayWrite checks STOW-RS and DELETE permissions.
func mayWrite(r *http.Request, deleting bool) error {
	a := accessOf(r.Context())
	switch {
	case a == nil:
		return nil
	case a.ReadOnly:
		return errorf(http.StatusForbidden, "this account may not change the archive")
	case deleting && !a.CanDelete:
		return errorf(http.StatusForbidden, "this account may not delete from the archive")
	}
	return nil
}
