package stowclient

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// testFiles are instances with distinct SOP Instance UIDs.
var testFiles = []string{
	"pydicom/CT_small.dcm", "pydicom/MR_small.dcm", "pydicom/JPEG2000.dcm", "pydicom/rtplan.dcm",
	"pydicom/rtdose.dcm", "pydicom/test-SR.dcm", "charset/chrGreek.dcm",
}

// instances returns testFiles as Files, and their SOP Instance UIDs by
// content hash, as the server would read them.
func instances(t *testing.T) ([]File, map[[32]byte]string) {
	t.Helper()
	var files []File
	uids := make(map[[32]byte]string)
	for _, name := range testFiles {
		p := filepath.Join(testdata, filepath.FromSlash(name))
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		uid := sopInstanceUID(p)
		if uid == "" {
			t.Fatalf("no SOP Instance UID in %s", p)
		}
		uids[sha256.Sum256(b)] = uid
		files = append(files, File{Path: p, Size: int64(len(b))})
	}
	return files, uids
}

// stowRequest is what the fake server received in one request.
type stowRequest struct {
	parts [][]byte
	uids  []string
}

// fakeSTOW is a STOW-RS endpoint that checks requests the way a strict
// server would and answers with respond.
type fakeSTOW struct {
	t       *testing.T
	uids    map[[32]byte]string
	respond func(n int, req stowRequest) (status int, body string)

	mu       sync.Mutex
	requests []stowRequest // every request whose body was read whole
	attempts int
}

func (f *fakeSTOW) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	n := f.attempts
	f.attempts++
	f.mu.Unlock()
	t := f.t
	if r.Method != http.MethodPost || r.URL.Path != "/dicomweb/studies" {
		t.Errorf("request %s %s, want POST /dicomweb/studies", r.Method, r.URL.Path)
	}
	if got := r.Header.Get("Authorization"); got != "Bearer s3cret" {
		t.Errorf("Authorization = %q, want %q", got, "Bearer s3cret")
	}
	if got := r.Header.Get("Accept"); got != "application/dicom+json" {
		t.Errorf("Accept = %q, want application/dicom+json", got)
	}
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/related" || params["type"] != "application/dicom" || params["boundary"] == "" {
		t.Errorf("Content-Type = %q, want multipart/related; type=\"application/dicom\"; boundary=...", r.Header.Get("Content-Type"))
		http.Error(w, "bad content type", http.StatusUnsupportedMediaType)
		return
	}
	var req stowRequest
	mr := multipart.NewReader(r.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return // the client gave up on the request; nothing to answer
		}
		if ct := p.Header.Get("Content-Type"); ct != "application/dicom" {
			t.Errorf("request %d part %d: Content-Type = %q, want application/dicom", n, len(req.parts), ct)
		}
		b, err := io.ReadAll(p)
		if err != nil {
			return // as above
		}
		req.parts = append(req.parts, b)
		uid, ok := f.uids[sha256.Sum256(b)]
		if !ok {
			t.Errorf("request %d part %d: %d bytes equal to no test file", n, len(req.parts)-1, len(b))
		}
		req.uids = append(req.uids, uid)
	}
	f.mu.Lock()
	f.requests = append(f.requests, req)
	f.mu.Unlock()
	status, body := f.respond(n, req)
	w.Header().Set("Content-Type", "application/dicom+json")
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "0")
	}
	w.WriteHeader(status)
	io.WriteString(w, body)
}

// response renders a Store Instances Response storing every UID of req
// except those in failed (uid -> FailureReason).
func response(req stowRequest, failed map[string]int) string {
	ds := map[string]any{"00081190": attr("UR", "http://127.0.0.1/dicomweb/studies/1.2.3")}
	var refs, fails []any
	for _, uid := range req.uids {
		if code, ok := failed[uid]; ok {
			fails = append(fails, map[string]any{
				"00081150": attr("UI", "1.2.840.10008.5.1.4.1.1.2"),
				"00081155": attr("UI", uid),
				"00081197": attr("US", code),
			})
			continue
		}
		refs = append(refs, map[string]any{
			"00081150": attr("UI", "1.2.840.10008.5.1.4.1.1.2"),
			"00081155": attr("UI", uid),
			"00081190": attr("UR", "http://127.0.0.1/dicomweb/studies/1.2.3/series/4/instances/"+uid),
		})
	}
	if refs != nil {
		ds["00081199"] = map[string]any{"vr": "SQ", "Value": refs}
	}
	if fails != nil {
		ds["00081198"] = map[string]any{"vr": "SQ", "Value": fails}
	}
	b, _ := json.Marshal(ds)
	return string(b)
}

func attr(vr string, v any) map[string]any { return map[string]any{"vr": vr, "Value": []any{v}} }

func newFake(t *testing.T, respond func(n int, req stowRequest) (int, string)) (*fakeSTOW, []File, *Client) {
	t.Helper()
	files, uids := instances(t)
	f := &fakeSTOW{t: t, uids: uids, respond: respond}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	c := New(Options{
		BaseURL:    srv.URL + "/dicomweb/",
		Token:      "s3cret",
		HTTPClient: srv.Client(),
		BatchFiles: 3,
		RetryDelay: time.Millisecond,
	})
	return f, files, c
}

// checkParts verifies that the answered requests carried files, in order,
// byte for byte.
func checkParts(t *testing.T, f *fakeSTOW, files []File) {
	t.Helper()
	var got []string
	for _, r := range f.requests {
		for _, p := range r.parts {
			got = append(got, fmt.Sprintf("%x", sha256.Sum256(p)))
		}
	}
	var want []string
	for _, file := range files {
		b, err := os.ReadFile(file.Path)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, fmt.Sprintf("%x", sha256.Sum256(b)))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("parts received mismatch files sent (-want +got):\n%s", diff)
	}
}

func totalSize(files []File) int64 {
	var n int64
	for _, f := range files {
		n += f.Size
	}
	return n
}

func TestStoreAllStored(t *testing.T) {
	fake, files, c := newFake(t, func(_ int, req stowRequest) (int, string) {
		return http.StatusOK, response(req, nil)
	})
	var last Progress
	calls := 0
	sum, err := c.Store(context.Background(), files, func(p Progress) {
		if p.FilesDone < last.FilesDone {
			t.Errorf("progress went back from %d to %d files", last.FilesDone, p.FilesDone)
		}
		last = p
		calls++
	})
	if err != nil {
		t.Fatalf("Store() error: %v", err)
	}
	want := Summary{Stored: 7, Bytes: totalSize(files)}
	if diff := cmp.Diff(want, sum); diff != "" {
		t.Errorf("Store() summary mismatch (-want +got):\n%s", diff)
	}
	if len(fake.requests) != 3 { // 3 + 3 + 1 files
		t.Errorf("server got %d requests, want 3", len(fake.requests))
	}
	checkParts(t, fake, files)
	wantP := Progress{FilesDone: 7, FilesTotal: 7, BytesSent: want.Bytes, BytesTotal: want.Bytes, Stored: 7}
	if diff := cmp.Diff(wantP, last); diff != "" || calls < 4 {
		t.Errorf("last progress mismatch after %d calls (-want +got):\n%s", calls, diff)
	}
}

func TestStorePartialFailure(t *testing.T) {
	files, _ := instances(t)
	badUID := sopInstanceUID(files[4].Path)
	fake, files, c := newFake(t, func(_ int, req stowRequest) (int, string) {
		for _, uid := range req.uids {
			if uid == badUID {
				return http.StatusAccepted, response(req, map[string]int{badUID: 0xA900})
			}
		}
		return http.StatusOK, response(req, nil)
	})
	sum, err := c.Store(context.Background(), files, nil)
	if err != nil {
		t.Fatalf("Store() error: %v", err)
	}
	want := Summary{Stored: 6, Failed: 1, Bytes: totalSize(files), Failures: []Failure{
		{Path: files[4].Path, Reason: "data set does not match SOP class (0xA900)"},
	}}
	if diff := cmp.Diff(want, sum); diff != "" {
		t.Errorf("Store() summary mismatch (-want +got):\n%s", diff)
	}
	checkParts(t, fake, files)
}

func TestStoreConflict(t *testing.T) {
	fake, files, c := newFake(t, func(n int, req stowRequest) (int, string) {
		if n == 1 { // the second batch: files 3, 4, 5
			failed := make(map[string]int)
			for _, uid := range req.uids {
				failed[uid] = 0xC000
			}
			return http.StatusConflict, response(req, failed)
		}
		return http.StatusOK, response(req, nil)
	})
	sum, err := c.Store(context.Background(), files, nil)
	if err != nil {
		t.Fatalf("Store() error: %v", err)
	}
	var failures []Failure
	for _, f := range files[3:6] {
		failures = append(failures, Failure{Path: f.Path, Reason: "cannot understand (0xC000)"})
	}
	want := Summary{Stored: 4, Failed: 3, Bytes: totalSize(files), Failures: failures}
	if diff := cmp.Diff(want, sum); diff != "" {
		t.Errorf("Store() summary mismatch (-want +got):\n%s", diff)
	}
	checkParts(t, fake, files)
}

func TestStoreRetries(t *testing.T) {
	fake, files, c := newFake(t, func(n int, req stowRequest) (int, string) {
		if n == 0 {
			return http.StatusServiceUnavailable, `{"message":"starting up"}`
		}
		return http.StatusOK, response(req, nil)
	})
	sum, err := c.Store(context.Background(), files, nil)
	if err != nil {
		t.Fatalf("Store() error: %v", err)
	}
	if diff := cmp.Diff(Summary{Stored: 7, Bytes: totalSize(files)}, sum); diff != "" {
		t.Errorf("Store() summary mismatch (-want +got):\n%s", diff)
	}
	if fake.attempts != 4 {
		t.Errorf("server got %d requests, want 4 (one 503, three batches)", fake.attempts)
	}
	checkParts(t, fake, append(files[:3:3], files...)) // the first batch twice
}

func TestStoreRetriesExhausted(t *testing.T) {
	fake, files, c := newFake(t, func(n int, req stowRequest) (int, string) {
		return http.StatusInternalServerError, "internal error (request 42)"
	})
	sum, err := c.Store(context.Background(), files[:2], nil)
	if err != nil {
		t.Fatalf("Store() error: %v", err)
	}
	reason := "server answered 500 Internal Server Error: internal error (request 42) (after 3 retries)"
	want := Summary{Failed: 2, Failures: []Failure{{files[0].Path, reason}, {files[1].Path, reason}}}
	if diff := cmp.Diff(want, sum); diff != "" {
		t.Errorf("Store() summary mismatch (-want +got):\n%s", diff)
	}
	if fake.attempts != 4 {
		t.Errorf("server got %d requests, want 4 (1 + 3 retries)", fake.attempts)
	}
}

func TestStoreBadRequest(t *testing.T) {
	fake, files, c := newFake(t, func(n int, req stowRequest) (int, string) {
		if n == 0 {
			return http.StatusBadRequest, "study instance UID mismatch\nmore detail"
		}
		return http.StatusOK, response(req, nil)
	})
	sum, err := c.Store(context.Background(), files, nil)
	if err != nil {
		t.Fatalf("Store() error: %v", err)
	}
	reason := "server answered 400 Bad Request: study instance UID mismatch"
	want := Summary{Stored: 4, Failed: 3, Bytes: totalSize(files), Failures: []Failure{
		{files[0].Path, reason}, {files[1].Path, reason}, {files[2].Path, reason},
	}}
	if diff := cmp.Diff(want, sum); diff != "" {
		t.Errorf("Store() summary mismatch (-want +got):\n%s", diff)
	}
	if fake.attempts != 3 {
		t.Errorf("server got %d requests, want 3 (no retry of a 400)", fake.attempts)
	}
}

func TestStoreUnauthorized(t *testing.T) {
	fake, files, c := newFake(t, func(int, stowRequest) (int, string) {
		return http.StatusUnauthorized, `{"error":"invalid token"}`
	})
	sum, err := c.Store(context.Background(), files, nil)
	if !errors.Is(err, ErrRejected) {
		t.Fatalf("Store() error = %v, want ErrRejected", err)
	}
	if sum.Failed != 3 || fake.attempts != 1 {
		t.Errorf("Store() = %d failed after %d requests, want 3 after 1", sum.Failed, fake.attempts)
	}
	if want := "server answered 401 Unauthorized: invalid token"; sum.Failures[0].Reason != want {
		t.Errorf("reason = %q, want %q", sum.Failures[0].Reason, want)
	}
}

func TestStoreSplitsOn413(t *testing.T) {
	fake, files, c := newFake(t, func(_ int, req stowRequest) (int, string) {
		if len(req.parts) > 2 {
			return http.StatusRequestEntityTooLarge, "too large"
		}
		return http.StatusOK, response(req, nil)
	})
	sum, err := c.Store(context.Background(), files, nil)
	if err != nil {
		t.Fatalf("Store() error: %v", err)
	}
	if diff := cmp.Diff(Summary{Stored: 7, Bytes: totalSize(files)}, sum); diff != "" {
		t.Errorf("Store() summary mismatch (-want +got):\n%s", diff)
	}
	// 3 -> 413, 1, 2; 3 -> 413, 1, 2; 1.
	if fake.attempts != 7 {
		t.Errorf("server got %d requests, want 7", fake.attempts)
	}
}

func TestStoreMissingFile(t *testing.T) {
	fake, files, c := newFake(t, func(_ int, req stowRequest) (int, string) {
		return http.StatusOK, response(req, nil)
	})
	gone := File{Path: filepath.Join(t.TempDir(), "gone.dcm"), Size: 100}
	// A folder opens but fails to read: the request is cut mid-part.
	broken := File{Path: t.TempDir(), Size: 100}
	in := []File{files[0], gone, files[1], broken}
	sum, err := c.Store(context.Background(), in, nil)
	if err != nil {
		t.Fatalf("Store() error: %v", err)
	}
	if sum.Stored != 2 || sum.Failed != 2 {
		t.Errorf("Store() = %+v, want 2 stored, 2 failed", sum)
	}
	wantFailures := []Failure{
		{gone.Path, "open: no such file or directory"},
		{broken.Path, "read: is a directory"},
	}
	if diff := cmp.Diff(wantFailures, sum.Failures); diff != "" {
		t.Errorf("Store() failures mismatch (-want +got):\n%s", diff)
	}
	checkParts(t, fake, files[:2])
}

func TestStoreNetworkError(t *testing.T) {
	files, uids := instances(t)
	var attempts int
	var mu sync.Mutex
	fake := &fakeSTOW{t: t, uids: uids, respond: func(_ int, req stowRequest) (int, string) {
		return http.StatusOK, response(req, nil)
	}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		attempts++
		first := attempts == 1
		mu.Unlock()
		if first { // drop the connection without an answer
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		fake.ServeHTTP(w, r)
	}))
	defer srv.Close()
	c := New(Options{BaseURL: srv.URL + "/dicomweb", Token: "s3cret", RetryDelay: time.Millisecond})
	sum, err := c.Store(context.Background(), files, nil)
	if err != nil {
		t.Fatalf("Store() error: %v", err)
	}
	if sum.Stored != 7 || attempts != 2 {
		t.Errorf("Store() stored %d in %d requests, want 7 in 2", sum.Stored, attempts)
	}
	checkParts(t, fake, files)
}

func TestStoreCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	_, files, c := newFake(t, func(n int, req stowRequest) (int, string) {
		return http.StatusOK, response(req, nil)
	})
	sum, err := c.Store(ctx, files, func(p Progress) {
		if p.FilesDone == 3 {
			cancel() // after the first batch
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Store() error = %v, want context.Canceled", err)
	}
	if sum.Stored != 3 {
		t.Errorf("Store() stored %d, want the first batch's 3", sum.Stored)
	}
}

func TestBatches(t *testing.T) {
	c := New(Options{BatchFiles: 3, BatchBytes: 100})
	var files []File
	for i, size := range []int64{10, 20, 30, 40, 150, 50, 50, 1, 1, 1} {
		files = append(files, File{Path: fmt.Sprint(i), Size: size})
	}
	var got [][]string
	for _, b := range c.batches(files) {
		var names []string
		for _, f := range b {
			names = append(names, f.Path)
		}
		got = append(got, names)
	}
	want := [][]string{{"0", "1", "2"}, {"3"}, {"4"}, {"5", "6"}, {"7", "8", "9"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("batches mismatch (-want +got):\n%s", diff)
	}
}

func TestStoreRedirectAndHTML(t *testing.T) {
	files, _ := instances(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/old/studies" {
			http.Redirect(w, r, "/new/studies", http.StatusMovedPermanently)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<html><body>Please log in</body></html>")
	}))
	defer srv.Close()
	tests := []struct{ path, reason string }{
		{"/old", "server answered 301 Moved Permanently, redirecting to /new/studies"},
		{"/login", "server answered 200 OK with an HTML page, not a STOW-RS response"},
	}
	for _, tt := range tests {
		c := New(Options{BaseURL: srv.URL + tt.path})
		sum, err := c.Store(context.Background(), files, nil)
		if !errors.Is(err, ErrRejected) {
			t.Errorf("Store() to %s error = %v, want ErrRejected", tt.path, err)
		}
		if sum.Stored != 0 || sum.Failed != 7 || sum.Failures[0].Reason != tt.reason {
			t.Errorf("Store() to %s = %+v, want 7 failed: %s", tt.path, sum, tt.reason)
		}
	}
}
