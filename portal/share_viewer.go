package portal

import (
	"context"
	"errors"
	"net/http"
	"sync"

	"github.com/pacslite/pacslite/portal/archive"
)

// shareViewerData is the built-in viewer for a share's recipient.
type shareViewerData struct {
	viewerData
	Key string
}

// shareViewer is the built-in viewer over the share's DICOMweb root.
func (h *Handler) shareViewer(w http.ResponseWriter, r *http.Request) {
	s, ok := h.sharePage(w, r)
	if !ok {
		return
	}
	ctx := shareContext(r.Context(), s)
	study, err := h.archive.Study(ctx, s.StudyUID)
	if errors.Is(err, archive.ErrNotFound) {
		h.notFound(w, r)
		return
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	series, err := h.archive.Series(ctx, s.StudyUID)
	if err != nil && !errors.Is(err, archive.ErrNotFound) {
		h.serverError(w, r, err)
		return
	}
	key := r.PathValue("key")
	d := shareViewerData{Key: key, viewerData: viewerData{Study: study, Series: series, Selected: r.URL.Query().Get("series"),
		Root: "/s/" + key + "/dicomweb", OHIFURL: h.shareOHIFURL(r, key, study.UID)}}
	if d.Selected == "" && len(series) > 0 {
		d.Selected = series[0].UID
	}
	h.shareRecord(r, s, "share.viewer", http.StatusOK)
	h.render(w, r, http.StatusOK, "share_viewer", "Shared images", d)
}

// seriesCards lists a study's series with the instance whose image
// stands for each (the middle one: the most telling image of a stack).
func (h *Handler) seriesCards(ctx context.Context, uid string) ([]seriesCard, error) {
	series, err := h.archive.Series(ctx, uid)
	if err != nil && !errors.Is(err, archive.ErrNotFound) {
		return nil, err
	}
	cards := make([]seriesCard, len(series))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i, s := range series {
		cards[i].Series = s
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			if inst, err := h.archive.Instances(ctx, uid, s.UID); err == nil && len(inst) > 0 {
				cards[i].ThumbInstance = inst[len(inst)/2].UID
			}
		})
	}
	wg.Wait()
	return cards, nil
}
