package portal

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pacslite/pacslite/portal/store"
)

func TestCSRF(t *testing.T) {
	e := newEnv(t)
	e.user(store.RolePatient, "alice@example.org", "alice-password")
	b := e.login("alice@example.org", "alice-password")
	change := url.Values{"current": {"alice-password"}, "password": {"new-password-1"}, "confirm": {"new-password-1"}}
	tests := []struct {
		name  string
		token string
		site  string // Sec-Fetch-Site
	}{
		{"no token", "", ""},
		{"wrong token", strings.Repeat("x", 43), ""},
		{"right token from another site", b.csrf(), "cross-site"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := url.Values{}
			for k, vs := range change {
				v[k] = vs
			}
			if tt.token != "" {
				v.Set("csrf", tt.token)
			}
			req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/settings/password", strings.NewReader(v.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tt.site != "" {
				req.Header.Set("Sec-Fetch-Site", tt.site)
			}
			if res := b.do(req); res.status != http.StatusForbidden {
				t.Errorf("POST /settings/password with %s = %d, want 403", tt.name, res.status)
			}
		})
	}
	// Nothing changed: the old password still works.
	e.login("alice@example.org", "alice-password")

	// Login forms need the pre-login token too (no login CSRF).
	fresh := e.browser()
	if res := fresh.postRaw("/login", url.Values{"login": {"alice@example.org"}, "password": {"alice-password"}}); res.status != http.StatusForbidden {
		t.Errorf("POST /login without a token = %d, want 403", res.status)
	}
	// A token from one session is useless in another.
	other := e.login("alice@example.org", "alice-password")
	if res := other.postRaw("/logout", url.Values{"csrf": {b.csrf()}}); res.status != http.StatusForbidden {
		t.Errorf("POST /logout with another session's token = %d, want 403", res.status)
	}
}

func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	e := newEnv(t)
	e.user(store.RolePatient, "alice@example.org", "alice-password")
	phone := e.login("alice@example.org", "alice-password")
	laptop := e.login("alice@example.org", "alice-password")
	res := laptop.postForm("/settings/password", url.Values{"current": {"alice-password"}, "password": {"better-password"}, "confirm": {"better-password"}})
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/settings?changed=1" {
		t.Fatalf("change password = %d to %q, want 303 to /settings?changed=1\n%s", res.status, res.header.Get("Location"), res.body)
	}
	if res := laptop.get("/studies"); res.status != http.StatusOK {
		t.Errorf("the browser that changed the password: GET /studies = %d, want 200", res.status)
	}
	if res := phone.get("/studies"); res.status != http.StatusSeeOther || !strings.HasPrefix(res.header.Get("Location"), "/login") {
		t.Errorf("another session after the change: GET /studies = %d to %q, want a redirect to /login", res.status, res.header.Get("Location"))
	}
	if res := e.browser().postForm("/login", url.Values{"login": {"alice@example.org"}, "password": {"alice-password"}}); res.status != http.StatusUnauthorized {
		t.Errorf("login with the old password = %d, want 401", res.status)
	}
	e.login("alice@example.org", "better-password")

	// Wrong current password, short or mismatched new ones: refused.
	for _, v := range []url.Values{
		{"current": {"nope-nope"}, "password": {"whatever-1"}, "confirm": {"whatever-1"}},
		{"current": {"better-password"}, "password": {"short"}, "confirm": {"short"}},
		{"current": {"better-password"}, "password": {"whatever-1"}, "confirm": {"whatever-2"}},
	} {
		if res := laptop.postForm("/settings/password", v); res.status != http.StatusUnprocessableEntity {
			t.Errorf("change password with %v = %d, want 422", v, res.status)
		}
	}
	// Logout ends the session server-side.
	cookie := sessionCookieOf(t, laptop)
	laptop.postForm("/logout", url.Values{})
	replay := e.browser()
	u, _ := url.Parse(e.srv.URL)
	replay.hc.Jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: cookie}})
	if res := replay.get("/studies"); res.status != http.StatusSeeOther {
		t.Errorf("a logged-out session cookie replayed: GET /studies = %d, want 303 to login", res.status)
	}
}

func sessionCookieOf(t *testing.T, b *browser) string {
	u, _ := url.Parse(b.e.srv.URL)
	for _, c := range b.hc.Jar.Cookies(u) {
		if c.Name == sessionCookie {
			return c.Value
		}
	}
	t.Fatal("no session cookie")
	return ""
}

func TestLoginThrottleAndGenericMessage(t *testing.T) {
	e := newEnv(t)
	e.user(store.RolePatient, "alice@example.org", "alice-password")
	e.user(store.RolePatient, "bob@example.org", "bob-password")
	b := e.browser()
	unknown := b.postForm("/login", url.Values{"login": {"nobody@example.org"}, "password": {"x"}})
	wrong := b.postForm("/login", url.Values{"login": {"alice@example.org"}, "password": {"x"}})
	if unknown.status != wrong.status || !strings.Contains(unknown.body, loginFailed) || !strings.Contains(wrong.body, loginFailed) {
		t.Errorf("unknown account and wrong password answer differently: %d vs %d", unknown.status, wrong.status)
	}
	for i := 0; i < 4; i++ {
		b.postForm("/login", url.Values{"login": {"alice@example.org"}, "password": {"x"}})
	}
	// Five failures: even the right password is refused for a while.
	res := b.postForm("/login", url.Values{"login": {"Alice@Example.org"}, "password": {"alice-password"}})
	if res.status != http.StatusTooManyRequests || !strings.Contains(res.body, "Too many attempts") {
		t.Errorf("login after 5 failures = %d, want 429", res.status)
	}
	// Another account from the same address is not locked by Alice's.
	e.login("bob@example.org", "bob-password")

	// After the window, Alice may log in again.
	now := time.Now().Add(16 * time.Minute)
	e.h.limits.loginAccount.SetClock(func() time.Time { return now })
	e.login("alice@example.org", "alice-password")

	// The address limit: many accounts guessed from one address.
	for i := 0; i < 30; i++ {
		b.postForm("/login", url.Values{"login": {"user" + string(rune('a'+i%26)) + "@example.org"}, "password": {"x"}})
	}
	if res := b.postForm("/login", url.Values{"login": {"bob@example.org"}, "password": {"bob-password"}}); res.status != http.StatusTooManyRequests {
		t.Errorf("login after 30 failures from one address = %d, want 429", res.status)
	}
}

func TestSessionExpiry(t *testing.T) {
	e := newEnv(t)
	e.user(store.RolePatient, "alice@example.org", "alice-password")
	b := e.login("alice@example.org", "alice-password")
	e.h.now = func() time.Time { return time.Now().Add(13 * time.Hour) }
	if res := b.get("/studies"); res.status != http.StatusSeeOther {
		t.Errorf("GET /studies after 13 idle hours = %d, want 303 to login", res.status)
	}
	if n, err := e.h.SweepSessions(context.Background()); err != nil || n != 0 {
		t.Errorf("SweepSessions = %d, %v; want 0 left to sweep (the idle session was ended on use)", n, err)
	}
}

func TestDisabledAccount(t *testing.T) {
	e := newEnv(t)
	alice := e.user(store.RolePatient, "alice@example.org", "alice-password")
	e.user(store.RoleAdmin, "admin@example.org", "admin-password")
	b := e.login("alice@example.org", "alice-password")
	admin := e.login("admin@example.org", "admin-password")
	if res := admin.postForm("/admin/users/"+itoa(alice.ID)+"/disable", url.Values{}); res.status != http.StatusSeeOther {
		t.Fatalf("disable = %d, want 303", res.status)
	}
	if res := b.get("/studies"); res.status != http.StatusSeeOther {
		t.Errorf("disabled account's session: GET /studies = %d, want 303 to login", res.status)
	}
	if res := e.browser().postForm("/login", url.Values{"login": {"alice@example.org"}, "password": {"alice-password"}}); res.status != http.StatusUnauthorized || !strings.Contains(res.body, loginFailed) {
		t.Errorf("disabled account's login = %d, want 401 with the generic message", res.status)
	}
	if res := admin.postForm("/admin/users/"+itoa(alice.ID)+"/enable", url.Values{}); res.status != http.StatusSeeOther {
		t.Fatalf("enable = %d, want 303", res.status)
	}
	e.login("alice@example.org", "alice-password")
	me, _ := e.db.UserByLogin(context.Background(), "admin@example.org")
	if res := admin.postForm("/admin/users/"+itoa(me.ID)+"/disable", url.Values{}); res.status != http.StatusConflict {
		t.Errorf("admin disabling herself = %d, want 409", res.status)
	}
}
