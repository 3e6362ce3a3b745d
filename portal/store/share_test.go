package store

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func TestShareLifecycle(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	u, err := db.CreateUser(ctx, NewUser{Email: "a@example.org", Name: "A", Role: RolePatient, PasswordHash: "h"})
	if err != nil {
		t.Fatal(err)
	}
	s, err := db.CreateShare(ctx, NewShare{TokenHash: "t1", CodeHash: "c1", StudyUID: "1.2", OwnerID: u.ID, ExpiresAt: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateShare(ctx, NewShare{TokenHash: "t2", CodeHash: "c1", StudyUID: "1.2", OwnerID: u.ID, ExpiresAt: time.Now()}); !errors.Is(err, ErrConflict) {
		t.Errorf("CreateShare(same code) = %v, want ErrConflict", err)
	}
	for _, key := range []string{"t1", "c1"} {
		if got, err := db.ShareByKeyHash(ctx, key); err != nil || got.ID != s.ID || got.OwnerName != "A" {
			t.Errorf("ShareByKeyHash(%s) = %+v, %v", key, got, err)
		}
	}
	if err := db.OpenShare(ctx, s.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.UnlockShare(ctx, "u1", s.ID, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if ok, _ := db.ShareUnlocked(ctx, "u1", s.ID); !ok {
		t.Error("unlock not found")
	}
	if list, _ := db.Shares(ctx, ShareFilter{StudyUID: "1.2", ActiveOnly: true}); len(list) != 1 || list[0].Opens != 1 {
		t.Errorf("active shares = %+v, want the share opened once", list)
	}
	if err := db.RevokeShare(ctx, s.ID, "user:1"); err != nil {
		t.Fatal(err)
	}
	if err := db.RevokeShare(ctx, s.ID, "user:1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second revoke = %v, want ErrNotFound", err)
	}
	if err := db.OpenShare(ctx, s.ID); !errors.Is(err, ErrGone) {
		t.Errorf("OpenShare(revoked) = %v, want ErrGone", err)
	}
	if ok, _ := db.ShareUnlocked(ctx, "u1", s.ID); ok {
		t.Error("unlock survived the revocation")
	}
	got, _ := db.ShareByID(ctx, s.ID)
	if got.State(time.Now()) != ShareRevoked {
		t.Errorf("state = %s, want revoked", got.State(time.Now()))
	}
}

// TestWrongGuessesAreCountedAtomically fails a share's password and a
// download's code from many goroutines at once: exactly MaxWrongGuesses
// count, the others find the share dead, and so does a right answer after.
func TestWrongGuessesAreCountedAtomically(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	u, _ := db.CreateUser(ctx, NewUser{Email: "a@example.org", Name: "A", Role: RolePatient, PasswordHash: "h"})
	s, err := db.CreateShare(ctx, NewShare{TokenHash: "t", CodeHash: "c", StudyUID: "1.2", OwnerID: u.ID, PasswordHash: "p", ExpiresAt: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	d, err := db.CreateDownload(ctx, NewDownload{TokenHash: "d", CodeHash: "x", UserID: u.ID, StudyUID: "1.2", ExpiresAt: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	for name, fail := range map[string]func() (int, error){
		"share":    func() (int, error) { return db.FailSharePassword(ctx, s.ID) },
		"download": func() (int, error) { return db.FailDownloadCode(ctx, d.ID) },
	} {
		var wg sync.WaitGroup
		var mu sync.Mutex
		counted, gone := 0, 0
		for range 30 {
			wg.Go(func() {
				_, err := fail()
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					counted++
				case errors.Is(err, ErrGone):
					gone++
				default:
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if counted != MaxWrongGuesses || gone != 30-MaxWrongGuesses {
			t.Errorf("%s: %d counted, %d gone; want %d and %d", name, counted, gone, MaxWrongGuesses, 30-MaxWrongGuesses)
		}
	}
	if err := db.OpenShare(ctx, s.ID); !errors.Is(err, ErrGone) {
		t.Errorf("OpenShare after 10 wrong passwords = %v, want ErrGone", err)
	}
	if err := db.VerifyDownload(ctx, d.ID); !errors.Is(err, ErrGone) {
		t.Errorf("VerifyDownload after 10 wrong codes = %v, want ErrGone", err)
	}
}

func TestVisibleStudiesWithMembers(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	u, _ := db.CreateUser(ctx, NewUser{Email: "a@example.org", Name: "A", Role: RolePatient, PasswordHash: "h"})
	other, _ := db.CreateUser(ctx, NewUser{Email: "b@example.org", Name: "B", Role: RolePatient, PasswordHash: "h"})
	now := time.Now()
	for _, h := range []string{"s1", "s2"} {
		if err := db.CreateSession(ctx, Session{IDHash: h, UserID: u.ID, CSRF: "c", CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	self, err := db.SaveMember(ctx, Member{HolderID: u.ID, Name: "A", Relationship: RelSelf})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SaveMember(ctx, Member{HolderID: u.ID, Name: "A again", Relationship: RelSelf}); !errors.Is(err, ErrConflict) {
		t.Errorf("second self = %v, want ErrConflict", err)
	}
	kid, _ := db.SaveMember(ctx, Member{HolderID: u.ID, Name: "Kid", Relationship: RelChild, Guardian: true, BirthDate: "20150101"})
	stranger, _ := db.SaveMember(ctx, Member{HolderID: other.ID, Name: "B", Relationship: RelSelf})
	db.LinkStudy(ctx, "own", u.ID, "uploaded", "user:1")
	db.LinkMemberStudy(ctx, self.ID, "self-matched", "phone")
	db.LinkMemberStudy(ctx, kid.ID, "kid", "manual")
	db.LinkMemberStudy(ctx, stranger.ID, "theirs", "manual")
	// A selection of another holder's member is ignored.
	db.SelectMember(ctx, "s2", stranger.ID)
	check := func(session string, want ...string) {
		t.Helper()
		got, err := db.VisibleStudies(ctx, u.ID, session)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Errorf("VisibleStudies(%s) = %v, want %v", session, got, want)
		}
		for _, w := range want {
			if !got[w] {
				t.Errorf("VisibleStudies(%s) = %v, want %v", session, got, want)
			}
		}
	}
	check("s1", "own", "self-matched", "kid")
	check("s2", "own", "self-matched", "kid")
	db.SelectMember(ctx, "s1", kid.ID)
	check("s1", "kid")
	db.SelectMember(ctx, "s1", self.ID)
	check("s1", "own", "self-matched")
	db.SelectMember(ctx, "s1", 0)
	check("s1", "own", "self-matched", "kid")
	if err := db.DeleteMember(ctx, u.ID, self.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("DeleteMember(self) = %v, want ErrNotFound", err)
	}
	if err := db.DeleteMember(ctx, u.ID, kid.ID); err != nil {
		t.Fatal(err)
	}
	check("s1", "own", "self-matched")
	if err := db.ForgetSharing(ctx, "self-matched"); err != nil {
		t.Fatal(err)
	}
	check("s1", "own")
}

func TestAuditSearch(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	for _, e := range []Event{
		{Actor: "user:1", Role: "patient", Action: "study.view", StudyUID: "1.2"},
		{Actor: "share:4", Role: "share", Action: "share.open", StudyUID: "1.2", Detail: "share:4", Remote: "10.0.0.9"},
		{Actor: "share:4", Role: "share", Action: "share.password_failed", StudyUID: "1.2", Detail: "share:4"},
		{Actor: "user:2", Role: "admin", Action: "study.view", StudyUID: "3.4"},
	} {
		if err := db.Record(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		q    AuditQuery
		want int
	}{
		{AuditQuery{}, 4},
		{AuditQuery{Action: "share."}, 2},
		{AuditQuery{Action: "share_"}, 0}, // LIKE wildcards are escaped
		{AuditQuery{StudyUID: "1.2", Role: "patient"}, 1},
		{AuditQuery{Remote: "10.0.0.9"}, 1},
		{AuditQuery{From: time.Now().Add(time.Minute)}, 0},
		{AuditQuery{Limit: 3}, 3},
	}
	for _, tt := range tests {
		got, err := db.SearchAudit(ctx, tt.q)
		if err != nil || len(got) != tt.want {
			t.Errorf("SearchAudit(%+v) = %d events, %v; want %d", tt.q, len(got), err, tt.want)
		}
	}
	first, _ := db.SearchAudit(ctx, AuditQuery{Limit: 2})
	rest, _ := db.SearchAudit(ctx, AuditQuery{BeforeID: first[1].ID})
	if len(rest) != 2 || rest[0].ID >= first[1].ID {
		t.Errorf("second page = %+v, want the 2 older events", rest)
	}
}
