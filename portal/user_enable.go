package portal

import "net/http"

// userEnable enables a disabled account again.
func (h *Handler) userEnable(w http.ResponseWriter, r *http.Request) {
	h.setDisabled(w, r, false)
}
