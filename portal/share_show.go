package portal

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/pacslite/pacslite/dicomweb"
	"github.com/pacslite/pacslite/portal/archive"
	"github.com/pacslite/pacslite/portal/store"
)

// shareShowData is what a share's recipient sees: one study.
type shareShowData struct {
	Key         string
	Root        string // the share's DICOMweb root, /s/{key}/dicomweb
	Share       store.Share
	Study       archive.Study
	Series      []seriesCard
	OHIFURL     string
	CanDownload bool
	Report      bool
}

// shareShow is the page a share's link opens: after the password, if the
// share has one, the study's facts, its series with thumbnails, "View
// images", "Open in OHIF" and the download when allowed. Every opening is
// counted and audited.
func (h *Handler) shareShow(w http.ResponseWriter, r *http.Request) {
	s, ok := h.sharePage(w, r)
	if !ok {
		return
	}
	if err := h.db.OpenShare(r.Context(), s.ID); errors.Is(err, store.ErrGone) {
		h.shareGone(w, r, s)
		return
	} else if err != nil {
		h.serverError(w, r, err)
		return
	}
	ctx := shareContext(r.Context(), s)
	study, err := h.archive.Study(ctx, s.StudyUID)
	if errors.Is(err, archive.ErrNotFound) {
		h.shareRecord(r, s, "share.open", http.StatusGone)
		h.errorPage(w, r, http.StatusGone, "These images are no longer available",
			"The study this link shared has been removed from the archive.")
		return
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	key := r.PathValue("key")
	d := shareShowData{Key: key, Root: "/s/" + key + "/dicomweb", Share: s, Study: study}
	if d.Report, err = h.shareReportReady(r.Context(), s); err != nil {
		h.serverError(w, r, err)
		return
	}
	if d.Series, err = h.seriesCards(ctx, study.UID); err != nil {
		h.serverError(w, r, err)
		return
	}
	if s.AllowDownload {
		if d.CanDownload, err = h.downloadsAllowed(r.Context(), s.StudyUID); err != nil {
			h.serverError(w, r, err)
			return
		}
	}
	d.OHIFURL = h.shareOHIFURL(r, key, study.UID)
	h.shareRecord(r, s, "share.open", http.StatusOK)
	h.render(w, r, http.StatusOK, "share_show", "Shared images", d)
}

// shareOHIFURL opens the study in OHIF with the share's DICOMweb root, or
// is empty when no OHIF is configured. The viewer's configuration reads
// the root from the dicomweb parameter.
func (h *Handler) shareOHIFURL(r *http.Request, key, uid string) string {
	if h.opts.OHIFURL == "" {
		return ""
	}
	return h.opts.OHIFURL + "/viewer?StudyInstanceUIDs=" + url.QueryEscape(uid) +
		"&dicomweb=" + url.QueryEscape(h.siteURL(r)+"/s/"+key+"/dicomweb")
}

// shareContext is a context whose archive requests see only the share's
// study, read-only.
func shareContext(ctx context.Context, s store.Share) context.Context {
	return dicomweb.WithAccess(ctx, &dicomweb.Access{Studies: map[string]bool{s.StudyUID: true}, ReadOnly: true})
}

// sharePage finds the share of a recipient's page and checks that it
// works and that the browser gave its password; otherwise it answers
// (not found, gone, or the password form) and ok is false.
func (h *Handler) sharePage(w http.ResponseWriter, r *http.Request) (store.Share, bool) {
	s, err := h.shareByKey(r, r.PathValue("key"))
	if errors.Is(err, errNoShare) {
		h.shareNotFound(w, r)
		return s, false
	}
	if err != nil {
		h.serverError(w, r, err)
		return s, false
	}
	if s.State(h.now()) != store.ShareActive {
		h.shareGone(w, r, s)
		return s, false
	}
	unlocked, err := h.shareUnlocked(r, s)
	if err != nil {
		h.serverError(w, r, err)
		return s, false
	}
	if !unlocked {
		h.sharePasswordForm(w, r, s, http.StatusUnauthorized, "")
		return s, false
	}
	return s, true
}

// shareNotFound answers a key that names no share like any missing page.
func (h *Handler) shareNotFound(w http.ResponseWriter, r *http.Request) {
	h.errorPage(w, r, http.StatusNotFound, "Share not found",
		"No shared images match this link or code. Check it with the person who shared it; codes look like 7KQ2M-X9D4T.")
}

// shareGoneData says why a share no longer works.
type shareGoneData struct {
	State   store.ShareState
	Expired string
}

// shareGone answers a revoked, expired or locked share with a clear page,
// never the study.
func (h *Handler) shareGone(w http.ResponseWriter, r *http.Request, s store.Share) {
	st := s.State(h.now())
	h.shareRecord(r, s, "share.refused", http.StatusGone)
	h.render(w, r, http.StatusGone, "share_gone", "Share no longer available",
		shareGoneData{State: st, Expired: s.ExpiresAt.Format("2 Jan 2006, 15:04")})
}

// shareRecord audits what a share's recipient did.
func (h *Handler) shareRecord(r *http.Request, s store.Share, action string, status int) {
	h.audit(r.Context(), store.Event{Actor: shareActor(s), Role: "share", Action: action, StudyUID: s.StudyUID,
		Detail: shareActor(s), Status: status, Remote: h.clientAddr(r)})
}
