package dicomweb

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkFrames fetches frame 1 of 100 stored copies of an instance in
// turn over real HTTP (httptest.Server, so the server's response writer
// and sendfile are in the path), as OHIF asks for it (multipart,
// transfer-syntax=*) and as a single part. ns/op and B/op include the
// client, which reads every byte.
func BenchmarkFrames(b *testing.B) {
	for _, bb := range []struct{ name, file, accept string }{
		{"native_512x512", "suyashkumar/5.dcm", "multipart/related; type=application/octet-stream; transfer-syntax=*"},
		{"native_512x512_single", "suyashkumar/5.dcm", "application/octet-stream"},
		{"jpeg_lossless_512x512", "crafted/pixels/CT5_jpeg_sv1_bot.dcm", "multipart/related; type=application/octet-stream; transfer-syntax=*"},
	} {
		b.Run(bb.name, func(b *testing.B) {
			h := newTestHandler(b)
			urls := storeCopies(b, h, bb.file, 100)
			srv := httptest.NewServer(h)
			defer srv.Close()
			c := srv.Client()
			n := 0
			for b.Loop() {
				req, _ := http.NewRequest("GET", srv.URL+urls[n%len(urls)]+"/frames/1", nil)
				req.Header.Set("Accept", bb.accept)
				resp, err := c.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				m, _ := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Fatalf("GET frame = %d", resp.StatusCode)
				}
				b.SetBytes(m)
				n++
			}
		})
	}
}

// storeCopies stores count copies of a test file, each with its own SOP
// Instance UID (the last three digits replaced), and returns their
// instance paths.
func storeCopies(b *testing.B, h *Handler, file string, count int) []string {
	b.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", file))
	if err != nil {
		b.Fatal(err)
	}
	uids, err := identifyBytes(data)
	if err != nil {
		b.Fatal(err)
	}
	var urls []string
	for i := range count {
		sop := fmt.Sprintf("%s%03d", uids.sop[:len(uids.sop)-3], i)
		body, ct := stowBody(part{"application/dicom", bytes.ReplaceAll(data, []byte(uids.sop), []byte(sop))})
		r := httptest.NewRequest("POST", "/dicomweb/studies", bytes.NewReader(body))
		r.Header.Set("Content-Type", ct)
		if w := serve(h, r); w.Code != 200 {
			b.Fatalf("STOW = %d: %s", w.Code, w.Body)
		}
		urls = append(urls, "/dicomweb/studies/"+uids.study+"/series/"+uids.series+"/instances/"+sop)
	}
	return urls
}

// BenchmarkPixelHeader reads and parses the pixel header of a stored
// 512x512 CT instance: what a frame request costs more when the header
// is not in the viewer's cache.
func BenchmarkPixelHeader(b *testing.B) {
	h := newTestHandler(b)
	urls := storeCopies(b, h, "suyashkumar/5.dcm", 1)
	parts := strings.Split(urls[0], "/")
	refs, err := h.opts.Index.Instances(context.Background(), parts[3], parts[5], parts[7])
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := readPixelHeader(context.Background(), h.opts.Blobs, refs[0]); err != nil {
			b.Fatal(err)
		}
	}
}
