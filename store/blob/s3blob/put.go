package s3blob

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/minio/minio-go/v7"
)

// abortTimeout bounds the clean-up of a failed multipart upload, which runs
// even when the Put's context is cancelled.
const abortTimeout = time.Minute

// Put stores r under key; see blob.Store. A blob of up to PartSize bytes
// goes in one PUT, a larger one as a multipart upload of PartSize parts.
// Either way the object appears only when complete, and a failed or
// cancelled Put leaves the previous object (or none) in place.
func (s *Store) Put(ctx context.Context, key string, r io.Reader) (int64, error) {
	name, err := s.object("put", key)
	if err != nil {
		return 0, err
	}
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("s3blob: put %s: %w", key, err)
	}
	src := ctxReader{ctx: ctx, r: r}
	buf, tier, n, err := s.bufs.readPart(src)
	defer s.bufs.put(tier, buf)
	switch {
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return s.putSingle(ctx, key, name, (*buf)[:n])
	case err != nil:
		return 0, fmt.Errorf("s3blob: put %s: %w", key, err)
	}
	return s.putMultipart(ctx, key, name, *buf, src)
}

// putOptions are the options of every object write: the body's SHA-256 is
// signed as a header instead of with streaming chunk signatures, which
// every S3 implementation accepts.
var putOptions = minio.PutObjectOptions{
	ContentType:          "application/octet-stream",
	DisableContentSha256: true,
}

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// putSingle stores a whole blob held in b with one PUT.
func (s *Store) putSingle(ctx context.Context, key, name string, b []byte) (int64, error) {
	_, err := s.core.PutObject(ctx, s.bucket, name, bytes.NewReader(b), int64(len(b)), "", sha256Hex(b), putOptions)
	if err != nil {
		return 0, s.wrap("put", key, ctxErr(ctx, err))
	}
	return int64(len(b)), nil
}

// putMultipart uploads first (a full part already read) and the rest of
// src, reusing first as the buffer of every part.
func (s *Store) putMultipart(ctx context.Context, key, name string, first []byte, src io.Reader) (total int64, err error) {
	uploadID, err := s.core.NewMultipartUpload(ctx, s.bucket, name, putOptions)
	if err != nil {
		return 0, s.wrap("put", key, ctxErr(ctx, err))
	}
	defer func() {
		if err != nil {
			// Free the parts; the old object was never touched. A failed abort
			// leaves an invisible incomplete upload for the bucket's lifecycle
			// rules to expire.
			actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), abortTimeout)
			defer cancel()
			s.core.AbortMultipartUpload(actx, s.bucket, name, uploadID)
		}
	}()

	buf, n := first, len(first)
	var parts []minio.CompletePart
	for num := 1; ; num++ {
		if num > maxParts {
			return 0, fmt.Errorf("s3blob: put %s: more than %d parts of %d bytes", key, maxParts, s.partSize)
		}
		part, perr := s.core.PutObjectPart(ctx, s.bucket, name, uploadID, num,
			bytes.NewReader(buf[:n]), int64(n), minio.PutObjectPartOptions{Sha256Hex: sha256Hex(buf[:n]), DisableContentSha256: true})
		if perr != nil {
			return 0, s.wrap("put", key, ctxErr(ctx, perr))
		}
		parts = append(parts, minio.CompletePart{PartNumber: num, ETag: part.ETag})
		total += int64(n)
		if n < len(buf) {
			break // that was the short last part
		}
		var rerr error
		n, rerr = io.ReadFull(src, buf)
		if errors.Is(rerr, io.EOF) {
			break // the previous part was the last, exactly full
		}
		if rerr != nil && !errors.Is(rerr, io.ErrUnexpectedEOF) {
			return 0, fmt.Errorf("s3blob: put %s: %w", key, rerr)
		}
	}
	// Last chance to give up while the old object is untouched.
	if cerr := ctx.Err(); cerr != nil {
		return 0, fmt.Errorf("s3blob: put %s: %w", key, cerr)
	}
	if _, cerr := s.core.CompleteMultipartUpload(ctx, s.bucket, name, uploadID, parts, putOptions); cerr != nil {
		return 0, s.wrap("put", key, ctxErr(ctx, cerr))
	}
	return total, nil
}

// ctxErr makes sure an error caused by a cancelled or expired context
// wraps the context's error, whatever form the HTTP client gave it.
func ctxErr(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("%w: %w", cerr, err)
	}
	return err
}
