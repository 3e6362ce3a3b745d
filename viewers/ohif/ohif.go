package ohif

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// Options say what to serve and which archive the viewer talks to.
type Options struct {
	// Dist is the unpacked dist/ folder of @ohif/app (required).
	Dist string
	// AppConfig is the OHIF configuration script served as /app-config.js
	// (required): viewers/ohif/app-config.js, which reads window.PACSLITE.
	AppConfig string
	// DICOMweb is the absolute URL of the archive's DICOMweb root, e.g.
	// http://127.0.0.1:8042/dicomweb (required).
	DICOMweb string
	// Token, when set, is sent by the viewer as "Authorization: Bearer
	// TOKEN" on every DICOMweb request.
	Token string
}

// NewHandler checks the options and returns the handler. Files of Dist are
// served as they are; /app-config.js is AppConfig preceded by the archive
// settings; any other path a browser navigates to (Accept: text/html) is
// index.html, so OHIF's client-side routes (/viewer?StudyInstanceUIDs=...)
// survive a reload. Responses carry the cross-origin isolation headers OHIF
// needs for SharedArrayBuffer (volume rendering).
func NewHandler(o Options) (http.Handler, error) {
	if o.Dist == "" || o.AppConfig == "" || o.DICOMweb == "" {
		return nil, errors.New("ohif: Dist, AppConfig and DICOMweb are required")
	}
	if !strings.HasPrefix(o.DICOMweb, "http://") && !strings.HasPrefix(o.DICOMweb, "https://") {
		return nil, fmt.Errorf("ohif: DICOMweb root %q is not an absolute http(s) URL", o.DICOMweb)
	}
	index, err := os.ReadFile(filepath.Join(o.Dist, "index.html"))
	if err != nil {
		return nil, fmt.Errorf("ohif: %w (run viewers/ohif/install.sh)", err)
	}
	script, err := os.ReadFile(o.AppConfig)
	if err != nil {
		return nil, fmt.Errorf("ohif: app config: %w", err)
	}
	settings, err := json.Marshal(map[string]string{"dicomweb": strings.TrimRight(o.DICOMweb, "/"), "token": o.Token})
	if err != nil {
		return nil, err
	}
	var cfg bytes.Buffer
	fmt.Fprintf(&cfg, "// Written by pacslite's OHIF server: the archive this viewer talks to.\nwindow.PACSLITE = %s;\n", settings)
	cfg.Write(script)
	return &handler{files: http.FileServer(http.Dir(o.Dist)), root: o.Dist, index: index, config: cfg.Bytes()}, nil
}

type handler struct {
	files  http.Handler
	root   string
	index  []byte
	config []byte
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Cross-Origin-Opener-Policy", "same-origin")
	hd.Set("Cross-Origin-Embedder-Policy", "require-corp")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		hd.Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p := path.Clean("/" + r.URL.Path)
	switch {
	case p == "/app-config.js":
		hd.Set("Cache-Control", "no-cache")
		http.ServeContent(w, r, "app-config.js", time.Time{}, bytes.NewReader(h.config))
		return
	case p == "/" || p == "/index.html":
		h.serveIndex(w, r)
		return
	}
	fi, err := os.Stat(filepath.Join(h.root, filepath.FromSlash(p)))
	switch {
	case err == nil && !fi.IsDir():
		h.files.ServeHTTP(w, r)
	case (err == nil || errors.Is(err, fs.ErrNotExist)) && strings.Contains(r.Header.Get("Accept"), "text/html"):
		h.serveIndex(w, r) // a client-side route
	default:
		http.NotFound(w, r)
	}
}

func (h *handler) serveIndex(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-cache")
	http.ServeContent(w, r, "index.html", time.Time{}, bytes.NewReader(h.index))
}
