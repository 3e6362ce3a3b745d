package conformance

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pacslite/pacslite/store/blob/s3blob"
	"github.com/pacslite/pacslite/store/blob/s3blob/s3test"
)

// The suite on S3. With PACSLITE_CONFORMANCE_BLOB=s3 (test.sh runs the
// suite once more so) every server stores its instances in S3: the test
// S3 server, versitygw, in a bucket of the server's own. The bucket is a
// symbolic link in versitygw's posix folder (it runs with --bucketlinks) to
// DATA/blobs, so each object is a file exactly where the fs store would
// keep it, and the tests that look into DATA/blobs see the bucket.
const envConformanceBlob = "PACSLITE_CONFORMANCE_BLOB"

// defaultBlobEnv is the environment that selects the suite's blob store
// for a server on dataDir: nothing (fs) unless PACSLITE_CONFORMANCE_BLOB=s3.
func defaultBlobEnv(t *testing.T, dataDir string) []string {
	t.Helper()
	if os.Getenv(envConformanceBlob) != "s3" {
		return nil
	}
	return s3Env(t, dataDir)
}

// skipInS3Pass skips a test that picks its stores itself in the suite's
// S3 pass: the default pass has run it already.
func skipInS3Pass(t *testing.T) {
	t.Helper()
	if os.Getenv(envConformanceBlob) == "s3" {
		t.Skip("chooses its blob stores itself; the default pass runs it")
	}
}

// fsEnv selects the fs store, overriding S3 settings.
var fsEnv = []string{"PACSLITE_BLOB=fs", "PACSLITE_S3_ENDPOINT=", "PACSLITE_S3_BUCKET=", "PACSLITE_S3_PREFIX="}

// withBlob makes the server use kind ("fs" or "s3") whatever the suite's
// default.
func withBlob(t *testing.T, kind string) serverOption {
	return func(c *exec.Cmd) {
		if kind == "s3" {
			c.Env = append(c.Env, s3Env(t, dataDirOf(c))...)
		} else {
			c.Env = append(c.Env, fsEnv...)
		}
	}
}

// dataDirOf returns the --data argument of a pacslite command.
func dataDirOf(c *exec.Cmd) string {
	for i, a := range c.Args {
		if a == "--data" && i+1 < len(c.Args) {
			return c.Args[i+1]
		}
	}
	panic("conformance: command without --data")
}

// s3Env returns the environment of a server storing in a bucket of its own
// linked to dataDir/blobs (see above). The bucket's name comes from the
// data folder, so a restarted server finds its blobs.
func s3Env(t *testing.T, dataDir string) []string {
	t.Helper()
	srv := s3test.Require(t)
	if srv.Dir == "" {
		t.Fatalf("S3 conformance runs need %s, versitygw's posix folder (./test.sh sets it)", s3test.EnvDir)
	}
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(abs))
	bucket := "pacslite-" + hex.EncodeToString(sum[:8])
	blobs := filepath.Join(abs, "blobs")
	if err := os.MkdirAll(blobs, 0o700); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(srv.Dir, bucket)
	if _, err := os.Lstat(link); err != nil {
		if err := os.Symlink(blobs, link); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Remove(link) })
	}
	return s3ServerEnv(srv, bucket, "")
}

// s3ServerEnv is the environment that points a server at bucket on srv.
func s3ServerEnv(srv s3test.Server, bucket, prefix string) []string {
	return []string{
		"PACSLITE_BLOB=s3",
		"PACSLITE_S3_ENDPOINT=" + srv.Endpoint,
		"PACSLITE_S3_BUCKET=" + bucket,
		"PACSLITE_S3_REGION=" + srv.Region,
		"PACSLITE_S3_ACCESS_KEY=" + srv.AccessKey,
		"PACSLITE_S3_SECRET_KEY=" + srv.SecretKey,
		"PACSLITE_S3_TLS=false",
		"PACSLITE_S3_PATH_STYLE=true",
		"PACSLITE_S3_PREFIX=" + prefix,
	}
}

// bucketKeys lists the keys a store holds, sorted.
func bucketKeys(t *testing.T, s *s3blob.Store) []string {
	t.Helper()
	var keys []string
	err := s.List(context.Background(), "", func(key string, _, _ int64) error {
		keys = append(keys, key)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(keys)
	return keys
}

// TestS3Prefix runs a server on the shared test bucket under a key prefix
// and checks, through S3 itself, that stored, replaced and deleted
// instances leave exactly the objects they should, all under the prefix.
func TestS3Prefix(t *testing.T) {
	t.Parallel()
	srv := s3test.Require(t)
	prefix := s3test.RandomPrefix() + "archive"
	s := startServer(t, withEnv(s3ServerEnv(srv, srv.Bucket, prefix)...))
	store, err := s3blob.New(s3blob.Options{Endpoint: srv.Endpoint, Bucket: srv.Bucket, Region: srv.Region,
		AccessKey: srv.AccessKey, SecretKey: srv.SecretKey, Addressing: s3blob.AddressPath, Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}

	first, second := "pydicom/MR_small.dcm", "pydicom/MR_small_implicit.dcm"
	s.stowFiles(t, first, "pydicom/CT_small.dcm")
	keys := bucketKeys(t, store)
	if len(keys) != 2 {
		t.Fatalf("bucket holds %q after storing two instances, want two keys", keys)
	}
	for _, k := range keys {
		if !strings.HasPrefix(k, "instances/") {
			t.Errorf("key %q is not under instances/", k)
		}
	}
	s.stowFiles(t, first) // same bytes: nothing changes
	if again := bucketKeys(t, store); strings.Join(again, " ") != strings.Join(keys, " ") {
		t.Errorf("storing the same bytes again changed the bucket from %q to %q", keys, again)
	}

	s.stowFiles(t, second) // replaces the MR instance
	f := corpusFile(first)
	r := s.get(t, "/studies/"+f.study+"/series/"+f.series+"/instances/"+f.instance, acceptDICOMAny)
	wantStatus(t, r, http.StatusOK, "retrieve after replace")
	if parts := readParts(t, r, "application/dicom"); len(parts) != 1 || !bytes.Equal(parts[0].Body, readTestdata(t, second)) {
		t.Errorf("retrieve after replace did not return the new bytes")
	}
	after := bucketKeys(t, store)
	if len(after) != 2 || after[0] == keys[0] && after[1] == keys[1] {
		t.Errorf("bucket after replace = %q (before %q), want the old MR object replaced by one new object", after, keys)
	}

	r = s.request(t, http.MethodDelete, "/studies/"+f.study, nil)
	wantStatus(t, r, http.StatusNoContent, "delete study")
	ct := corpusFile("pydicom/CT_small.dcm")
	if left := bucketKeys(t, store); len(left) != 1 || !strings.Contains(left[0], ct.instance) {
		t.Errorf("bucket after deleting the MR study = %q, want only the CT instance", left)
	}
}

// runFailing runs `pacslite serve` with env, expecting it to exit with an
// error before listening; it returns the output.
func runFailing(t *testing.T, env ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "serve", "--addr", "127.0.0.1:0", "--data", t.TempDir())
	cmd.Env = append(append(os.Environ(), "PACSLITE_ADDR=", "PACSLITE_DATA="), env...)
	out, err := cmd.CombinedOutput()
	if err == nil || ctx.Err() != nil {
		t.Fatalf("pacslite serve with %q: error %v (context %v), want a prompt failure; output:\n%s", env, err, ctx.Err(), out)
	}
	return string(out)
}

// TestS3StartupChecks: a server given an unusable bucket refuses to start
// and says why; the secret can come from a file.
func TestS3StartupChecks(t *testing.T) {
	t.Parallel()
	srv := s3test.Require(t)
	good := s3ServerEnv(srv, srv.Bucket, s3test.RandomPrefix())
	tests := []struct {
		name string
		env  []string
		want string
	}{
		{"missing bucket", []string{"PACSLITE_S3_BUCKET=no-such-bucket"}, `bucket \"no-such-bucket\" does not exist`},
		{"wrong secret", []string{"PACSLITE_S3_SECRET_KEY=wrong"}, "refused (check the access key, secret key"},
		{"nobody listening", []string{"PACSLITE_S3_ENDPOINT=127.0.0.1:1"}, "must exist and be writable"},
		{"settings", []string{"PACSLITE_S3_ENDPOINT=https://x", "PACSLITE_S3_BUCKET=", "PACSLITE_S3_PATH_STYLE=maybe"},
			"without scheme"},
		{"s3 settings for fs", []string{"PACSLITE_BLOB=fs"}, "blob is fs"},
		{"secret twice", []string{"PACSLITE_S3_SECRET_KEY_FILE=/dev/null"}, "directly and as a file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := runFailing(t, append(append([]string{}, good...), tt.env...)...)
			if !strings.Contains(out, tt.want) {
				t.Errorf("output does not mention %q:\n%s", tt.want, out)
			}
		})
	}

	t.Run("secret from a file", func(t *testing.T) {
		t.Parallel()
		file := filepath.Join(t.TempDir(), "secret")
		if err := os.WriteFile(file, []byte(srv.SecretKey+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		s := startServer(t, withEnv(append(good, "PACSLITE_S3_SECRET_KEY=", "PACSLITE_S3_SECRET_KEY_FILE="+file)...))
		r := s.get(t, s.URL+"/readyz", "")
		wantStatus(t, r, http.StatusOK, "readyz")
	})
}

// TestS3StowMemory streams a 256 MiB instance into an S3-backed server and
// checks that the server's peak memory stays far below the instance's
// size: parts go to S3 as they arrive, one buffer at a time.
// TestFiguresBigStow does the same with 2 GB.
func TestS3StowMemory(t *testing.T) {
	t.Parallel()
	skipInS3Pass(t)
	s3test.Require(t)
	s := startServer(t, withBlob(t, "s3"), withEnv("PACSLITE_LOG_LEVEL=info"))
	const size = 256 << 20
	bigStow(t, s, size)
	peak := peakRSS(t, s)
	t.Logf("server peak RSS %d MiB after a %d MiB STOW-RS into S3 and its retrieval", peak>>20, size>>20)
	// The race detector's shadow memory is several times the heap.
	limit := int64(100 << 20)
	if raceEnabled {
		limit = 300 << 20
	}
	if peak > limit {
		t.Errorf("server peak RSS %d MiB, want at most %d MiB: something holds the instance in memory", peak>>20, limit>>20)
	}
}
