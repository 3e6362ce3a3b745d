package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// radiologists creates two radiologists.
func radiologists(t *testing.T, db *DB) (a, b int64) {
	t.Helper()
	ctx := context.Background()
	for i, email := range []string{"rao@example.org", "sen@example.org"} {
		u, err := db.CreateUser(ctx, NewUser{Email: email, Name: []string{"Dr Rao", "Dr Sen"}[i], Role: RoleRadiologist, PasswordHash: "h"})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			a = u.ID
		} else {
			b = u.ID
		}
	}
	return a, b
}

func state(t *testing.T, db *DB, uid string) ReportState {
	t.Helper()
	r, err := db.GetReport(context.Background(), uid)
	if errors.Is(err, ErrNotFound) {
		return ReportReady
	}
	if err != nil {
		t.Fatal(err)
	}
	return r.State
}

func TestReportStateMachine(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	rao, sen := radiologists(t, db)
	const uid = "1.2.3"
	if err := db.RecordUpload(ctx, uid, "client:1", 0); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name string
		do   func() error
		want error
		then ReportState
	}{
		{"draft before claim", func() error { _, err := db.SaveDraft(ctx, uid, rao, Draft{}); return err }, ErrConflict, ReportReady},
		{"claim", func() error { return db.ClaimReport(ctx, uid, rao) }, nil, ReportClaimed},
		{"claim again", func() error { return db.ClaimReport(ctx, uid, rao) }, nil, ReportClaimed},
		{"another claims", func() error { return db.ClaimReport(ctx, uid, sen) }, ErrClaimedByOther, ReportClaimed},
		{"draft", func() error {
			_, err := db.SaveDraft(ctx, uid, rao, Draft{ReportSections: ReportSections{Findings: "Normal."}})
			return err
		}, nil, ReportDraft},
		{"another drafts", func() error { _, err := db.SaveDraft(ctx, uid, sen, Draft{}); return err }, ErrClaimedByOther, ReportDraft},
		{"another finalises", func() error {
			return db.FinaliseReport(ctx, uid, sen, Signature{Version: 1, SignedBy: "Dr Sen", SignedAt: time.Now(), PDF: []byte("%PDF")})
		}, ErrClaimedByOther, ReportDraft},
		{"finalise a stale version", func() error {
			return db.FinaliseReport(ctx, uid, rao, Signature{Version: 2, SignedBy: "Dr Rao", SignedAt: time.Now(), PDF: []byte("%PDF")})
		}, ErrConflict, ReportDraft},
		{"finalise", func() error {
			return db.FinaliseReport(ctx, uid, rao, Signature{Version: 1, Draft: Draft{ReportSections: ReportSections{Findings: "Normal.", Impression: "Normal."}},
				SignedBy: "Dr Rao", SignedAt: time.Now(), ReleaseAt: time.Now().Add(time.Hour), PDF: []byte("%PDF-1")})
		}, nil, ReportFinal},
		{"draft after signing", func() error { _, err := db.SaveDraft(ctx, uid, rao, Draft{}); return err }, ErrConflict, ReportFinal},
		{"give back after signing", func() error { return db.ReleaseClaim(ctx, uid, rao, true) }, ErrConflict, ReportFinal},
		{"amend", func() error { _, err := db.StartRevision(ctx, uid, rao, VersionAmendment); return err }, nil, ReportFinal},
		{"another revises meanwhile", func() error { _, err := db.StartRevision(ctx, uid, sen, VersionAddendum); return err }, ErrClaimedByOther, ReportFinal},
		{"draft the amendment", func() error {
			_, err := db.SaveDraft(ctx, uid, rao, Draft{ReportSections: ReportSections{Findings: "Small cyst.", Impression: "Cyst."}, Note: "Cyst missed"})
			return err
		}, nil, ReportFinal},
		{"sign the amendment", func() error {
			return db.FinaliseReport(ctx, uid, rao, Signature{Version: 2, Draft: Draft{ReportSections: ReportSections{Findings: "Small cyst.", Impression: "Cyst."},
				Note: "Cyst missed", Critical: true}, SignedBy: "Dr Rao", SignedAt: time.Now(), ReleaseAt: time.Now().Add(99 * time.Hour), PDF: []byte("%PDF-2")})
		}, nil, ReportAmended},
	}
	for _, s := range steps {
		err := s.do()
		if s.want == nil && err != nil || s.want != nil && !errors.Is(err, s.want) {
			t.Fatalf("%s: err = %v, want %v", s.name, err, s.want)
		}
		if got := state(t, db, uid); got != s.then {
			t.Fatalf("after %s: state %s, want %s", s.name, got, s.then)
		}
	}
	vs, err := db.ReportVersions(ctx, uid)
	if err != nil {
		t.Fatal(err)
	}
	type short struct {
		Version  int
		Kind     string
		Final    bool
		Findings string
		Note     string
		Critical bool
		SignedBy string
	}
	var got []short
	for _, v := range vs {
		got = append(got, short{v.Version, v.Kind, v.Final, v.Findings, v.Note, v.Critical, v.SignedBy})
	}
	want := []short{{1, VersionOriginal, true, "Normal.", "", false, "Dr Rao"}, {2, VersionAmendment, true, "Small cyst.", "Cyst missed", true, "Dr Rao"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("versions (-want +got):\n%s", diff)
	}
	r, _ := db.GetReport(ctx, uid)
	if r.ReleaseAt.Sub(r.FinalisedAt) != time.Hour {
		t.Errorf("release at %v, finalised at %v: the amendment must not move the release", r.ReleaseAt, r.FinalisedAt)
	}
	recs, _ := db.StudyRecords(ctx, []string{uid})
	if recs[uid].Status != StatusReported {
		t.Errorf("study status %s, want reported", recs[uid].Status)
	}
	if pdf, err := db.ReportPDF(ctx, uid, 2); err != nil || string(pdf) != "%PDF-2" {
		t.Errorf("ReportPDF(2) = %q, %v", pdf, err)
	}
}

func TestReportPublishing(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	rao, _ := radiologists(t, db)
	now := time.Now()
	for i, uid := range []string{"1.1", "1.2"} {
		if err := db.ClaimReport(ctx, uid, rao); err != nil {
			t.Fatal(err)
		}
		err := db.FinaliseReport(ctx, uid, rao, Signature{Version: 1, SignedBy: "Dr Rao", SignedAt: now,
			ReleaseAt: now.Add(time.Duration(i) * 72 * time.Hour), PDF: []byte("%PDF")})
		if err != nil {
			t.Fatal(err)
		}
	}
	due, err := db.Unpublished(ctx, now.Add(time.Minute), 10)
	if err != nil || len(due) != 1 || due[0].StudyUID != "1.1" {
		t.Fatalf("Unpublished(now) = %v, %v; want only the released report", due, err)
	}
	if err := db.MarkPublished(ctx, "1.1", 1, "2.25.9", now); err != nil {
		t.Fatal(err)
	}
	if due, _ := db.Unpublished(ctx, now.Add(73*time.Hour), 10); len(due) != 1 || due[0].StudyUID != "1.2" {
		t.Errorf("Unpublished(+73h) = %v, want the second report only", due)
	}
	s1, _ := db.ReportSeries(ctx, "1.1", "2.25.1")
	s2, _ := db.ReportSeries(ctx, "1.1", "2.25.2")
	if s1 != "2.25.1" || s2 != "2.25.1" {
		t.Errorf("ReportSeries = %s then %s, want the first UID kept", s1, s2)
	}
}

func TestWorklistOrder(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	rao, sen := radiologists(t, db)
	now := time.Now()
	for _, s := range []struct {
		uid, priority string
		due           time.Duration
	}{{"a.standard", "standard", 20 * time.Hour}, {"b.none", "", 0}, {"c.priority", PriorityUrgent, 90 * time.Minute},
		{"d.overdue", "standard", -time.Hour}, {"e.priority-later", PriorityUrgent, 2 * time.Hour}} {
		if err := db.RecordUpload(ctx, s.uid, "client:1", 0); err != nil {
			t.Fatal(err)
		}
		var due time.Time
		if s.due != 0 {
			due = now.Add(s.due)
		}
		if err := db.SetStudyPriority(ctx, s.uid, s.priority, due); err != nil {
			t.Fatal(err)
		}
	}
	db.ClaimReport(ctx, "a.standard", rao)
	db.ClaimReport(ctx, "d.overdue", sen)
	list := func(f WorklistFilter) []string {
		items, err := db.Worklist(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, it := range items {
			out = append(out, it.Study.StudyUID)
		}
		return out
	}
	for _, tt := range []struct {
		f    WorklistFilter
		want []string
	}{
		{WorklistFilter{}, []string{"c.priority", "e.priority-later", "d.overdue", "a.standard", "b.none"}},
		{WorklistFilter{Status: WorkUnclaimed}, []string{"c.priority", "e.priority-later", "b.none"}},
		{WorklistFilter{Status: WorkClaimed}, []string{"d.overdue", "a.standard"}},
		{WorklistFilter{Mine: rao}, []string{"a.standard"}},
	} {
		if diff := cmp.Diff(tt.want, list(tt.f)); diff != "" {
			t.Errorf("Worklist(%+v) (-want +got):\n%s", tt.f, diff)
		}
	}
}

func TestNotificationsOutbox(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	if _, err := db.AddNotification(ctx, Notification{Channel: "fax", Recipient: "x"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("fax: err = %v, want ErrInvalid", err)
	}
	id, err := db.AddNotification(ctx, Notification{Channel: "email", Recipient: "p@example.org", Subject: "s", Body: "b", Kind: "report.final"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if err := db.MarkNotification(ctx, id, "sent", errors.New("refused")); err != nil {
			t.Fatal(err)
		}
		pending, _ := db.Notifications(ctx, true, 10)
		if want := i < 4; (len(pending) == 1) != want {
			t.Fatalf("after %d failures pending = %d, want pending %v", i+1, len(pending), want)
		}
	}
	all, _ := db.Notifications(ctx, false, 10)
	if len(all) != 1 || all[0].Status != "failed" || all[0].Attempts != 5 || all[0].Error != "refused" {
		t.Errorf("outbox = %+v, want one failed message after 5 attempts", all)
	}
}
