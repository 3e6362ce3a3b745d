package dicomweb

import (
	"bytes"
	"context"
	"database/sql"
	"io/fs"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/pacslite/pacslite/dicomweb/dicomjson"
	"github.com/pacslite/pacslite/store/blob"
	"github.com/pacslite/pacslite/store/blob/fsblob"
	"github.com/pacslite/pacslite/store/index"
)

// Every store has a FilesAdopter or not (S3): the group commit takes a
// different path for each.
var (
	_ blob.FilesAdopter = (*fsblob.Store)(nil)
	_ blob.Store        = putOnly{}
)

// putOnly hides the filesystem store's adoption methods, so the group
// commit copies every part with Put as it does into S3.
type putOnly struct{ blob.Store }

// stowRig is a handler over a real index and blob store, with the folder
// they live in.
type stowRig struct {
	h   *Handler
	dir string
}

func newStowRig(t *testing.T, wrap func(blob.Store) blob.Store) stowRig {
	t.Helper()
	dir := t.TempDir()
	idx, err := index.Open(context.Background(), filepath.Join(dir, "index.db"), index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	fs, err := fsblob.New(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	h, err := NewHandler(Options{Index: idx, Blobs: wrap(fs), SpoolDir: filepath.Join(dir, "spool"), Prefix: "/dicomweb"})
	if err != nil {
		t.Fatal(err)
	}
	return stowRig{h: h, dir: dir}
}

// refuse makes the index fail every insert of an instance whose SOP
// Instance UID matches the SQL condition on NEW.sop_uid, as a full disk or
// a broken row would: a real failure inside the index's transaction.
func (r stowRig) refuse(t *testing.T, cond string) {
	t.Helper()
	db, err := sql.Open("sqlite3", filepath.Join(r.dir, "index.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TRIGGER test_refuse BEFORE INSERT ON instances WHEN ` + cond +
		` BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`); err != nil {
		t.Fatal(err)
	}
}

// files returns the regular files under a folder of the rig ("blobs",
// "spool"), leaving out the blob store's temporary area.
func (r stowRig) files(t *testing.T, sub string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(filepath.Join(r.dir, sub), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".tmp~" {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// indexed returns the SOP Instance UIDs the index has for a study.
func (r stowRig) indexed(t *testing.T, study string) []string {
	t.Helper()
	refs, err := r.h.opts.Index.Instances(context.Background(), study, "", "")
	if err != nil {
		return nil
	}
	var out []string
	for _, ref := range refs {
		out = append(out, ref.SOPInstanceUID)
	}
	return out
}

// stowResult is what a Store Instances Response says, part by part.
type stowResult struct {
	Status int
	Stored []string // SOP Instance UIDs, in request order
	Failed []string // "reason sop", in request order
}

func (r stowRig) post(t *testing.T, ctx context.Context, path string, parts ...part) stowResult {
	t.Helper()
	body, ct := stowBody(parts...)
	req := httptest.NewRequest("POST", path, bytes.NewReader(body)).WithContext(ctx)
	req.Header.Set("Content-Type", ct)
	w := serve(r.h, req)
	var resp dicomjson.Object
	if err := resp.UnmarshalJSON(w.Body.Bytes()); err != nil {
		t.Fatalf("POST %s = %d, not a Store Instances Response: %v\n%s", path, w.Code, err, w.Body)
	}
	res := stowResult{Status: w.Code}
	stored, _ := resp.Get(0x00081199)
	for _, it := range stored.Values {
		res.Stored = append(res.Stored, it.(dicomjson.Object).String(0x00081155))
	}
	failed, _ := resp.Get(0x00081198)
	for _, it := range failed.Values {
		o := it.(dicomjson.Object)
		res.Failed = append(res.Failed, o.String(0x00081197)+" "+o.String(0x00081155))
	}
	return res
}

// ctVariant is CT_small with SOP Instance UID number n, and that UID.
func ctVariant(t *testing.T, n int) (part, string) {
	t.Helper()
	p := dicomPart(t, "pydicom/CT_small.dcm")
	u, err := identifyBytes(p.body)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := writeWithUID(&b, bytes.Split(p.body, []byte(u.sop)), len(u.sop), n); err != nil {
		t.Fatal(err)
	}
	v, err := identifyBytes(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return part{"application/dicom", b.Bytes()}, v.sop
}

// TestStoreGroupCommit checks that committing the good parts of a request
// together gives every part the outcome it had when parts were stored one
// by one, indexes exactly the good ones, and leaves one blob per indexed
// instance and no spool file, whether the store adopts files or is sent
// copies.
func TestStoreGroupCommit(t *testing.T) {
	ct := dicomPart(t, "pydicom/CT_small.dcm")
	ctUIDs, err := identifyBytes(ct.body)
	if err != nil {
		t.Fatal(err)
	}
	mr := dicomPart(t, "pydicom/MR_small.dcm")
	mrUIDs, err := identifyBytes(mr.body)
	if err != nil {
		t.Fatal(err)
	}
	study := ctUIDs.study
	corrupt := part{"application/dicom", []byte("this is not DICOM at all, just text pretending")}
	pdf := part{"application/pdf", []byte("%PDF-1.4")}
	ct1, sop1 := ctVariant(t, 1)
	ct2, sop2 := ctVariant(t, 2)
	ct3, sop3 := ctVariant(t, 3)
	many, manySOPs := []part{}, []string{}
	for i := range groupMaxParts + 6 {
		p, sop := ctVariant(t, 100+i)
		many, manySOPs = append(many, p), append(manySOPs, sop)
	}

	tests := []struct {
		name        string
		path        string
		refuse      string // SQL condition on NEW.sop_uid for the index to refuse
		parts       []part
		want        stowResult
		wantIndexed []string // of the CT study, in any order
	}{
		{
			name:  "bad parts fail alone, in place",
			path:  "/dicomweb/studies/" + study,
			parts: []part{ct1, corrupt, mr, pdf, ct2, ct1},
			want: stowResult{
				Status: 202,
				Stored: []string{sop1, sop2, sop1}, // the repeat is unchanged, and stored
				Failed: []string{"49152 ", "43264 " + mrUIDs.sop, "49152 "},
			},
			wantIndexed: []string{sop1, sop2},
		},
		{
			name:        "the index refuses one instance",
			path:        "/dicomweb/studies",
			refuse:      "NEW.sop_uid = '" + sop2 + "'",
			parts:       []part{ct1, ct2, ct3},
			want:        stowResult{Status: 202, Stored: []string{sop1, sop3}, Failed: []string{"272 " + sop2}},
			wantIndexed: []string{sop1, sop3},
		},
		{
			name:   "the index refuses every instance",
			path:   "/dicomweb/studies",
			refuse: "1",
			parts:  []part{ct1, ct2},
			want:   stowResult{Status: 409, Failed: []string{"272 " + sop1, "272 " + sop2}},
		},
		{
			name:        "more parts than one group, the first again at the end",
			path:        "/dicomweb/studies",
			parts:       append(append([]part{}, many...), many[0]),
			want:        stowResult{Status: 200, Stored: append(append([]string{}, manySOPs...), manySOPs[0])},
			wantIndexed: manySOPs,
		},
	}
	for _, store := range []struct {
		name string
		wrap func(blob.Store) blob.Store
	}{
		{"adopting", func(s blob.Store) blob.Store { return s }},
		{"put only", func(s blob.Store) blob.Store { return putOnly{s} }},
	} {
		for _, tt := range tests {
			t.Run(store.name+"/"+tt.name, func(t *testing.T) {
				r := newStowRig(t, store.wrap)
				if tt.refuse != "" {
					r.refuse(t, tt.refuse)
				}
				got := r.post(t, context.Background(), tt.path, tt.parts...)
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("POST %s: response differs (-want +got):\n%s", tt.path, diff)
				}
				indexed := r.indexed(t, study)
				if diff := cmp.Diff(tt.wantIndexed, indexed, sortStrings); diff != "" {
					t.Errorf("indexed instances differ (-want +got):\n%s", diff)
				}
				if blobs := r.files(t, "blobs"); len(blobs) != len(indexed) {
					t.Errorf("%d blob files for %d indexed instances: %q", len(blobs), len(indexed), blobs)
				}
				if spool := r.files(t, "spool"); len(spool) != 0 {
					t.Errorf("spool files left: %q", spool)
				}
			})
		}
	}
}

// TestStoreGroupAccess checks the Access hooks under group commit: Stored
// hears of each instance once it is indexed, Studies grows with the
// request, and a study stored by one account is refused to another.
func TestStoreGroupAccess(t *testing.T) {
	r := newStowRig(t, func(s blob.Store) blob.Store { return s })
	ct1, sop1 := ctVariant(t, 1)
	ct2, sop2 := ctVariant(t, 2)
	study, err := identifyBytes(ct1.body)
	if err != nil {
		t.Fatal(err)
	}
	var heard []string
	a := &Access{Studies: map[string]bool{}}
	a.Stored = func(ctx context.Context, st, se, sop string) {
		if _, err := r.h.opts.Index.Instances(ctx, st, se, sop); err != nil {
			t.Errorf("Stored(%s) before the instance is indexed: %v", sop, err)
		}
		heard = append(heard, sop)
	}
	corrupt := part{"application/dicom", []byte("not DICOM")}
	got := r.post(t, WithAccess(context.Background(), a), "/dicomweb/studies", ct1, corrupt, ct2)
	want := stowResult{Status: 202, Stored: []string{sop1, sop2}, Failed: []string{"49152 "}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("first account's STOW differs (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{sop1, sop2}, heard); diff != "" {
		t.Errorf("Stored heard of (-want +got):\n%s", diff)
	}
	if !a.Studies[study.study] {
		t.Errorf("Access.Studies = %v after storing study %s, want it included", a.Studies, study.study)
	}

	other := &Access{Studies: map[string]bool{}}
	ct3, sop3 := ctVariant(t, 3)
	got = r.post(t, WithAccess(context.Background(), other), "/dicomweb/studies", ct3)
	if len(got.Failed) != 1 || !strings.HasPrefix(got.Failed[0], strconv.Itoa(reasonNotAuthorized)+" ") {
		t.Errorf("another account storing into the study: %+v, want one failure %d", got, reasonNotAuthorized)
	}
	if diff := cmp.Diff([]string{sop1, sop2}, r.indexed(t, study.study), sortStrings); diff != "" {
		t.Errorf("indexed after the refused STOW (-want +got):\n%s\n(refused %s)", diff, sop3)
	}
	if spool := r.files(t, "spool"); len(spool) != 0 {
		t.Errorf("spool files left: %q", spool)
	}
}

// sortStrings compares lists of UIDs as sets.
var sortStrings = cmp.Options{cmpopts.SortSlices(func(a, b string) bool { return a < b }), cmpopts.EquateEmpty()}

// TestStoreInstanceSizeLimit checks MaxInstanceSize: an instance of
// exactly that size is stored, a larger one fails alone (out of resources).
func TestStoreInstanceSizeLimit(t *testing.T) {
	mr := dicomPart(t, "pydicom/MR_small.dcm")
	mrUIDs, err := identifyBytes(mr.body)
	if err != nil {
		t.Fatal(err)
	}
	ct, sop := ctVariant(t, 1)
	dir := t.TempDir()
	idx, err := index.Open(context.Background(), filepath.Join(dir, "index.db"), index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	blobs, err := fsblob.New(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	h, err := NewHandler(Options{Index: idx, Blobs: blobs, SpoolDir: filepath.Join(dir, "spool"),
		Prefix: "/dicomweb", MaxInstanceSize: int64(len(mr.body))})
	if err != nil {
		t.Fatal(err)
	}
	got := stowRig{h: h, dir: dir}.post(t, context.Background(), "/dicomweb/studies", mr, ct)
	want := stowResult{Status: 202, Stored: []string{mrUIDs.sop}, Failed: []string{strconv.Itoa(reasonOutOfResources) + " "}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("STOW of an instance at the limit and one over it (%s) differs (-want +got):\n%s", sop, diff)
	}
}
