package s3blob

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/minio/minio-go/v7"

	"github.com/pacslite/pacslite/store/blob"
)

// Open returns the object's body, streamed from one GET; the caller closes
// it.
func (s *Store) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	name, err := s.object("open", key)
	if err != nil {
		return nil, err
	}
	body, _, _, err := s.core.GetObject(ctx, s.bucket, name, minio.GetObjectOptions{})
	if err != nil {
		return nil, s.wrap("open", key, err)
	}
	return body, nil
}

// OpenRange returns length bytes of the object from offset (to the end
// when length < 0) with a ranged GET; past the end it reads nothing. A
// negative offset is an error. The caller closes the reader.
func (s *Store) OpenRange(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error) {
	name, err := s.object("open range", key)
	if err != nil {
		return nil, err
	}
	if offset < 0 {
		return nil, fmt.Errorf("s3blob: open range %s: negative offset %d", key, offset)
	}
	if length == 0 {
		// No GET can ask for nothing; still report a missing key.
		if _, err := s.Size(ctx, key); err != nil {
			return nil, err
		}
		return io.NopCloser(strings.NewReader("")), nil
	}
	var opts minio.GetObjectOptions
	switch {
	case offset == 0 && length < 0:
		// The whole object: a plain GET, which also works when it is empty.
	case length < 0:
		err = opts.SetRange(offset, 0) // bytes=offset-
	default:
		err = opts.SetRange(offset, offset+length-1)
	}
	if err != nil {
		return nil, fmt.Errorf("s3blob: open range %s: %w", key, err)
	}
	body, _, _, err := s.core.GetObject(ctx, s.bucket, name, opts)
	if err != nil {
		if minio.ToErrorResponse(err).StatusCode == http.StatusRequestedRangeNotSatisfiable {
			// The range starts at or past the end: nothing to read, if the
			// object exists.
			if _, err := s.Size(ctx, key); err != nil {
				return nil, err
			}
			return io.NopCloser(strings.NewReader("")), nil
		}
		return nil, s.wrap("open range", key, err)
	}
	return body, nil
}

// Size returns the object's size in bytes from a HEAD request.
func (s *Store) Size(ctx context.Context, key string) (int64, error) {
	name, err := s.object("size", key)
	if err != nil {
		return 0, err
	}
	info, err := s.client.StatObject(ctx, s.bucket, name, minio.StatObjectOptions{})
	if err != nil {
		return 0, s.wrap("size", key, err)
	}
	return info.Size, nil
}

// List calls fn for every object whose key (after the store's prefix)
// starts with prefix, in key order. Objects under the prefix whose names
// are not valid keys (Ping's probes, other programs' files) are skipped.
func (s *Store) List(ctx context.Context, prefix string, fn func(key string, size int64, modUnix int64) error) error {
	ctx, cancel := context.WithCancel(ctx)
	ch := s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: s.prefix + prefix, Recursive: true})
	defer func() {
		// Stop the lister and let it finish its last send.
		cancel()
		for range ch {
		}
	}()
	for obj := range ch {
		if obj.Err != nil {
			return s.wrap("list", fmt.Sprintf("%q", prefix), ctxErr(ctx, obj.Err))
		}
		key, ok := strings.CutPrefix(obj.Key, s.prefix)
		if !ok || blob.ValidateKey(key) != nil {
			continue
		}
		if err := fn(key, obj.Size, obj.LastModified.Unix()); err != nil {
			return err
		}
	}
	// The channel also closes when ctx ends; do not take that for the end.
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("s3blob: list %q: %w", prefix, err)
	}
	return nil
}

// probePrefix names Ping's probe objects; "~" is not a key character, so
// no blob can collide with them and List never reports them.
const probePrefix = "pacslite-ping~/"

// Ping checks the bucket exists and is writable: it writes a small probe
// object under the store's prefix and deletes it. Errors say what failed:
// the connection, the credentials, the bucket.
func (s *Store) Ping(ctx context.Context) error {
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return s.wrap("ping", "bucket", err)
	}
	if !ok {
		return fmt.Errorf("s3blob: ping: bucket %q does not exist at %s", s.bucket, s.endpoint)
	}
	var rnd [8]byte
	rand.Read(rnd[:])
	name := s.prefix + probePrefix + hex.EncodeToString(rnd[:])
	b := []byte("pacslite write probe\n")
	if _, err := s.core.PutObject(ctx, s.bucket, name, strings.NewReader(string(b)), int64(len(b)), "", sha256Hex(b), putOptions); err != nil {
		return s.wrap("ping", "write probe", err)
	}
	if err := s.client.RemoveObject(ctx, s.bucket, name, minio.RemoveObjectOptions{}); err != nil {
		return s.wrap("ping", "delete probe", err)
	}
	return nil
}
