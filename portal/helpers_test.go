package portal

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pacslite/pacslite/dicomweb"
	"github.com/pacslite/pacslite/portal/account"
	"github.com/pacslite/pacslite/portal/store"
	"github.com/pacslite/pacslite/store/blob/fsblob"
	"github.com/pacslite/pacslite/store/index"
)

// Studies of the crafted test files (testdata/crafted/make.sh).
const (
	doeStudy   = "2.25.4711000000000000000000000000.4" // Doe^John, US
	smithStudy = "2.25.4711000000000000000000000000.5" // Smith^Jane, CT
	mullerCT   = "2.25.4711000000000000000000000000.1" // Müller^Jürgen
)

// testEnv is a portal and a real archive (SQLite index, filesystem blobs)
// behind a real HTTP server, wired as the server wires them.
type testEnv struct {
	t      *testing.T
	db     *store.DB
	h      *Handler
	srv    *httptest.Server
	hasher *account.Hasher
}

func newEnv(t *testing.T, tweak ...func(*Options)) *testEnv {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	idx, err := index.Open(ctx, filepath.Join(dir, "index.db"), index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	blobs, err := fsblob.New(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	dw, err := dicomweb.NewHandler(dicomweb.Options{Index: idx, Blobs: blobs, SpoolDir: filepath.Join(dir, "spool"), Prefix: "/dicomweb"})
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, filepath.Join(dir, "portal.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	hasher := account.NewHasher(account.Params{Memory: 64, Time: 1, Threads: 1}, 4)
	opts := Options{Store: db, DICOMweb: dw, Hasher: hasher, AllowedOrigins: []string{"*"}}
	for _, f := range tweak {
		f(&opts)
	}
	h, err := NewHandler(opts)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/dicomweb/", h.DICOMweb())
	mux.Handle("/", h)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &testEnv{t: t, db: db, h: h, srv: srv, hasher: hasher}
}

// user creates an account.
func (e *testEnv) user(role store.Role, email, password string) store.User {
	e.t.Helper()
	hash, err := e.hasher.Hash(context.Background(), password)
	if err != nil {
		e.t.Fatal(err)
	}
	u, err := e.db.CreateUser(context.Background(), store.NewUser{Email: email, Name: strings.Split(email, "@")[0], Role: role, PasswordHash: hash})
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

// token creates an API client with the given scopes.
func (e *testEnv) token(name string, scopes ...string) string {
	e.t.Helper()
	tok, _, err := CreateAPIClient(context.Background(), e.db, name, scopes, "test")
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

// browser is an HTTP client with cookies that does not follow redirects.
type browser struct {
	e  *testEnv
	hc *http.Client
}

func (e *testEnv) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{e: e, hc: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// login logs a new browser in and fails the test if that does not work.
func (e *testEnv) login(email, password string) *browser {
	e.t.Helper()
	b := e.browser()
	if res := b.postForm("/login", url.Values{"login": {email}, "password": {password}}); res.status != http.StatusSeeOther {
		e.t.Fatalf("login %s: status %d, want 303\n%s", email, res.status, res.body)
	}
	return b
}

type response struct {
	status int
	header http.Header
	body   string
}

func (b *browser) do(req *http.Request) response {
	b.e.t.Helper()
	res, err := b.hc.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: string(body)}
}

func (b *browser) get(path string) response {
	req, _ := http.NewRequest(http.MethodGet, b.e.srv.URL+path, nil)
	return b.do(req)
}

var csrfInPage = regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)">`)

// csrf reads the CSRF token a page gives the browser.
func (b *browser) csrf() string {
	b.e.t.Helper()
	m := csrfInPage.FindStringSubmatch(b.get("/support").body)
	if m == nil {
		b.e.t.Fatal("no CSRF token on /support")
	}
	return m[1]
}

// postForm posts a form with the browser's CSRF token.
func (b *browser) postForm(path string, v url.Values) response {
	v.Set("csrf", b.csrf())
	return b.postRaw(path, v)
}

// postRaw posts a form as is.
func (b *browser) postRaw(path string, v url.Values) response {
	req, _ := http.NewRequest(http.MethodPost, b.e.srv.URL+path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// stow sends crafted test files with STOW-RS; auth adds credentials.
func (b *browser) stow(auth func(*http.Request), files ...string) response {
	b.e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join("..", "testdata", f))
		if err != nil {
			b.e.t.Fatal(err)
		}
		w, _ := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {"application/dicom"}})
		w.Write(data)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, b.e.srv.URL+"/dicomweb/studies", &buf)
	req.Header.Set("Content-Type", fmt.Sprintf(`multipart/related; type="application/dicom"; boundary=%s`, mw.Boundary()))
	req.Header.Set("Accept", "application/dicom+json")
	if auth != nil {
		auth(req)
	}
	return b.do(req)
}

func bearer(tok string) func(*http.Request) {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }
}

// seed stores the crafted studies of Doe (linked to patient) and Smith
// with an admin token.
func (e *testEnv) seed() {
	e.t.Helper()
	tok := e.token("seed", ScopeRead, ScopeWrite)
	if res := e.browser().stow(bearer(tok), "crafted/doe.dcm", "crafted/smith.dcm"); res.status != http.StatusOK {
		e.t.Fatalf("seed STOW: status %d\n%s", res.status, res.body)
	}
}

// countStudies counts the studies of a QIDO-RS JSON answer.
func countStudies(body string) int {
	return strings.Count(body, `"0020000D"`)
}
