package dicomweb

import (
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the Prometheus series the DICOMweb surface exports.
type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	ingested prometheus.Counter
	served   *prometheus.CounterVec
	stored   *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pacslite_dicomweb_requests_total",
			Help: "DICOMweb requests by service (stow, qido, wado, metadata, bulk, delete) and HTTP status.",
		}, []string{"service", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "pacslite_dicomweb_request_duration_seconds",
			Help:    "DICOMweb request latency by service, until the last byte is written.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"service"}),
		ingested: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "pacslite_dicomweb_ingested_bytes_total",
			Help: "Bytes of DICOM instances received over STOW-RS and stored.",
		}),
		served: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pacslite_dicomweb_served_bytes_total",
			Help: "Response body bytes written, by service.",
		}, []string{"service"}),
		stored: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pacslite_dicomweb_stow_instances_total",
			Help: "Instances processed by STOW-RS, by outcome (stored, unchanged, failed).",
		}, []string{"outcome"}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.requests, m.latency, m.ingested, m.served, m.stored} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// instrument wraps one route's handler with the service's metrics.
func (m *metrics) instrument(service string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		cw := &countingWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(cw, r)
		m.requests.WithLabelValues(service, strconv.Itoa(cw.status)).Inc()
		m.latency.WithLabelValues(service).Observe(time.Since(start).Seconds())
		m.served.WithLabelValues(service).Add(float64(cw.n))
	})
}

// countingWriter records the status and body size. Unwrap lets
// http.ResponseController reach the underlying writer's Flush and deadlines.
type countingWriter struct {
	http.ResponseWriter
	status      int
	n           int64
	wroteHeader bool
}

func (c *countingWriter) WriteHeader(code int) {
	if !c.wroteHeader {
		c.status, c.wroteHeader = code, true
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.wroteHeader = true
	n, err := c.ResponseWriter.Write(p)
	c.n += int64(n)
	return n, err
}

func (c *countingWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// ReadFrom keeps the server's sendfile path open: io.Copy from a file to
// the response reaches net/http's own ReadFrom through this wrapper.
func (c *countingWriter) ReadFrom(r io.Reader) (int64, error) {
	c.wroteHeader = true
	n, err := io.Copy(c.ResponseWriter, r)
	c.n += n
	return n, err
}

func (c *countingWriter) Flush() {
	if f, ok := c.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
