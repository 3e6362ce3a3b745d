package portal

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/pacslite/pacslite/portal/store"
)

// TestDICOMwebAccess is the table of principal x DICOMweb request x status:
// the same rules as the pages, for QIDO, WADO, STOW and DELETE.
func TestDICOMwebAccess(t *testing.T) {
	e := newEnv(t)
	e.seed()
	ctx := context.Background()
	alice := e.user(store.RolePatient, "alice@example.org", "alice-password")
	e.user(store.RolePatient, "bob@example.org", "bob-password")
	e.user(store.RoleRadiologist, "rad@example.org", "rad-password")
	e.user(store.RoleAdmin, "admin@example.org", "admin-password")
	if err := e.db.LinkStudy(ctx, doeStudy, alice.ID, "linked", "test"); err != nil {
		t.Fatal(err)
	}
	read := e.token("viewer", ScopeRead)
	write := e.token("pacs", ScopeRead, ScopeWrite)
	writeOnly := e.token("modality", ScopeWrite)
	all := e.token("ops", ScopeRead, ScopeWrite, ScopeDelete)
	revoked, c, err := CreateAPIClient(ctx, e.db, "old", []string{ScopeRead}, "test")
	if err != nil || e.db.RevokeClient(ctx, c.ID) != nil {
		t.Fatal(err)
	}
	basic := func(name, secret string) func(*http.Request) {
		return func(r *http.Request) { r.SetBasicAuth(name, secret) }
	}

	type who struct {
		b    *browser
		auth func(*http.Request)
	}
	cookie := func(email, pw string) who {
		b := e.login(email, pw)
		tok := b.csrf()
		return who{b, func(r *http.Request) { r.Header.Set(csrfHeader, tok) }}
	}
	callers := map[string]who{
		"anonymous":    {e.browser(), nil},
		"patient":      cookie("alice@example.org", "alice-password"),
		"other":        cookie("bob@example.org", "bob-password"),
		"radiologist":  cookie("rad@example.org", "rad-password"),
		"admin":        cookie("admin@example.org", "admin-password"),
		"read":         {e.browser(), bearer(read)},
		"write":        {e.browser(), bearer(write)},
		"writeonly":    {e.browser(), bearer(writeOnly)},
		"revoked":      {e.browser(), bearer(revoked)},
		"bogus":        {e.browser(), bearer("pacslite_nope")},
		"basic":        {e.browser(), basic("pacs", write)},
		"basic-wrong":  {e.browser(), basic("viewer", write)},
		"patient-nohd": {callers0(e, "alice@example.org", "alice-password"), nil},
	}

	req := func(w who, method, path string) response {
		r, _ := http.NewRequest(method, e.srv.URL+path, nil)
		r.Header.Set("Accept", "application/dicom+json")
		if w.auth != nil {
			w.auth(r)
		}
		return w.b.do(r)
	}
	metadata := "/dicomweb/studies/" + doeStudy + "/metadata"
	tests := []struct {
		who                string
		qido               int // studies QIDO-RS returns (-1: refused)
		doe, smith         int // WADO-RS metadata status
		stow, stowNew, del int
	}{
		{"anonymous", -1, 401, 401, 401, 401, 401},
		// Patients store only through a paid upload (upload_guard.go,
		// TestUploadSTOWRules), so Müller never arrives for them to delete.
		{"patient", 1, 200, 404, 403, 403, 404},
		{"other", 0, 404, 404, 403, 403, 404},
		{"radiologist", 2, 200, 200, 403, 403, 403},
		{"admin", 2, 200, 200, 200, 200, 204},
		{"read", 2, 200, 200, 403, 403, 403},
		{"write", 2, 200, 200, 200, 200, 403},
		{"writeonly", -1, 403, 403, 200, 200, 403},
		{"revoked", -1, 401, 401, 401, 401, 401},
		{"bogus", -1, 401, 401, 401, 401, 401},
		{"basic", 2, 200, 200, 200, 200, 403},
		{"basic-wrong", -1, 401, 401, 401, 401, 401},
		{"patient-nohd", 1, 200, 404, 403, 403, 403},
	}
	for _, tt := range tests {
		t.Run(tt.who, func(t *testing.T) {
			w := callers[tt.who]
			res := req(w, http.MethodGet, "/dicomweb/studies")
			switch {
			case tt.qido < 0 && res.status < 400:
				t.Errorf("QIDO = %d, want refused", res.status)
			case tt.qido >= 0 && (res.status != 200 || countStudies(res.body) != tt.qido):
				t.Errorf("QIDO = %d with %d studies, want 200 with %d", res.status, countStudies(res.body), tt.qido)
			}
			if got := req(w, http.MethodGet, metadata).status; got != tt.doe {
				t.Errorf("metadata of Doe = %d, want %d", got, tt.doe)
			}
			if got := req(w, http.MethodGet, "/dicomweb/studies/"+smithStudy+"/metadata").status; got != tt.smith {
				t.Errorf("metadata of Smith = %d, want %d", got, tt.smith)
			}
			// Smith exists: storing into it is refused to those who cannot
			// see it (409 as a STOW failure), fine for everyone else.
			if got := w.b.stow(w.auth, "crafted/smith.dcm").status; got != tt.stow {
				t.Errorf("STOW into Smith = %d, want %d", got, tt.stow)
			}
			if got := w.b.stow(w.auth, "crafted/muller_utf8_ct.dcm").status; got != tt.stowNew {
				t.Errorf("STOW of a new study = %d, want %d", got, tt.stowNew)
			}
			if got := req(w, http.MethodDelete, "/dicomweb/studies/"+mullerCT).status; got != tt.del {
				t.Errorf("DELETE = %d, want %d", got, tt.del)
			}
			// The next caller finds Müller absent again.
			req(who{e.browser(), bearer(all)}, http.MethodDelete, "/dicomweb/studies/"+mullerCT)
		})
	}
	if res := req(callers["anonymous"], http.MethodGet, "/dicomweb/studies"); !strings.Contains(res.header.Get("WWW-Authenticate"), "Bearer") {
		t.Errorf("401 WWW-Authenticate = %q, want a Bearer challenge", res.header.Get("WWW-Authenticate"))
	}
	// Deleting a study forgets who could see it: a study stored later under
	// the same UID is not theirs.
	bob, _ := e.db.UserByLogin(ctx, "bob@example.org")
	if links, _ := e.db.LinkedStudies(ctx, bob.ID); links[mullerCT] {
		t.Errorf("Bob's studies = %v after the study was deleted", links)
	}
	// Every request left a line in the audit trail, refusals included.
	events, err := e.db.Events(ctx, store.AuditFilter{StudyUID: doeStudy, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, ev := range events {
		seen[ev.Actor+" "+ev.Action] = true
	}
	for _, want := range []string{"user:1 dicomweb.metadata", "client:2 dicomweb.metadata", "client:4 dicomweb.denied", "anonymous dicomweb.denied"} {
		if !seen[want] {
			t.Errorf("audit of Doe lacks %q; has %v", want, seen)
		}
	}
}

// callers0 logs in without keeping the CSRF token: a cookie request that
// changes the archive without the header is refused.
func callers0(e *testEnv, email, pw string) *browser { return e.login(email, pw) }

func TestDICOMwebAnonymous(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.AnonymousDICOMweb = true })
	b := e.browser()
	if res := b.stow(nil, "crafted/doe.dcm"); res.status != http.StatusOK {
		t.Fatalf("anonymous STOW = %d, want 200", res.status)
	}
	if res := b.get("/dicomweb/studies"); res.status != 200 || countStudies(res.body) != 1 {
		t.Errorf("anonymous QIDO = %d with %d studies, want 200 with 1", res.status, countStudies(res.body))
	}
	// Credentials still count when given: a bad token is refused.
	r, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/dicomweb/studies", nil)
	r.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("x:y")))
	if res := b.do(r); res.status != http.StatusUnauthorized {
		t.Errorf("bad Basic credentials with anonymous access = %d, want 401", res.status)
	}
}
