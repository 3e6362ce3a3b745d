package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pacslite/pacslite/store/blob/fsblob"
	"github.com/pacslite/pacslite/store/index"
)

// fsckData makes a data folder with one indexed instance, one old orphan
// and, when missing is set, one index row without its blob.
func fsckData(t *testing.T, missing bool) (dir, orphan string) {
	t.Helper()
	dir = t.TempDir()
	ctx := context.Background()
	idx, err := index.Open(ctx, filepath.Join(dir, "index.db"), index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	blobs, err := fsblob.New(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	put := func(key, sop string, withBlob bool) {
		if withBlob {
			if _, err := blobs.Put(ctx, key, strings.NewReader(key)); err != nil {
				t.Fatal(err)
			}
		}
		if sop == "" {
			return
		}
		_, err := idx.PutInstance(ctx, index.InstanceRecord{StudyInstanceUID: "1.2", SeriesInstanceUID: "1.2.3",
			SOPInstanceUID: sop, BlobKey: key, Digest: key, StudyAttrs: []byte(`{}`), SeriesAttrs: []byte(`{}`),
			InstanceAttrs: []byte(`{}`), Metadata: []byte(`{}`)})
		if err != nil {
			t.Fatal(err)
		}
	}
	put("instances/1.2/1.2.3/1.2.3.4.aa.dcm", "1.2.3.4", true)
	orphan = "instances/1.2/1.2.3/1.2.3.5.bb.dcm"
	put(orphan, "", true)
	old := time.Now().Add(-3 * time.Hour)
	if err := os.Chtimes(filepath.Join(dir, "blobs", filepath.FromSlash(orphan)), old, old); err != nil {
		t.Fatal(err)
	}
	if missing {
		put("instances/1.2/1.2.3/1.2.3.6.cc.dcm", "1.2.3.6", false)
	}
	return dir, orphan
}

func runFsckCmd(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), append([]string{"fsck"}, args...), &stdout, &stderr)
	return code, stdout.String() + stderr.String()
}

func TestFsckCommand(t *testing.T) {
	dir, orphan := fsckData(t, false)
	code, out := runFsckCmd(t, "--data", dir)
	if code != 1 || !strings.Contains(out, "orphan "+orphan) || !strings.Contains(out, "--repair") {
		t.Errorf("fsck with an orphan: exit %d, output:\n%s\nwant exit 1 naming the orphan and suggesting --repair", code, out)
	}
	code, out = runFsckCmd(t, "--data", dir, "--repair")
	if code != 0 || !strings.Contains(out, "removed orphan "+orphan) || !strings.Contains(out, "\nconsistent\n") {
		t.Errorf("fsck --repair: exit %d, output:\n%s\nwant exit 0 reporting the removal", code, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "blobs", filepath.FromSlash(orphan))); !os.IsNotExist(err) {
		t.Errorf("fsck --repair left the orphan: %v", err)
	}
	code, out = runFsckCmd(t, "--data", dir, "--json")
	if code != 0 || !strings.Contains(out, `"consistent": true`) {
		t.Errorf("fsck --json after repair: exit %d, output:\n%s", code, out)
	}
}

func TestFsckCommandMissing(t *testing.T) {
	dir, _ := fsckData(t, true)
	code, out := runFsckCmd(t, "--data", dir, "--repair")
	if code != 1 || !strings.Contains(out, "missing blob instances/1.2/1.2.3/1.2.3.6.cc.dcm") || !strings.Contains(out, "INCONSISTENT") {
		t.Errorf("fsck with a missing blob: exit %d, output:\n%s\nwant exit 1 naming it", code, out)
	}
}

func TestFsckCommandErrors(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--data", t.TempDir()}, 3, "no index"},
		{[]string{"--grace", "-1h"}, 2, "--grace must not be negative"},
		{[]string{"--blob", "s3"}, 2, "s3-endpoint is empty"},
		{[]string{"extra"}, 2, "unexpected arguments"},
	}
	for _, tt := range tests {
		code, out := runFsckCmd(t, tt.args...)
		if code != tt.code || !strings.Contains(out, tt.want) {
			t.Errorf("fsck %q: exit %d, output:\n%s\nwant exit %d mentioning %q", tt.args, code, out, tt.code, tt.want)
		}
	}
}
