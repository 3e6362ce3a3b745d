package portal

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pacslite/pacslite/portal/account"
	"github.com/pacslite/pacslite/portal/store"
)

// TestShareScopedToOneStudy: a share's link shows that study, and its
// DICOMweb root answers that study's QIDO and WADO only, read-only; other
// studies look absent.
func TestShareScopedToOneStudy(t *testing.T) {
	e := newEnv(t)
	e.seed()
	_, alice := e.patientWith("alice@example.org", doeStudy)
	if res := alice.postForm("/studies/"+smithStudy+"/shares", url.Values{"hours": {"24"}}); res.status != http.StatusNotFound {
		t.Errorf("sharing a study she cannot see = %d, want 404", res.status)
	}
	token, code := alice.share(t, doeStudy, map[string]string{"label": "Dr Rao"})
	if len(token) < 40 || len(code) != 11 {
		t.Errorf("token %d characters, code %q: want a long token and XXXXX-XXXXX", len(token), code)
	}
	doc := e.browser() // the recipient: no account, no cookies
	res := doc.get("/s/" + token)
	if res.status != http.StatusOK {
		t.Fatalf("GET /s/token = %d\n%s", res.status, res.body)
	}
	mustContain(t, "share page", res.body, "Abdomen US", "Doe, John", "/s/"+token+"/viewer")
	for _, key := range []string{token, code, strings.ToLower(strings.ReplaceAll(code, "-", ""))} {
		res := doc.get("/s/" + key + "/dicomweb/studies")
		if res.status != http.StatusOK || countStudies(res.body) != 1 || !strings.Contains(res.body, doeStudy) {
			t.Errorf("QIDO through the share %q = %d with %d studies, want only Doe", key, res.status, countStudies(res.body))
		}
		// RetrieveURLs stay under the share's root.
		if !strings.Contains(res.body, "/s/"+key+"/dicomweb/studies/"+doeStudy) {
			t.Errorf("QIDO through %q: RetrieveURL not under the share's root\n%s", key, res.body)
		}
	}
	root := "/s/" + token + "/dicomweb/studies/"
	for path, want := range map[string]int{
		doeStudy + "/metadata":   http.StatusOK,
		doeStudy + "/series":     http.StatusOK,
		smithStudy + "/metadata": http.StatusNotFound,
		smithStudy + "/series":   http.StatusNotFound,
		smithStudy:               http.StatusNotFound,
	} {
		if got := doc.get(root + path).status; got != want {
			t.Errorf("GET %s through the share = %d, want %d", path, got, want)
		}
	}
	if res := doc.get("/s/" + token + "/dicomweb/studies?PatientName=Smith*"); countStudies(res.body) != 0 {
		t.Errorf("QIDO for Smith through the share found %d studies", countStudies(res.body))
	}
	meta := doc.get(root + doeStudy + "/metadata")
	if !strings.Contains(meta.body, `"BulkDataURI":"http`) || strings.Count(meta.body, "/dicomweb/studies/") != strings.Count(meta.body, "/s/"+token+"/dicomweb/studies/") {
		t.Errorf("metadata's bulk data URIs are not all under the share's root:\n%s", meta.body)
	}
	bulk := meta.body[strings.Index(meta.body, `"BulkDataURI":"`)+len(`"BulkDataURI":"`):]
	bulk = bulk[:strings.IndexByte(bulk, '"')]
	if res := doc.get(strings.TrimPrefix(bulk, e.srv.URL)); res.status != http.StatusOK || len(res.body) < 1024 {
		t.Errorf("GET of the bulk data URI %s = %d, %d bytes", bulk, res.status, len(res.body))
	}
	for _, m := range []string{http.MethodPost, http.MethodDelete} {
		req, _ := http.NewRequest(m, e.srv.URL+root+doeStudy, nil)
		if got := doc.do(req).status; got != http.StatusMethodNotAllowed {
			t.Errorf("%s through the share = %d, want 405", m, got)
		}
	}
	if res := doc.get("/s/" + account.NewSecret() + "/dicomweb/studies"); res.status != http.StatusNotFound {
		t.Errorf("QIDO with an unknown token = %d, want 404", res.status)
	}
	s, _ := e.db.ShareByKeyHash(context.Background(), shareKeyHash(token))
	e.wantAudit(doeStudy, "share.create", "")
	e.wantAudit(doeStudy, "share.open", shareActor(s))
	e.wantAudit(doeStudy, "dicomweb.metadata", shareActor(s))
	if e.auditCount(store.AuditQuery{Actor: shareActor(s), StudyUID: smithStudy}) == 0 {
		t.Error("refused requests for another study are not audited")
	}
	if s.Opens != 1 || s.FirstOpenedAt.IsZero() {
		t.Errorf("share opened %d times (first %v), want 1", s.Opens, s.FirstOpenedAt)
	}
	// The owner sees the share, its openings and who it is for.
	mustContain(t, "share list", alice.get("/studies/"+doeStudy+"/share").body, "For Dr Rao", "Opened <strong>1</strong> time", "Revoke now")
}

// TestSharePasswordRevokeExpire: a password share needs its password for
// the page and for DICOMweb; revoked and expired shares answer a page that
// says so, never the study.
func TestSharePasswordRevokeExpire(t *testing.T) {
	e := newEnv(t)
	e.seed()
	_, alice := e.patientWith("alice@example.org", doeStudy)
	token, _ := alice.share(t, doeStudy, map[string]string{"password": "open sesame"})
	doc := e.browser()
	if res := doc.get("/s/" + token); res.status != http.StatusUnauthorized || strings.Contains(res.body, "Abdomen US") || !strings.Contains(res.body, `name="password"`) {
		t.Errorf("locked share page = %d, want 401 with the password form and no study", res.status)
	}
	if got := doc.get("/s/" + token + "/dicomweb/studies").status; got != http.StatusUnauthorized {
		t.Errorf("QIDO before the password = %d, want 401", got)
	}
	if res := doc.postForm("/s/"+token, url.Values{"password": {"wrong"}}); res.status != http.StatusUnauthorized || !strings.Contains(res.body, "not right") {
		t.Errorf("wrong password = %d, want 401", res.status)
	}
	if res := doc.postForm("/s/"+token, url.Values{"password": {"open sesame"}}); res.status != http.StatusSeeOther {
		t.Fatalf("right password = %d, want 303", res.status)
	}
	if res := doc.get("/s/" + token); res.status != http.StatusOK || !strings.Contains(res.body, "Abdomen US") {
		t.Errorf("share page after the password = %d", res.status)
	}
	if res := doc.get("/s/" + token + "/dicomweb/studies"); countStudies(res.body) != 1 {
		t.Errorf("QIDO after the password = %d with %d studies", res.status, countStudies(res.body))
	}
	if got := e.browser().get("/s/" + token + "/dicomweb/studies").status; got != http.StatusUnauthorized {
		t.Errorf("another browser without the password = %d, want 401", got)
	}
	s, _ := e.db.ShareByKeyHash(context.Background(), shareKeyHash(token))
	res := alice.postForm("/studies/"+doeStudy+"/shares/"+itoa(s.ID)+"/revoke", url.Values{})
	if res.status != http.StatusSeeOther {
		t.Fatalf("revoke = %d", res.status)
	}
	for _, path := range []string{"/s/" + token, "/s/" + token + "/viewer", "/s/" + token + "/download"} {
		if res := doc.get(path); res.status != http.StatusGone || !strings.Contains(res.body, "revoked") || strings.Contains(res.body, "Abdomen US") {
			t.Errorf("GET %s after revoking = %d, want 410 saying revoked", path, res.status)
		}
	}
	if got := doc.get("/s/" + token + "/dicomweb/studies").status; got != http.StatusGone {
		t.Errorf("QIDO after revoking = %d, want 410", got)
	}
	for _, a := range []string{"share.password_failed", "share.unlock", "share.revoke", "share.refused"} {
		e.wantAudit(doeStudy, a, "")
	}
	// Expired: made directly, an hour ago.
	u, _ := e.db.UserByLogin(context.Background(), "alice@example.org")
	old := account.NewSecret()
	if _, err := e.db.CreateShare(context.Background(), store.NewShare{TokenHash: shareKeyHash(old), CodeHash: shareKeyHash(newShareCode()),
		StudyUID: doeStudy, OwnerID: u.ID, ExpiresAt: time.Now().Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if res := doc.get("/s/" + old); res.status != http.StatusGone || !strings.Contains(res.body, "expired") {
		t.Errorf("expired share = %d, want 410 saying expired", res.status)
	}
	if got := doc.get("/s/" + old + "/dicomweb/studies/" + doeStudy + "/metadata").status; got != http.StatusGone {
		t.Errorf("metadata through an expired share = %d, want 410", got)
	}
}

// TestSharePasswordLockout sends many wrong passwords at once: exactly ten
// count, the share dies, and the right password no longer opens it.
func TestSharePasswordLockout(t *testing.T) {
	e := newEnv(t)
	e.seed()
	_, alice := e.patientWith("alice@example.org", doeStudy)
	token, _ := alice.share(t, doeStudy, map[string]string{"password": "right one"})
	var wg sync.WaitGroup
	for i := range 24 {
		wg.Go(func() {
			b := e.browser()
			b.postForm("/s/"+token, url.Values{"password": {"guess " + itoa(int64(i))}})
		})
	}
	wg.Wait()
	s, _ := e.db.ShareByKeyHash(context.Background(), shareKeyHash(token))
	if s.FailedPasswords != store.MaxWrongGuesses || s.State(time.Now()) != store.ShareLocked {
		t.Errorf("after 24 parallel wrong passwords: %d counted, state %s; want %d, locked", s.FailedPasswords, s.State(time.Now()), store.MaxWrongGuesses)
	}
	b := e.browser()
	if res := b.postForm("/s/"+token, url.Values{"password": {"right one"}}); res.status != http.StatusGone || !strings.Contains(res.body, "locked") {
		t.Errorf("right password on a locked share = %d, want 410 saying locked", res.status)
	}
	if e.auditCount(store.AuditQuery{StudyUID: doeStudy, Action: "share.password_failed"}) < store.MaxWrongGuesses {
		t.Error("wrong passwords are not all audited")
	}
}

// TestShareGuessesThrottled: unknown keys answer 404, and past the limit
// so does a real one, from that address.
func TestShareGuessesThrottled(t *testing.T) {
	e := newEnv(t)
	e.seed()
	_, alice := e.patientWith("alice@example.org", doeStudy)
	token, code := alice.share(t, doeStudy, nil)
	b := e.browser()
	res := b.postForm("/s", url.Values{"code": {strings.ToLower(code)}})
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/s/"+code {
		t.Errorf("code form = %d to %q, want 303 to /s/%s", res.status, res.header.Get("Location"), code)
	}
	for range 20 {
		if got := b.get("/s/" + account.NewSecret()).status; got != http.StatusNotFound {
			t.Fatalf("unknown token = %d, want 404", got)
		}
	}
	if got := b.get("/s/" + token).status; got != http.StatusNotFound {
		t.Errorf("real token after 20 guesses from the address = %d, want 404", got)
	}
	if e.auditCount(store.AuditQuery{Action: "share.unknown"}) < 20 {
		t.Error("unknown keys are not audited")
	}
}
