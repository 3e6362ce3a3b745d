package portal

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/pacslite/pacslite/portal/store"
)

// supportClose marks a call-back request done.
func (h *Handler) supportClose(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err := h.db.CloseSupportRequest(r.Context(), id); err != nil && !errors.Is(err, store.ErrNotFound) {
		h.serverError(w, r, err)
		return
	}
	h.auditUser(r, "support.close", "", "support:"+strconv.FormatInt(id, 10), http.StatusOK)
	http.Redirect(w, r, "/admin/support", http.StatusSeeOther)
}
