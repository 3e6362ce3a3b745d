package dicomweb

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestWriteAbsolute(t *testing.T) {
	const base = "http://h/dicomweb"
	for _, tt := range []struct{ name, in, want string }{
		{"none", `{"00100010":{"vr":"PN"}}`, `{"00100010":{"vr":"PN"}}`},
		{"one", `{"7FE00010":{"vr":"OW","BulkDataURI":"/studies/1/bulk/7FE00010"}}`,
			`{"7FE00010":{"vr":"OW","BulkDataURI":"http://h/dicomweb/studies/1/bulk/7FE00010"}}`},
		{"two", `[{"BulkDataURI":"/a"},{"BulkDataURI":"/b"}]`,
			`[{"BulkDataURI":"http://h/dicomweb/a"},{"BulkDataURI":"http://h/dicomweb/b"}]`},
		{"at start", `"BulkDataURI":"/a"`, `"BulkDataURI":"http://h/dicomweb/a"`},
		{"tail without head", `{"XkDataURI":"/a","kDataURI":"/b"}`, `{"XkDataURI":"/a","kDataURI":"/b"}`},
		{"tail at start", `kDataURI":"/a"`, `kDataURI":"/a"`},
		{"empty", ``, ``},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := writeAbsolute(&buf, []byte(tt.in), base); err != nil {
				t.Fatal(err)
			}
			if got := buf.String(); got != tt.want {
				t.Errorf("writeAbsolute(%s) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestBodyCache(t *testing.T) {
	c := newBodyCache(100)
	for _, k := range []string{"a", "b", "c", "d"} {
		c.put(k, make([]byte, 25))
	}
	c.get("a") // b is now the least recently used
	c.put("e", make([]byte, 25))
	if c.get("b") != nil {
		t.Errorf("get(b) after overflowing the bound = a body, want nil (evicted)")
	}
	for _, k := range []string{"a", "c", "d", "e"} {
		if c.get(k) == nil {
			t.Errorf("get(%s) = nil, want the recently used bodies kept", k)
		}
	}
	c.put("big", make([]byte, 26))
	if c.get("big") != nil {
		t.Errorf("get(big) = a body, want nil: bodies over a quarter of the bound are not kept")
	}
	c.put("a", make([]byte, 10))
	if got := len(c.get("a")); got != 10 || c.size != 85 {
		t.Errorf("after replacing a: len = %d, size = %d, want 10, 85", got, c.size)
	}
}

// TestMetadataGzipCache checks that a cached gzipped body is the same JSON
// as the uncompressed answer and keeps the ETag, and that the cache is
// not used for another scope. (A changed scope changes the ETag, which is
// in the cache key: the ETag tests cover that.)
func TestMetadataGzipCache(t *testing.T) {
	h := newTestHandler(t)
	if w := storeAs(t, h, nil, "pydicom/CT_small.dcm"); w.Code != 200 {
		t.Fatalf("STOW = %d: %s", w.Code, w.Body)
	}
	path := "/dicomweb/studies/" + ctStudy + "/metadata"
	get := func(enc string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", path, nil)
		r.Header.Set("Accept-Encoding", enc)
		return serve(h, r)
	}
	plain := get("")
	if plain.Code != 200 || plain.Header().Get("Content-Encoding") != "" {
		t.Fatalf("GET metadata without Accept-Encoding = %d, Content-Encoding %q", plain.Code, plain.Header().Get("Content-Encoding"))
	}
	if !strings.Contains(plain.Body.String(), `"BulkDataURI":"http://example.com/dicomweb/studies/`) {
		t.Errorf("metadata = %.300s..., want absolute BulkDataURIs", plain.Body)
	}
	for i, name := range []string{"first (compressed)", "second (cached)"} {
		w := get("gzip, deflate")
		if w.Code != 200 || w.Header().Get("Content-Encoding") != "gzip" {
			t.Fatalf("%s: GET = %d, Content-Encoding %q", name, w.Code, w.Header().Get("Content-Encoding"))
		}
		if got, want := w.Header().Get("ETag"), plain.Header().Get("ETag"); got != want {
			t.Errorf("%s: ETag = %q, want %q (the same representation, compressed)", name, got, want)
		}
		if cl := w.Header().Get("Content-Length"); (i == 1) != (cl != "") {
			t.Errorf("%s: Content-Length = %q", name, cl)
		}
		zr, err := gzip.NewReader(w.Body)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, plain.Body.Bytes()) {
			t.Errorf("%s: gunzipped body differs from the uncompressed one", name)
		}
	}
	// Another scope with the same index version: not the cached body.
	r := httptest.NewRequest("GET", "/dicomweb/studies/"+ctStudy+"/series/1.2.3/metadata", nil)
	r.Header.Set("Accept-Encoding", "gzip")
	if w := serve(h, r); w.Code != 404 {
		t.Errorf("GET metadata of a missing series = %d, want 404", w.Code)
	}
}
