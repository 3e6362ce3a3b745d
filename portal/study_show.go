package portal

import (
	"net/http"
	"net/url"

	"github.com/pacslite/pacslite/portal/archive"
	"github.com/pacslite/pacslite/portal/store"
)

// seriesCard is a series on the study page, with the instance whose image
// stands for it.
type seriesCard struct {
	archive.Series
	ThumbInstance string
}

// studyShowData is what the study page shows.
type studyShowData struct {
	Row     studyRow
	Series  []seriesCard
	Links   []store.Link
	Root    string // the DICOMweb root, e.g. /dicomweb
	OHIFURL string
	IsAdmin bool
	Linked  string // notice after linking an account
	Error   string
	// Sharing: share, download, activity, family, retention (share_panel.go).
	Sharing studySharing
}

// studyShow is the study page: study information, its series with
// thumbnails, status, and the actions on the study. A study the account
// may not see is "not found", like one that does not exist.
func (h *Handler) studyShow(w http.ResponseWriter, r *http.Request) {
	h.showStudy(w, r, http.StatusOK, "")
}

func (h *Handler) showStudy(w http.ResponseWriter, r *http.Request, status int, formError string) {
	v := visitorOf(r)
	uid := r.PathValue("uid")
	study, ctx, ok := h.visibleStudy(w, r, uid, "study.view")
	if !ok {
		return
	}
	rows, err := h.studyRows(ctx, []archive.Study{study})
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	cards, err := h.seriesCards(ctx, uid)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	d := studyShowData{Row: rows[0], Series: cards, Root: h.opts.DICOMwebPrefix, IsAdmin: v.user.Role == store.RoleAdmin,
		Linked: r.URL.Query().Get("linked"), Error: formError}
	if h.opts.OHIFURL != "" {
		d.OHIFURL = h.opts.OHIFURL + "/viewer?StudyInstanceUIDs=" + url.QueryEscape(uid)
	}
	if d.IsAdmin {
		if d.Links, err = h.db.StudyLinks(r.Context(), uid); err != nil {
			h.serverError(w, r, err)
			return
		}
	}
	h.audit(r.Context(), store.Event{Actor: userPrincipal(v.user, v.session).actor, Role: string(v.user.Role),
		Action: "study.view", StudyUID: uid, Status: status, Remote: h.clientAddr(r)})
	d.Sharing = h.studySharingOf(r, uid)
	h.render(w, r, status, "study", "Study", d)
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
