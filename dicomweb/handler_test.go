package dicomweb

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"os"
	"path/filepath"
	"testing"

	"github.com/pacslite/pacslite/store/blob/fsblob"
	"github.com/pacslite/pacslite/store/index"
)

// newTestHandler builds a handler over a real SQLite index and filesystem
// blob store in a temporary folder.
func newTestHandler(t testing.TB) *Handler {
	t.Helper()
	dir := t.TempDir()
	idx, err := index.Open(context.Background(), filepath.Join(dir, "index.db"), index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	blobs, err := fsblob.New(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	h, err := NewHandler(Options{Index: idx, Blobs: blobs, SpoolDir: filepath.Join(dir, "spool"), Prefix: "/dicomweb"})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// part is one part of a STOW-RS request.
type part struct {
	contentType string
	body        []byte
}

func dicomPart(t testing.TB, path string) part {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", path))
	if err != nil {
		t.Fatal(err)
	}
	return part{"application/dicom", b}
}

// stowBody encodes parts as multipart/related and returns the body and its
// Content-Type.
func stowBody(parts ...part) ([]byte, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		if p.contentType != "" {
			h.Set("Content-Type", p.contentType)
		}
		w, _ := mw.CreatePart(h)
		w.Write(p.body)
	}
	mw.Close()
	return buf.Bytes(), fmt.Sprintf(`multipart/related; type="application/dicom"; boundary=%s`, mw.Boundary())
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}
