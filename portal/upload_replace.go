package portal

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/pacslite/pacslite/portal/archive"
)

// pruneReplaced deletes from a replaced study the instances the new
// upload did not bring. It runs only once the upload is complete, so a
// failure mid-way never loses the old study.
func (h *Handler) pruneReplaced(ctx context.Context, uploadID, studyUID string) error {
	sops, err := h.db.UploadInstances(ctx, uploadID)
	if err != nil {
		return err
	}
	keep := make(map[string]bool, len(sops))
	for _, s := range sops {
		keep[s] = true
	}
	series, err := h.archive.Series(ctx, studyUID) // no Access in ctx: the whole archive
	if err != nil {
		if err == archive.ErrNotFound {
			return nil
		}
		return fmt.Errorf("portal: replace study: %w", err)
	}
	for _, se := range series {
		insts, err := h.archive.Instances(ctx, studyUID, se.UID)
		if err != nil && err != archive.ErrNotFound {
			return fmt.Errorf("portal: replace study: %w", err)
		}
		for _, in := range insts {
			if keep[in.UID] {
				continue
			}
			path := h.opts.DICOMwebPrefix + "/studies/" + url.PathEscape(studyUID) + "/series/" + url.PathEscape(se.UID) +
				"/instances/" + url.PathEscape(in.UID)
			if err := h.deleteInProcess(ctx, path); err != nil {
				return err
			}
		}
	}
	return nil
}

// deleteInProcess sends a DICOMweb DELETE to the archive's own handler,
// with full rights.
func (h *Handler) deleteInProcess(ctx context.Context, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, path, nil)
	if err != nil {
		return fmt.Errorf("portal: delete %s: %w", path, err)
	}
	req.RemoteAddr = "127.0.0.1:0"
	w := &statusOnly{header: http.Header{}}
	h.opts.DICOMweb.ServeHTTP(w, req)
	if w.status >= 300 && w.status != http.StatusNotFound {
		return fmt.Errorf("portal: delete %s: archive answered %d", path, w.status)
	}
	return nil
}

// statusOnly is a response writer that keeps the status and drops the body.
type statusOnly struct {
	header http.Header
	status int
}

func (s *statusOnly) Header() http.Header { return s.header }

func (s *statusOnly) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
}

func (s *statusOnly) Write(p []byte) (int, error) {
	s.WriteHeader(http.StatusOK)
	return len(p), nil
}
