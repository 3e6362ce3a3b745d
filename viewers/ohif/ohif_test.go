package ohif

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHandler(t *testing.T) {
	dist := t.TempDir()
	for name, body := range map[string]string{
		"index.html":     "<!doctype html><title>OHIF</title>",
		"app.bundle.js":  "console.log('ohif')",
		"app-config.js":  "window.config = {demo: true};", // OHIF's own, replaced
		"assets/x.wasm":  "\x00asm",
		"demo/page.html": "a real file",
	} {
		p := filepath.Join(dist, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg := filepath.Join(t.TempDir(), "app-config.js")
	os.WriteFile(cfg, []byte("window.config = {pacslite: window.PACSLITE};\n"), 0o644)
	h, err := NewHandler(Options{Dist: dist, AppConfig: cfg, DICOMweb: "http://127.0.0.1:8042/dicomweb/", Token: `to"ken`})
	if err != nil {
		t.Fatal(err)
	}

	for _, tt := range []struct {
		path, accept string
		status       int
		body         string // a part of it
	}{
		{"/", "text/html", http.StatusOK, "<title>OHIF</title>"},
		{"/viewer?StudyInstanceUIDs=1.2.3", "text/html,*/*", http.StatusOK, "<title>OHIF</title>"},
		{"/viewer/dicomjson/1.2.3.4", "text/html", http.StatusOK, "<title>OHIF</title>"},
		{"/app.bundle.js", "*/*", http.StatusOK, "console.log"},
		{"/demo/page.html", "text/html", http.StatusOK, "a real file"},
		{"/app-config.js", "*/*", http.StatusOK, `window.PACSLITE = {"dicomweb":"http://127.0.0.1:8042/dicomweb","token":"to\"ken"};` + "\nwindow.config = {pacslite"},
		{"/missing.bundle.js", "*/*", http.StatusNotFound, ""},
		{"/../../etc/passwd", "*/*", http.StatusNotFound, ""},
	} {
		r := httptest.NewRequest(http.MethodGet, tt.path, nil)
		r.Header.Set("Accept", tt.accept)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != tt.status || !strings.Contains(w.Body.String(), tt.body) {
			t.Errorf("GET %s = %d %.80q, want %d containing %q", tt.path, w.Code, w.Body.String(), tt.status, tt.body)
		}
		if w.Header().Get("Cross-Origin-Embedder-Policy") != "require-corp" || w.Header().Get("Cross-Origin-Opener-Policy") != "same-origin" {
			t.Errorf("GET %s: no cross-origin isolation headers", tt.path)
		}
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/assets/x.wasm", nil))
	if ct := w.Header().Get("Content-Type"); ct != "application/wasm" {
		t.Errorf("wasm Content-Type %q, want application/wasm", ct)
	}
	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/", nil))
	if w.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST / = %d, want 405", w.Code)
	}

	if _, err := NewHandler(Options{Dist: t.TempDir(), AppConfig: cfg, DICOMweb: "http://x/dicomweb"}); err == nil {
		t.Error("NewHandler without index.html succeeded")
	}
	if _, err := NewHandler(Options{Dist: dist, AppConfig: cfg, DICOMweb: "127.0.0.1:8042/dicomweb"}); err == nil {
		t.Error("NewHandler with a relative DICOMweb root succeeded")
	}
}
