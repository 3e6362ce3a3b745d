package portal

import "context"

// downloadsAllowed reports whether originals of a study may be downloaded:
// not when downloads are off for the server or for the study's
// organisation.
func (h *Handler) downloadsAllowed(ctx context.Context, uid string) (bool, error) {
	if h.sharing.opts.DownloadsOff {
		return false, nil
	}
	o, ok, err := h.organisationOf(ctx, uid)
	if err != nil {
		return false, err
	}
	return !ok || o.Downloads, nil
}
