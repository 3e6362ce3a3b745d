package s3blob

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/pacslite/pacslite/store/blob"
	"github.com/pacslite/pacslite/store/blob/blobtest"
	"github.com/pacslite/pacslite/store/blob/s3blob/s3test"
)

// newStore returns a store on the test server, under a fresh prefix of the
// shared bucket, with its options adjusted by edit.
func newStore(t *testing.T, srv s3test.Server, edit func(*Options)) *Store {
	t.Helper()
	opts := Options{
		Endpoint:   srv.Endpoint,
		Bucket:     srv.Bucket,
		Region:     srv.Region,
		AccessKey:  srv.AccessKey,
		SecretKey:  srv.SecretKey,
		Addressing: AddressPath,
		Prefix:     s3test.RandomPrefix(),
	}
	if edit != nil {
		edit(&opts)
	}
	s, err := New(opts)
	if err != nil {
		t.Fatalf("New() error: %v", err)
	}
	return s
}

// newBucket creates an empty bucket for one test and removes it, with
// whatever it holds, when the test ends.
func newBucket(t *testing.T, srv s3test.Server) string {
	t.Helper()
	s := newStore(t, srv, nil)
	name := "blobtest-" + strings.TrimSuffix(strings.TrimPrefix(s3test.RandomPrefix(), "test-"), "/")
	ctx := context.Background()
	if err := s.client.MakeBucket(ctx, name, minio.MakeBucketOptions{Region: srv.Region}); err != nil {
		t.Fatalf("make bucket %s: %v", name, err)
	}
	t.Cleanup(func() {
		for obj := range s.client.ListObjects(ctx, name, minio.ListObjectsOptions{Recursive: true}) {
			if obj.Err == nil {
				s.client.RemoveObject(ctx, name, obj.Key, minio.RemoveObjectOptions{})
			}
		}
		if err := s.client.RemoveBucket(ctx, name); err != nil {
			t.Logf("remove bucket %s: %v", name, err)
		}
	})
	return name
}

// TestConformance runs the blob suite with a fresh bucket per subtest and
// no key prefix, so keys of the full 1024 bytes are exercised.
func TestConformance(t *testing.T) {
	srv := s3test.Require(t)
	blobtest.Run(t, func(t *testing.T) blob.Store {
		bucket := newBucket(t, srv)
		s := newStore(t, srv, func(o *Options) { o.Bucket, o.Prefix, o.PartSize = bucket, "", MinPartSize })
		t.Cleanup(func() { assertNoUploads(t, s) })
		return s
	})
}

// TestConformancePrefix runs the suite in the shared bucket, each subtest
// under its own prefix, with the default part size: List must strip the
// prefix and see nothing of the other subtests' objects.
func TestConformancePrefix(t *testing.T) {
	srv := s3test.Require(t)
	blobtest.Run(t, func(t *testing.T) blob.Store {
		if strings.HasSuffix(t.Name(), "/ValidKeys") {
			t.Skip("a 1024-byte key does not fit in S3's 1024-byte object names after a prefix; TestConformance has it")
		}
		s := newStore(t, srv, nil)
		t.Cleanup(func() { assertNoUploads(t, s) })
		return s
	})
}

// assertNoUploads fails the test if a multipart upload under the store's
// prefix was left incomplete: failed and cancelled Puts must abort theirs.
func assertNoUploads(t *testing.T, s *Store) {
	t.Helper()
	for u := range s.client.ListIncompleteUploads(context.Background(), s.bucket, s.prefix, true) {
		if u.Err != nil {
			t.Errorf("list incomplete uploads: %v", u.Err)
			return
		}
		t.Errorf("incomplete multipart upload of %s left behind", u.Key)
	}
}

func TestNewInvalid(t *testing.T) {
	valid := Options{Endpoint: "127.0.0.1:9000", Bucket: "b"}
	tests := []struct {
		name string
		edit func(*Options)
		want string
	}{
		{"no endpoint", func(o *Options) { o.Endpoint = "" }, "no endpoint"},
		{"scheme", func(o *Options) { o.Endpoint = "http://127.0.0.1:9000" }, "without scheme"},
		{"no bucket", func(o *Options) { o.Bucket = "" }, "no bucket"},
		{"small parts", func(o *Options) { o.PartSize = 1 << 20 }, "part size"},
		{"bad prefix", func(o *Options) { o.Prefix = "../x" }, "prefix"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := valid
			tt.edit(&o)
			if _, err := New(o); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New(%+v) error = %v, want one mentioning %q", o, err, tt.want)
			}
		})
	}
	s, err := New(Options{Endpoint: "h:1", Bucket: "b", Prefix: "archive"})
	if err != nil {
		t.Fatal(err)
	}
	if s.prefix != "archive/" {
		t.Errorf("New with Prefix \"archive\": prefix %q, want \"archive/\"", s.prefix)
	}
}

// TestPingErrors checks that Ping fails, saying why, for each way a
// configuration can be wrong.
func TestPingErrors(t *testing.T) {
	srv := s3test.Require(t)
	tests := []struct {
		name string
		edit func(*Options)
		want string
	}{
		{"missing bucket", func(o *Options) { o.Bucket = "no-such-bucket-pacslite" }, `bucket "no-such-bucket-pacslite" does not exist`},
		{"wrong secret key", func(o *Options) { o.SecretKey += "x" }, "refused (check the access key, secret key"},
		{"unknown access key", func(o *Options) { o.AccessKey = "nobody" }, "refused (check the access key, secret key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t, srv, tt.edit)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			err := s.Ping(ctx)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Ping() = %v, want an error containing %q", err, tt.want)
			}
		})
	}
	t.Run("unreachable", func(t *testing.T) {
		s := newStore(t, srv, func(o *Options) { o.Endpoint = "127.0.0.1:1" })
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		if err := s.Ping(ctx); err == nil {
			t.Errorf("Ping() of a closed port = nil, want an error")
		}
	})
}

// TestPutMemory streams a blob ten times the part size and checks that
// the Put allocated about one part's buffer, not the blob.
func TestPutMemory(t *testing.T) {
	srv := s3test.Require(t)
	s := newStore(t, srv, func(o *Options) { o.PartSize = MinPartSize })
	const size = 10*MinPartSize + 123
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	n, err := s.Put(context.Background(), "big", io.LimitReader(rand.NewChaCha8([32]byte{1}), size))
	runtime.ReadMemStats(&after)
	if err != nil || n != size {
		t.Fatalf("Put(big) = %d, %v, want %d, nil", n, err, size)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4*MinPartSize {
		t.Errorf("Put of %d bytes allocated %d bytes, want at most %d (a part buffer and change)", size, alloc, 4*MinPartSize)
	}
	sz, err := s.Size(context.Background(), "big")
	if err != nil || sz != size {
		t.Errorf("Size(big) = %d, %v, want %d", sz, err, size)
	}
}

// TestOpenIsEager: Open and OpenRange report a missing key themselves and
// return readers of the object's bytes.
func TestOpenIsEager(t *testing.T) {
	srv := s3test.Require(t)
	s := newStore(t, srv, nil)
	ctx := context.Background()
	if _, err := s.Open(ctx, "gone"); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Open(gone) error = %v, want ErrNotFound", err)
	}
	if _, err := s.OpenRange(ctx, "gone", 3, 10); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("OpenRange(gone) error = %v, want ErrNotFound", err)
	}
	data := []byte("0123456789")
	if _, err := s.Put(ctx, "here", bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	rc, err := s.OpenRange(ctx, "here", 20, 5)
	if err != nil {
		t.Fatalf("OpenRange(here, 20, 5) past the end: %v", err)
	}
	if b, _ := io.ReadAll(rc); len(b) != 0 {
		t.Errorf("OpenRange(here, 20, 5) = %q, want nothing", b)
	}
	rc.Close()
}

// TestCleanUploads: uploads a crash left open are aborted once old enough.
func TestCleanUploads(t *testing.T) {
	srv := s3test.Require(t)
	s := newStore(t, srv, nil)
	ctx := context.Background()
	for _, key := range []string{"crashed/1", "crashed/2"} {
		if _, err := s.core.NewMultipartUpload(ctx, s.bucket, s.prefix+key, putOptions); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := s.CleanUploads(ctx, time.Hour); err != nil || n != 0 {
		t.Errorf("CleanUploads(1h) of fresh uploads = %d, %v, want 0, nil", n, err)
	}
	if n, err := s.CleanUploads(ctx, 0); err != nil || n != 2 {
		t.Errorf("CleanUploads(0) = %d, %v, want 2, nil", n, err)
	}
	assertNoUploads(t, s)
}

func TestKeyTooLongWithPrefix(t *testing.T) {
	s, err := New(Options{Endpoint: "h:1", Bucket: "b", Prefix: "p"})
	if err != nil {
		t.Fatal(err)
	}
	key := strings.Repeat("k/", 511) + "kk" // 1024 bytes, valid alone
	if _, err := s.Put(context.Background(), key, strings.NewReader("x")); !errors.Is(err, blob.ErrInvalidKey) {
		t.Errorf("Put of a 1024-byte key under prefix \"p/\": error = %v, want ErrInvalidKey", err)
	}
}

// failAfter yields n bytes of r, then calls fail and returns its error.
type failAfter struct {
	r    io.Reader
	n    int64
	fail func() error
}

func (f *failAfter) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, f.fail()
	}
	if int64(len(p)) > f.n {
		p = p[:f.n]
	}
	n, err := f.r.Read(p)
	f.n -= int64(n)
	return n, err
}

// TestMultipartFailure: a Put that fails or is cancelled after some parts
// went up aborts its upload, even when its context is cancelled, and
// leaves the old object.
func TestMultipartFailure(t *testing.T) {
	srv := s3test.Require(t)
	s := newStore(t, srv, func(o *Options) { o.PartSize = MinPartSize })
	ctx := context.Background()
	old := []byte("the old version")
	if _, err := s.Put(ctx, "k", bytes.NewReader(old)); err != nil {
		t.Fatal(err)
	}
	errBroken := errors.New("source broken")
	src := func(fail func() error) io.Reader {
		return &failAfter{r: rand.NewChaCha8([32]byte{3}), n: 2*MinPartSize + 100, fail: fail}
	}
	if _, err := s.Put(ctx, "k", src(func() error { return errBroken })); !errors.Is(err, errBroken) {
		t.Errorf("Put from a source failing after two parts: error = %v, want %v", err, errBroken)
	}
	cctx, cancel := context.WithCancel(ctx)
	if _, err := s.Put(cctx, "k", src(func() error { cancel(); return io.EOF })); !errors.Is(err, context.Canceled) {
		t.Errorf("Put cancelled after two parts: error = %v, want context.Canceled", err)
	}
	assertNoUploads(t, s)
	rc, err := s.Open(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if got, _ := io.ReadAll(rc); !bytes.Equal(got, old) {
		t.Errorf("after failed Puts the object holds %d bytes, want the old %d", len(got), len(old))
	}
}
