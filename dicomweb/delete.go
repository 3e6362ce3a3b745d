package dicomweb

import (
	"net/http"

	"github.com/rs/zerolog"
)

// delete removes a study, series or instance: index rows first (so nothing
// can be found any more), then the blobs. A crash between the two leaves
// orphan blobs for the sweep, never rows without files.
func (h *Handler) delete(w http.ResponseWriter, r *http.Request) {
	scope, err := uidsFrom(r)
	if err == nil {
		err = mayWrite(r, true)
	}
	if err != nil {
		fail(w, r, err)
		return
	}
	var keys []string
	switch {
	case scope.instance != "":
		keys, err = h.opts.Index.DeleteInstance(r.Context(), scope.study, scope.series, scope.instance)
	case scope.series != "":
		keys, err = h.opts.Index.DeleteSeries(r.Context(), scope.study, scope.series)
	default:
		keys, err = h.opts.Index.DeleteStudy(r.Context(), scope.study)
	}
	if err != nil {
		fail(w, r, err)
		return
	}
	h.deleteBlobs(r.Context(), keys...)
	zerolog.Ctx(r.Context()).Info().Str("study_uid", scope.study).Str("series_uid", scope.series).
		Str("sop_uid", scope.instance).Int("instances", len(keys)).Msg("dicomweb: deleted")
	w.WriteHeader(http.StatusNoContent)
}
