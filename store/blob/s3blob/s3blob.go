package s3blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/pacslite/pacslite/store/blob"
)

// Addressing says how requests name the bucket.
type Addressing int

// Addressing styles.
const (
	// AddressAuto uses virtual-host style for AWS and Google endpoints and
	// path style for every other endpoint (MinIO, Ceph, an IP address).
	AddressAuto Addressing = iota
	// AddressPath sends requests to http(s)://ENDPOINT/BUCKET/KEY.
	AddressPath
	// AddressVirtualHost sends requests to http(s)://BUCKET.ENDPOINT/KEY.
	AddressVirtualHost
)

// DefaultPartSize is the multipart part size when Options.PartSize is 0:
// the memory one Put holds, and 16 MiB x 10,000 parts bounds a blob at
// 160 GiB.
const DefaultPartSize = 16 << 20

// MinPartSize is the smallest part S3 accepts (except for the last part).
const MinPartSize = 5 << 20

// maxObjectName is S3's limit on an object name, in bytes.
const maxObjectName = 1024

// maxParts is S3's limit on the parts of one multipart upload.
const maxParts = 10000

// Options configures New.
type Options struct {
	// Endpoint is the server's host[:port], without a scheme, e.g.
	// "s3.eu-west-1.amazonaws.com" or "127.0.0.1:9000".
	Endpoint string
	// Bucket must exist; the store never creates it.
	Bucket string
	// Region is the bucket's region; empty asks the server once.
	Region string
	// AccessKey and SecretKey sign requests (AWS signature version 4).
	AccessKey, SecretKey string
	// UseTLS selects https.
	UseTLS bool
	// Addressing chooses path-style or virtual-host requests.
	Addressing Addressing
	// Prefix is prepended to every key, e.g. "pacslite/", so one bucket can
	// hold other data or several archives. A missing trailing "/" is added.
	// With a prefix, the longest key S3 accepts is 1024 bytes less its length.
	Prefix string
	// PartSize is the size of each part of a multipart upload and of the
	// buffer one Put holds; 0 means DefaultPartSize. At least MinPartSize.
	PartSize int64
	// Transport overrides the HTTP transport (tests); nil uses minio-go's.
	Transport http.RoundTripper
}

// Store keeps blobs in an S3 bucket. It is safe for concurrent use.
type Store struct {
	client   *minio.Client
	core     minio.Core // the same client, with the low-level calls
	bucket   string
	prefix   string
	endpoint string // for error messages
	partSize int64
	bufs     *buffers
}

var (
	_ blob.Store       = (*Store)(nil)
	_ blob.RangeOpener = (*Store)(nil)
	_ blob.Stater      = (*Store)(nil)
	_ blob.Lister      = (*Store)(nil)
	_ blob.Pinger      = (*Store)(nil)
)

// New returns a Store for the bucket. It does not contact the server: call
// Ping to check the bucket is reachable and writable.
func New(opts Options) (*Store, error) {
	var errs []error
	if opts.Endpoint == "" {
		errs = append(errs, errors.New("no endpoint"))
	} else if strings.Contains(opts.Endpoint, "://") || strings.Contains(opts.Endpoint, "/") {
		errs = append(errs, fmt.Errorf("endpoint %q must be host[:port], without scheme or path", opts.Endpoint))
	}
	if opts.Bucket == "" {
		errs = append(errs, errors.New("no bucket"))
	}
	prefix := opts.Prefix
	if prefix != "" {
		prefix = strings.TrimSuffix(prefix, "/")
		if err := blob.ValidateKey(prefix); err != nil {
			errs = append(errs, fmt.Errorf("prefix %q: %w", opts.Prefix, err))
		}
		prefix += "/"
	}
	part := opts.PartSize
	if part == 0 {
		part = DefaultPartSize
	}
	if part < MinPartSize {
		errs = append(errs, fmt.Errorf("part size %d is below S3's minimum of %d", part, MinPartSize))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("s3blob: %w", err)
	}
	lookup := minio.BucketLookupAuto
	switch opts.Addressing {
	case AddressPath:
		lookup = minio.BucketLookupPath
	case AddressVirtualHost:
		lookup = minio.BucketLookupDNS
	}
	client, err := minio.New(opts.Endpoint, &minio.Options{
		Creds:        credentials.NewStaticV4(opts.AccessKey, opts.SecretKey, ""),
		Secure:       opts.UseTLS,
		Region:       opts.Region,
		BucketLookup: lookup,
		Transport:    opts.Transport,
	})
	if err != nil {
		return nil, fmt.Errorf("s3blob: %w", err)
	}
	return &Store{
		client:   client,
		core:     minio.Core{Client: client},
		bucket:   opts.Bucket,
		prefix:   prefix,
		endpoint: opts.Endpoint,
		partSize: part,
		bufs:     newBuffers(int(part)),
	}, nil
}

// object returns the object name of key, or an error wrapping
// blob.ErrInvalidKey.
func (s *Store) object(op, key string) (string, error) {
	if err := blob.ValidateKey(key); err != nil {
		return "", fmt.Errorf("s3blob: %s: %w", op, err)
	}
	if len(s.prefix)+len(key) > maxObjectName {
		return "", fmt.Errorf("s3blob: %s: %w: %d bytes with the prefix %q, over S3's %d",
			op, blob.ErrInvalidKey, len(s.prefix)+len(key), s.prefix, maxObjectName)
	}
	return s.prefix + key, nil
}

// wrap turns an S3 error into the package's form: a missing object wraps
// blob.ErrNotFound; a missing bucket or refused credentials say so.
func (s *Store) wrap(op, key string, err error) error {
	resp := minio.ToErrorResponse(err)
	switch {
	case resp.Code == "NoSuchKey":
		return fmt.Errorf("s3blob: %s %s: %w", op, key, blob.ErrNotFound)
	case resp.Code == "NoSuchBucket":
		return fmt.Errorf("s3blob: %s %s: bucket %q does not exist at %s: %w", op, key, s.bucket, s.endpoint, err)
	case authCodes[resp.Code] || resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return fmt.Errorf("s3blob: %s %s: access to bucket %q at %s refused (check the access key, secret key and bucket policy): %w",
			op, key, s.bucket, s.endpoint, err)
	}
	return fmt.Errorf("s3blob: %s %s: %w", op, key, err)
}

// authCodes are the error codes of refused credentials; versitygw answers
// an unknown access key with its own code and status 404.
var authCodes = map[string]bool{
	"AccessDenied": true, "InvalidAccessKeyId": true, "SignatureDoesNotMatch": true,
	"XAdminUserNotFound": true,
}

// Delete removes the object. S3 reports success for a missing key too.
func (s *Store) Delete(ctx context.Context, key string) error {
	name, err := s.object("delete", key)
	if err != nil {
		return err
	}
	if err := s.client.RemoveObject(ctx, s.bucket, name, minio.RemoveObjectOptions{}); err != nil {
		if minio.ToErrorResponse(err).Code == "NoSuchKey" {
			return nil
		}
		return s.wrap("delete", key, err)
	}
	return nil
}

// ctxReader stops a copy once ctx is done, checking before every read, so
// a cancelled Put stops reading its source at once.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
