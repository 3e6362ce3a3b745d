package main

import (
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/pacslite/pacslite/portal"
)

// withRequestLog gives every request an id (X-Request-Id, echoed back) and
// a logger carrying it, recovers panics, and writes one access log line.
// Query strings are not logged: QIDO queries carry patient names and IDs.
func withRequestLog(log zerolog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if !saneID(id) {
			var b [8]byte
			rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-Id", id)
		l := log.With().Str("req_id", id).Logger()
		r = r.WithContext(l.WithContext(r.Context()))
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					l.Warn().Str("method", r.Method).Str("path", portal.LogPath(r.URL.Path)).Msg("response aborted")
					panic(p)
				}
				l.Error().Interface("panic", p).Str("method", r.Method).Str("path", portal.LogPath(r.URL.Path)).Msg("handler panic")
				if !sw.wrote {
					http.Error(sw, "internal error; request id "+id, http.StatusInternalServerError)
				}
				return
			}
			ev := l.Info()
			if sw.status >= 500 {
				ev = l.Error()
			}
			ev.Str("method", r.Method).Str("path", portal.LogPath(r.URL.Path)).Int("status", sw.status).
				Int64("bytes", sw.n).Float64("dur_ms", float64(time.Since(start).Microseconds())/1000).
				Str("remote", r.RemoteAddr).Msg("request")
		}()
		next.ServeHTTP(sw, r)
	})
}

func saneID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

type statusWriter struct {
	http.ResponseWriter
	status int
	n      int64
	wrote  bool
}

func (s *statusWriter) WriteHeader(code int) {
	if !s.wrote {
		s.status, s.wrote = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(p []byte) (int, error) {
	s.wrote = true
	n, err := s.ResponseWriter.Write(p)
	s.n += int64(n)
	return n, err
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// ReadFrom keeps the server's sendfile path open: io.Copy from a file to
// the response reaches net/http's own ReadFrom through this wrapper.
func (s *statusWriter) ReadFrom(r io.Reader) (int64, error) {
	s.wrote = true
	n, err := io.Copy(s.ResponseWriter, r)
	s.n += n
	return n, err
}

func (s *statusWriter) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// withPrefix sends requests under prefix straight to h, before mux sees
// them: http.ServeMux cleans paths and redirects "..%2F.." segments to
// other resources, which must instead reach the DICOMweb UID checks as
// sent.
func withPrefix(prefix string, h, mux http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, prefix) {
			h.ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(w, r)
	})
}
