package portal

import (
	"errors"
	"net/http"
)

// shareCodeData is the page where a recipient types a share's code.
type shareCodeData struct {
	Code  string
	Error string
}

// shareCodeShow asks for the code of a share, read out over the phone.
func (h *Handler) shareCodeShow(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "share_code", "Open shared images", shareCodeData{})
}

// shareCodeOpen sends a valid code to its share; misses count against the
// address like unknown links.
func (h *Handler) shareCodeOpen(w http.ResponseWriter, r *http.Request) {
	typed := r.PostFormValue("code")
	code, ok := normalizeCode(typed)
	if !ok {
		h.render(w, r, http.StatusUnprocessableEntity, "share_code", "Open shared images",
			shareCodeData{Code: typed, Error: "A code has 10 letters and digits, like 7KQ2M-X9D4T."})
		return
	}
	if _, err := h.shareByKey(r, code); errors.Is(err, errNoShare) {
		h.render(w, r, http.StatusNotFound, "share_code", "Open shared images",
			shareCodeData{Code: typed, Error: "No shared images match this code. Check it with the person who shared it."})
		return
	} else if err != nil {
		h.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/s/"+formatCode(code), http.StatusSeeOther)
}
