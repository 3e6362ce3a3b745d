package store

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func openTest(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "portal.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestAuditIsAppendOnly(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	if err := db.Record(ctx, Event{Actor: "user:1", Role: "patient", Action: "study.view", StudyUID: "1.2"}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`UPDATE audit SET actor = 'nobody'`, `DELETE FROM audit`} {
		if _, err := db.w.ExecContext(ctx, q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s = %v, want refused as append-only", q, err)
		}
	}
}

func TestUsersAndSessions(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	u, err := db.CreateUser(ctx, NewUser{Email: "Jan@Example.org", Phone: "+919876543210", Name: "Jan", Role: RolePatient, PasswordHash: "h"})
	if err != nil {
		t.Fatal(err)
	}
	for _, login := range []string{"jan@example.org", "JAN@EXAMPLE.ORG", "+919876543210"} {
		if got, err := db.UserByLogin(ctx, login); err != nil || got.ID != u.ID {
			t.Errorf("UserByLogin(%q) = %d, %v; want %d", login, got.ID, err, u.ID)
		}
	}
	if _, err := db.UserByLogin(ctx, "9876543210"); !errors.Is(err, ErrNotFound) {
		t.Errorf("UserByLogin(other number) = %v, want ErrNotFound", err)
	}
	for _, n := range []NewUser{
		{Email: "jan@example.ORG", Name: "x", Role: RoleAdmin, PasswordHash: "h"},
		{Email: "other@example.org", Phone: "+919876543210", Name: "x", Role: RoleAdmin, PasswordHash: "h"},
	} {
		if _, err := db.CreateUser(ctx, n); !errors.Is(err, ErrConflict) {
			t.Errorf("CreateUser(%s, %s) = %v, want ErrConflict", n.Email, n.Phone, err)
		}
	}
	now := time.Now()
	s := Session{IDHash: "abc", UserID: u.ID, CSRF: "c", CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := db.CreateSession(ctx, s); err != nil {
		t.Fatal(err)
	}
	if got, gu, err := db.SessionByHash(ctx, "abc"); err != nil || got.CSRF != "c" || gu.Email != "Jan@Example.org" {
		t.Errorf("SessionByHash = %+v, %+v, %v", got, gu, err)
	}
	if err := db.SetPassword(ctx, u.ID, "h2", false); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.SessionByHash(ctx, "abc"); !errors.Is(err, ErrNotFound) {
		t.Errorf("session after SetPassword: %v, want ErrNotFound", err)
	}
}

func TestStudyRecords(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	u, _ := db.CreateUser(ctx, NewUser{Email: "a@b.org", Name: "A", Role: RolePatient, PasswordHash: "h"})
	if err := db.RecordUpload(ctx, "1.2.3", "user:1", u.ID); err != nil {
		t.Fatal(err)
	}
	first, _ := db.StudyRecords(ctx, []string{"1.2.3", "9.9"})
	if err := db.RecordUpload(ctx, "1.2.3", "client:2", 0); err != nil {
		t.Fatal(err)
	}
	again, _ := db.StudyRecords(ctx, []string{"1.2.3"})
	if len(first) != 1 || first["1.2.3"].Status != StatusReady || again["1.2.3"].UploadedBy != "user:1" || !again["1.2.3"].UploadedAt.Equal(first["1.2.3"].UploadedAt) {
		t.Errorf("StudyRecords = %+v then %+v; want one ready study keeping its first upload", first, again)
	}
	if links, _ := db.LinkedStudies(ctx, u.ID); !links["1.2.3"] {
		t.Errorf("LinkedStudies = %v, want the upload", links)
	}
	if err := db.ForgetStudy(ctx, "1.2.3"); err != nil {
		t.Fatal(err)
	}
	if links, _ := db.LinkedStudies(ctx, u.ID); len(links) != 0 {
		t.Errorf("LinkedStudies after ForgetStudy = %v, want none", links)
	}
	if err := db.SetStudyStatus(ctx, "1.2.3", StatusReported); !errors.Is(err, ErrNotFound) {
		t.Errorf("SetStudyStatus of a forgotten study = %v, want ErrNotFound", err)
	}
}
