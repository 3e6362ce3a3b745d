package portal

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/pacslite/pacslite/portal/archive"
	"github.com/pacslite/pacslite/portal/store"
)

// viewerData is what the viewer page needs; the script fetches metadata
// and frames from DICOMweb with the session, like any same-origin viewer.
type viewerData struct {
	Study    archive.Study
	Series   []archive.Series
	Selected string
	Root     string // the DICOMweb root, e.g. /dicomweb
	OHIFURL  string
}

// viewerShow is the built-in viewer: the series of a study, one image at a
// time, with window presets.
func (h *Handler) viewerShow(w http.ResponseWriter, r *http.Request) {
	v := visitorOf(r)
	uid := r.PathValue("uid")
	study, ctx, ok := h.visibleStudy(w, r, uid, "viewer.open")
	if !ok {
		return
	}
	series, err := h.archive.Series(ctx, uid)
	if err != nil && !errors.Is(err, archive.ErrNotFound) {
		h.serverError(w, r, err)
		return
	}
	d := viewerData{Study: study, Series: series, Selected: r.URL.Query().Get("series"), Root: h.opts.DICOMwebPrefix}
	if d.Selected == "" && len(series) > 0 {
		d.Selected = series[0].UID
	}
	if h.opts.OHIFURL != "" {
		d.OHIFURL = h.opts.OHIFURL + "/viewer?StudyInstanceUIDs=" + url.QueryEscape(uid)
	}
	h.audit(r.Context(), store.Event{Actor: userPrincipal(v.user, v.session).actor, Role: string(v.user.Role),
		Action: "viewer.open", StudyUID: uid, Status: http.StatusOK, Remote: h.clientAddr(r)})
	h.render(w, r, http.StatusOK, "viewer", "Images", d)
}
