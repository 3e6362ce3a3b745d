package portal

import "net/http"

// errorData is what the error page shows.
type errorData struct {
	Status    int
	Heading   string
	Message   string
	RequestID string
}

// errorPage renders a friendly error page with a status.
func (h *Handler) errorPage(w http.ResponseWriter, r *http.Request, status int, heading, message string) {
	h.render(w, r, status, "error", heading, errorData{Status: status, Heading: heading, Message: message})
}

func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	h.errorPage(w, r, http.StatusNotFound, "Page not found",
		"There is nothing here, or it is not shared with your account. Check the address, or go back to your studies.")
}

// serverError logs err once, with the request id, and shows a page that
// names only the request id.
func (h *Handler) serverError(w http.ResponseWriter, r *http.Request, err error) {
	id := w.Header().Get("X-Request-Id")
	h.logger(r.Context()).Error().Err(err).Str("path", LogPath(r.URL.Path)).Msg("portal error")
	h.render(w, r, http.StatusInternalServerError, "error", "Something went wrong", errorData{
		Status: http.StatusInternalServerError, Heading: "Something went wrong",
		Message:   "We could not complete your request. Please try again in a moment; if it keeps happening, contact support and quote the reference below.",
		RequestID: id,
	})
}
