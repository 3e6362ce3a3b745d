package dicomweb

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/rs/zerolog"

	"github.com/pacslite/pacslite/store/index"
)

// httpError is an error with the status the client should see and a
// message safe to show it.
type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return fmt.Sprintf("%d %s", e.status, e.msg) }

// errorf builds an error the client sees as status with the formatted message.
func errorf(status int, format string, args ...any) error {
	return &httpError{status: status, msg: fmt.Sprintf(format, args...)}
}

// fail answers a request that could not be served, in the form PS3.18 8.1.2
// describes: the status code, a Warning header "299 {service}: {reason}",
// and the reason as a plain-text body. Server faults are logged once with
// the request id and shown to the client only as "internal error".
func fail(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := http.StatusInternalServerError, ""
	var he *httpError
	switch {
	case errors.As(err, &he):
		status, msg = he.status, he.msg
	case errors.Is(err, index.ErrInvalid):
		// The parser checks values first; the index's finer checks catch
		// what slips through, and the client still deserves the reason.
		status, msg = http.StatusBadRequest, strings.TrimPrefix(strings.ReplaceAll(err.Error(), "index: ", ""), "invalid value: ")
	case errors.Is(err, index.ErrNotFound):
		status, msg = http.StatusNotFound, "no such study, series or instance"
	case errors.Is(err, context.Canceled):
		// The client went away; nobody reads the answer.
		status, msg = 499, "request cancelled"
	}
	log := zerolog.Ctx(r.Context())
	if status >= 500 {
		log.Error().Err(err).Int("status", status).Msg("dicomweb request failed")
		msg = "internal error; request id " + w.Header().Get("X-Request-Id")
	} else {
		log.Debug().Err(err).Int("status", status).Msg("dicomweb request refused")
	}
	h := w.Header()
	h.Del("Content-Length")
	h.Del("ETag")
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Warning", `299 pacslite: `+strings.ReplaceAll(msg, "\n", " "))
	w.WriteHeader(status)
	fmt.Fprintln(w, msg)
}
