package portal

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/pacslite/pacslite/portal/store"
)

// TestPageAccess is the table of role x page x status: patients see only
// their own studies (others' look absent), staff see all, admin pages are
// for admins, anonymous visitors go to the login page.
func TestPageAccess(t *testing.T) {
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
	browsers := map[string]*browser{
		"anonymous":   e.browser(),
		"patient":     e.login("alice@example.org", "alice-password"),
		"other":       e.login("bob@example.org", "bob-password"),
		"radiologist": e.login("rad@example.org", "rad-password"),
		"admin":       e.login("admin@example.org", "admin-password"),
	}
	const (
		ok     = http.StatusOK
		login  = http.StatusSeeOther
		absent = http.StatusNotFound
		no     = http.StatusForbidden
	)
	tests := []struct {
		path string
		want map[string]int
	}{
		{"/studies", map[string]int{"anonymous": login, "patient": ok, "other": ok, "radiologist": ok, "admin": ok}},
		{"/studies/" + doeStudy, map[string]int{"anonymous": login, "patient": ok, "other": absent, "radiologist": ok, "admin": ok}},
		{"/studies/" + doeStudy + "/viewer", map[string]int{"anonymous": login, "patient": ok, "other": absent, "radiologist": ok, "admin": ok}},
		{"/studies/" + smithStudy, map[string]int{"anonymous": login, "patient": absent, "other": absent, "radiologist": ok, "admin": ok}},
		{"/studies/1.2.3.4/viewer", map[string]int{"anonymous": login, "patient": absent, "other": absent, "radiologist": absent, "admin": absent}},
		{"/settings", map[string]int{"anonymous": login, "patient": ok, "other": ok, "radiologist": ok, "admin": ok}},
		{"/support", map[string]int{"anonymous": ok, "patient": ok, "other": ok, "radiologist": ok, "admin": ok}},
		{"/login", map[string]int{"anonymous": ok, "patient": login, "other": login, "radiologist": login, "admin": login}},
		{"/admin/users", map[string]int{"anonymous": login, "patient": no, "other": no, "radiologist": no, "admin": ok}},
		{"/admin/users/new", map[string]int{"anonymous": login, "patient": no, "other": no, "radiologist": no, "admin": ok}},
		{"/admin/tokens", map[string]int{"anonymous": login, "patient": no, "other": no, "radiologist": no, "admin": ok}},
		{"/admin/support", map[string]int{"anonymous": login, "patient": no, "other": no, "radiologist": no, "admin": ok}},
		{"/no/such/page", map[string]int{"anonymous": absent, "patient": absent, "other": absent, "radiologist": absent, "admin": absent}},
	}
	for _, tt := range tests {
		for who, want := range tt.want {
			t.Run(who+tt.path, func(t *testing.T) {
				res := browsers[who].get(tt.path)
				if res.status != want {
					t.Errorf("GET %s as %s = %d, want %d", tt.path, who, res.status, want)
				}
				if res.status >= 400 && strings.Contains(res.body, "goroutine") {
					t.Errorf("GET %s as %s shows a stack trace", tt.path, who)
				}
			})
		}
	}

	// The dashboard lists exactly the studies each may see.
	for who, want := range map[string][]string{
		"patient": {"Doe, John"}, "other": {}, "radiologist": {"Doe, John", "Smith, Jane"}, "admin": {"Doe, John", "Smith, Jane"},
	} {
		body := browsers[who].get("/studies").body
		for _, name := range []string{"Doe, John", "Smith, Jane"} {
			if got, w := strings.Contains(body, name), contains(want, name); got != w {
				t.Errorf("dashboard of %s shows %q = %v, want %v", who, name, got, w)
			}
		}
	}
	if body := browsers["other"].get("/studies").body; !strings.Contains(body, "No studies yet") {
		t.Errorf("empty dashboard lacks its empty state:\n%s", body)
	}
	// Page views are audited, refused ones too.
	bob, _ := e.db.UserByLogin(ctx, "bob@example.org")
	events, _ := e.db.Events(ctx, store.AuditFilter{StudyUID: doeStudy, Limit: 100})
	var views []string
	for _, ev := range events {
		views = append(views, ev.Actor+" "+ev.Action+" "+itoa(int64(ev.Status)))
	}
	for _, want := range []string{"user:" + itoa(alice.ID) + " study.view 200", "user:" + itoa(alice.ID) + " viewer.open 200", "user:" + itoa(bob.ID) + " study.view 404"} {
		if !contains(views, want) {
			t.Errorf("audit of Doe lacks %q: %v", want, views)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestAdminPagesChangeNothingForOthers checks that the admin actions
// refuse non-admins, even with a valid CSRF token.
func TestAdminActionsForbidden(t *testing.T) {
	e := newEnv(t)
	e.seed()
	alice := e.user(store.RolePatient, "alice@example.org", "alice-password")
	e.user(store.RoleRadiologist, "rad@example.org", "rad-password")
	for _, who := range []string{"alice@example.org", "rad@example.org"} {
		b := e.login(who, strings.Split(who, "@")[0]+"-password")
		for _, path := range []string{
			"/admin/users", "/admin/tokens", "/admin/users/1/password", "/admin/users/1/disable", "/studies/" + doeStudy + "/links",
		} {
			if res := b.postForm(path, map[string][]string{"login": {"alice@example.org"}, "name": {"x"}, "scope": {ScopeRead}, "email": {"x@example.org"}, "role": {"admin"}}); res.status != http.StatusForbidden {
				t.Errorf("POST %s as %s = %d, want 403", path, who, res.status)
			}
		}
	}
	if links, _ := e.db.LinkedStudies(context.Background(), alice.ID); len(links) != 0 {
		t.Errorf("patient linked herself to %v", links)
	}
	if n, _ := e.db.CountUsers(context.Background(), store.RoleAdmin); n != 0 {
		t.Errorf("%d admins were created by non-admins", n)
	}
}
