package portal

import (
	"context"
	"errors"
	"io/fs"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pacslite/pacslite/portal/store"
)

// blobFiles counts the instance files of the test's archive (newEnv puts
// them under the test's first temporary folder).
func blobFiles(t *testing.T) int {
	t.Helper()
	n := 0
	dirs, _ := filepath.Glob(filepath.Join(filepath.Dir(t.TempDir()), "*", "blobs"))
	for _, d := range dirs {
		filepath.WalkDir(d, func(_ string, de fs.DirEntry, err error) error {
			if err == nil && !de.IsDir() {
				n++
			}
			return nil
		})
	}
	return n
}

// TestRetention: a patient's upload is deleted when its retention ends
// (index and blobs, with an audit row); hospital studies, exempted
// studies and organisations with longer retention are kept.
func TestRetention(t *testing.T) {
	e := newEnv(t)
	tok := e.token("pacs", ScopeRead, ScopeWrite)
	up := crafted{Study: "2.25.21", PatientID: "U-1", Name: "Up^Load", Birth: "19800101", Institution: "Home", Accession: "U1", Date: "20240101"}
	kept := crafted{Study: "2.25.22", PatientID: "U-2", Name: "Up^Load", Birth: "19800101", Institution: "Home", Accession: "U2", Date: "20240101"}
	long := crafted{Study: "2.25.23", PatientID: "U-3", Name: "Up^Load", Birth: "19800101", Institution: "Slow Clinic", Accession: "U3", Date: "20240101"}
	hosp := crafted{Study: "2.25.24", PatientID: "H-1", Name: "Hos^Pital", Birth: "19800101", Institution: "Home", Accession: "H1", Date: "20240101"}
	e.stowBytes(tok, craftDICOM(up), craftDICOM(kept), craftDICOM(long), craftDICOM(hosp))
	if n := blobFiles(t); n != 4 {
		t.Fatalf("%d blob files, want 4", n)
	}
	// The first three were patients' uploads.
	ctx := context.Background()
	markUploads(t, e, up.Study, kept.Study, long.Study)
	e.db.KeepStudy(ctx, kept.Study, "user:1", true)
	e.db.SaveOrganisation(ctx, store.Organisation{Name: "Slow Clinic", Downloads: true, UploadRetentionDays: 30})

	_, b := e.patientWith("alice@example.org", up.Study)
	if body := b.get("/studies/" + up.Study).body; !regexp.MustCompile(`will be deleted on <strong>[^<]+</strong>`).MatchString(body) {
		t.Error("the study page does not say when the upload will be deleted")
	}
	if n, err := e.h.SweepRetention(ctx); err != nil || n != 0 {
		t.Errorf("sweep at once = %d, %v; want nothing deleted", n, err)
	}
	e.h.now = func() time.Time { return time.Now().Add(8 * 24 * time.Hour) }
	n, err := e.h.SweepRetention(ctx)
	e.h.now = time.Now
	if err != nil || n != 1 {
		t.Fatalf("sweep after 8 days = %d, %v; want the one upload", n, err)
	}
	admin := e.browser()
	req := func(path string) int {
		r, _ := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
		r.Header.Set("Authorization", "Bearer "+tok)
		return admin.do(r).status
	}
	if got := req("/dicomweb/studies/" + up.Study + "/metadata"); got != http.StatusNotFound {
		t.Errorf("deleted upload's metadata = %d, want 404", got)
	}
	for _, s := range []string{kept.Study, long.Study, hosp.Study} {
		if got := req("/dicomweb/studies/" + s + "/metadata"); got != http.StatusOK {
			t.Errorf("study %s was deleted (metadata %d)", s, got)
		}
	}
	if n := blobFiles(t); n != 3 {
		t.Errorf("%d blob files left, want 3", n)
	}
	e.wantAudit(up.Study, "study.retention_delete", "system")
	if recs, _ := e.db.StudyRecords(ctx, []string{up.Study}); len(recs) != 0 {
		t.Error("the portal still knows the deleted study")
	}
}

// markUploads makes studies patients' uploads in the portal's records.
func markUploads(t *testing.T, e *testEnv, uids ...string) {
	t.Helper()
	for _, uid := range uids {
		id, err := e.db.StudyIdentityOf(context.Background(), uid)
		if err != nil {
			t.Fatal(err)
		}
		id.Hospital = false
		if err := e.db.ForgetSharing(context.Background(), uid); err != nil {
			t.Fatal(err)
		}
		if err := e.db.PutStudyIdentity(context.Background(), id); err != nil {
			t.Fatal(err)
		}
	}
}

// TestAdminDeletesStudy: an admin deletes a study; its shares die with
// it and the audit trail records who did it.
func TestAdminDeletesStudy(t *testing.T) {
	e := newEnv(t)
	e.seed()
	e.user(store.RoleAdmin, "admin@example.org", "admin-password")
	admin := e.login("admin@example.org", "admin-password")
	_, alice := e.patientWith("alice@example.org", doeStudy)
	token, _ := alice.share(t, doeStudy, nil)
	// A report in progress, with its text: it must go with the study.
	rad := e.user(store.RoleRadiologist, "rad@example.org", "radiologist-password")
	ctx := context.Background()
	if err := e.db.ClaimReport(ctx, doeStudy, rad.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.SaveDraft(ctx, doeStudy, rad.ID, store.Draft{Note: "findings of a deleted study"}); err != nil {
		t.Fatal(err)
	}
	if res := admin.get("/admin/studies/" + doeStudy + "/delete"); res.status != http.StatusOK || !strings.Contains(res.body, "Delete this study?") {
		t.Errorf("confirmation page = %d", res.status)
	}
	if res := alice.postForm("/admin/studies/"+doeStudy+"/delete", url.Values{}); res.status != http.StatusForbidden {
		t.Errorf("patient's delete = %d, want 403", res.status)
	}
	if res := admin.postForm("/admin/studies/"+doeStudy+"/delete", url.Values{}); res.status != http.StatusSeeOther {
		t.Fatalf("delete = %d", res.status)
	}
	if got := alice.get("/studies/" + doeStudy).status; got != http.StatusNotFound {
		t.Errorf("deleted study page = %d, want 404", got)
	}
	if res := e.browser().get("/s/" + token); res.status != http.StatusGone {
		t.Errorf("share of a deleted study = %d, want 410", res.status)
	}
	e.wantAudit(doeStudy, "study.delete", "user:"+itoa(mustUser(e, "admin@example.org").ID))
	if n := blobFiles(t); n != 1 {
		t.Errorf("%d blob files left, want Smith's only", n)
	}
	if _, err := e.db.GetReport(ctx, doeStudy); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("report of the deleted study: %v, want not found", err)
	}
	if vs, err := e.db.ReportVersions(ctx, doeStudy); err != nil || len(vs) != 0 {
		t.Errorf("report versions of the deleted study: %d (%v), want none", len(vs), err)
	}
}
