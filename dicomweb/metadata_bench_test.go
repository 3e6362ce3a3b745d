package dicomweb

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkSeriesMetadata answers WADO-RS series metadata of a series of
// 1,000 CT instances (about 10 KB of JSON each) through the handler, as
// OHIF asks for it (gzip), with the gzipped body cached from an earlier
// request ("gzip") and not ("gzip-cold"), and uncompressed ("identity").
func BenchmarkSeriesMetadata(b *testing.B) {
	h := newTestHandler(b)
	study, series := benchArchive(b, h, 1, 1, 1000)
	for _, bb := range []struct {
		name, enc string
		cold      bool
	}{
		{"gzip", "gzip", false},
		{"gzip-cold", "gzip", true},
		{"identity", "identity", false},
	} {
		b.Run(bb.name, func(b *testing.B) {
			r := httptest.NewRequest("GET", "/dicomweb/studies/"+study+"/series/"+series+"/metadata", nil)
			r.Header.Set("Accept", "application/dicom+json")
			r.Header.Set("Accept-Encoding", bb.enc)
			for b.Loop() {
				if bb.cold {
					h.metadataBodies = newBodyCache(metadataBodyCacheSize)
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != 200 {
					b.Fatalf("GET metadata = %d: %s", w.Code, w.Body)
				}
				b.SetBytes(int64(w.Body.Len()))
			}
		})
	}
}

// BenchmarkSeriesMetadataHTTP is BenchmarkSeriesMetadata over real HTTP
// (httptest.Server), where how the body is written (chunks, system calls)
// shows; the client reads the body without decompressing it.
func BenchmarkSeriesMetadataHTTP(b *testing.B) {
	h := newTestHandler(b)
	study, series := benchArchive(b, h, 1, 1, 1000)
	srv := httptest.NewServer(h)
	defer srv.Close()
	c := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	for _, bb := range []struct {
		name, enc string
		cold      bool
	}{
		{"gzip", "gzip", false},
		{"gzip-cold", "gzip", true},
		{"identity", "identity", false},
	} {
		b.Run(bb.name, func(b *testing.B) {
			for b.Loop() {
				if bb.cold {
					h.metadataBodies = newBodyCache(metadataBodyCacheSize)
				}
				req, _ := http.NewRequest("GET", srv.URL+"/dicomweb/studies/"+study+"/series/"+series+"/metadata", nil)
				req.Header.Set("Accept", "application/dicom+json")
				req.Header.Set("Accept-Encoding", bb.enc)
				resp, err := c.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				n, _ := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Fatalf("GET metadata = %d", resp.StatusCode)
				}
				b.SetBytes(n)
			}
		})
	}
}
