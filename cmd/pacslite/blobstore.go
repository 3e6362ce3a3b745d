package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/pacslite/pacslite/store/blob"
	"github.com/pacslite/pacslite/store/blob/fsblob"
	"github.com/pacslite/pacslite/store/blob/s3blob"
)

// blobPrefix is the part of the key space the archive's instances live in
// (dicomweb's STOW-RS writes "instances/STUDY/SERIES/SOP.DIGEST.dcm"): the
// orphan sweep never looks outside it.
const blobPrefix = "instances/"

// BlobConfig chooses and configures the blob store; `serve` and `fsck`
// share it.
type BlobConfig struct {
	Kind string // "fs": files under DATA/blobs; "s3": an S3 bucket
	S3   S3Config
}

// S3Config is the bucket PACSLITE_BLOB=s3 stores instances in.
type S3Config struct {
	Endpoint  string // host[:port]
	Bucket    string
	Region    string
	AccessKey string
	SecretKey string
	TLS       bool
	PathStyle string // "auto", "true" (path style) or "false" (virtual host)
	Prefix    string
}

// blobFlags registers the blob store flags on fs, with defaults from the
// environment. The function it returns, called after fs.Parse, builds the
// BlobConfig and reports the values it could not read.
func blobFlags(fs *flag.FlagSet, getenv func(string) string) func() (BlobConfig, []error) {
	env := func(key, def string) string {
		if v := getenv(key); v != "" {
			return v
		}
		return def
	}
	kind := fs.String("blob", env("PACSLITE_BLOB", "fs"), "where instance files go: fs (the data folder) or s3 (PACSLITE_BLOB)")
	endpoint := fs.String("s3-endpoint", env("PACSLITE_S3_ENDPOINT", ""), "S3 server host[:port], e.g. s3.eu-west-1.amazonaws.com (PACSLITE_S3_ENDPOINT)")
	bucket := fs.String("s3-bucket", env("PACSLITE_S3_BUCKET", ""), "S3 bucket; must exist (PACSLITE_S3_BUCKET)")
	region := fs.String("s3-region", env("PACSLITE_S3_REGION", ""), "S3 region; empty asks the server (PACSLITE_S3_REGION)")
	access := fs.String("s3-access-key", env("PACSLITE_S3_ACCESS_KEY", ""), "S3 access key (PACSLITE_S3_ACCESS_KEY)")
	accessFile := fs.String("s3-access-key-file", env("PACSLITE_S3_ACCESS_KEY_FILE", ""), "file holding the S3 access key (PACSLITE_S3_ACCESS_KEY_FILE)")
	secret := fs.String("s3-secret-key", env("PACSLITE_S3_SECRET_KEY", ""), "S3 secret key; prefer the environment or a file, a flag shows in ps (PACSLITE_S3_SECRET_KEY)")
	secretFile := fs.String("s3-secret-key-file", env("PACSLITE_S3_SECRET_KEY_FILE", ""), "file holding the S3 secret key (PACSLITE_S3_SECRET_KEY_FILE)")
	tls := fs.String("s3-tls", env("PACSLITE_S3_TLS", "true"), "talk to S3 over https (PACSLITE_S3_TLS)")
	pathStyle := fs.String("s3-path-style", env("PACSLITE_S3_PATH_STYLE", "auto"), "bucket addressing: true for path style (ENDPOINT/BUCKET), false for virtual host (BUCKET.ENDPOINT), auto: virtual host for AWS and Google only (PACSLITE_S3_PATH_STYLE)")
	prefix := fs.String("s3-prefix", env("PACSLITE_S3_PREFIX", ""), "key prefix inside the bucket, e.g. pacslite/ (PACSLITE_S3_PREFIX)")
	return func() (BlobConfig, []error) {
		c := BlobConfig{Kind: *kind, S3: S3Config{
			Endpoint: *endpoint, Bucket: *bucket, Region: *region, PathStyle: *pathStyle, Prefix: *prefix,
		}}
		var errs []error
		var err error
		if c.S3.AccessKey, err = valueOrFile("s3 access key", *access, *accessFile); err != nil {
			errs = append(errs, err)
		}
		if c.S3.SecretKey, err = valueOrFile("s3 secret key", *secret, *secretFile); err != nil {
			errs = append(errs, err)
		}
		if c.S3.TLS, err = strconv.ParseBool(*tls); err != nil {
			errs = append(errs, fmt.Errorf("s3-tls %q is not true or false", *tls))
		}
		return c, errs
	}
}

// valueOrFile returns value, or the contents of file (trimmed) when value
// is empty; setting both is an error.
func valueOrFile(what, value, file string) (string, error) {
	switch {
	case value != "" && file != "":
		return "", fmt.Errorf("%s is given both directly and as a file; give one", what)
	case file == "":
		return value, nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("%s file: %w", what, err)
	}
	v := strings.TrimSpace(string(b))
	if v == "" {
		return "", fmt.Errorf("%s file %s is empty", what, file)
	}
	return v, nil
}

// Validate reports every problem of the blob settings.
func (c BlobConfig) Validate() []error {
	var errs []error
	s := c.S3
	switch c.Kind {
	case "fs":
		if s.Endpoint != "" || s.Bucket != "" {
			errs = append(errs, errors.New("S3 settings are given but blob is fs; set blob to s3 (PACSLITE_BLOB=s3) to use them"))
		}
		return errs
	case "s3":
	default:
		return append(errs, fmt.Errorf("blob %q is not fs or s3", c.Kind))
	}
	switch {
	case s.Endpoint == "":
		errs = append(errs, errors.New("s3-endpoint is empty"))
	case strings.Contains(s.Endpoint, "://") || strings.Contains(s.Endpoint, "/"):
		errs = append(errs, fmt.Errorf("s3-endpoint %q must be host[:port], without scheme or path (https is s3-tls)", s.Endpoint))
	}
	if s.Bucket == "" {
		errs = append(errs, errors.New("s3-bucket is empty"))
	}
	if s.AccessKey == "" || s.SecretKey == "" {
		errs = append(errs, errors.New("s3 access key and secret key are both required"))
	}
	switch s.PathStyle {
	case "auto", "true", "false":
	default:
		errs = append(errs, fmt.Errorf("s3-path-style %q is not auto, true or false", s.PathStyle))
	}
	if p := strings.TrimSuffix(s.Prefix, "/"); p != "" && blob.ValidateKey(p) != nil {
		errs = append(errs, fmt.Errorf("s3-prefix %q: use letters, digits, '.', '_', '-' and '/' separators", s.Prefix))
	}
	return errs
}

// s3Options turns the settings into s3blob's options.
func (c S3Config) s3Options() s3blob.Options {
	addr := s3blob.AddressAuto
	switch c.PathStyle {
	case "true":
		addr = s3blob.AddressPath
	case "false":
		addr = s3blob.AddressVirtualHost
	}
	return s3blob.Options{
		Endpoint: c.Endpoint, Bucket: c.Bucket, Region: c.Region,
		AccessKey: c.AccessKey, SecretKey: c.SecretKey,
		UseTLS: c.TLS, Addressing: addr, Prefix: c.Prefix,
	}
}

// openBlobStore opens the configured store and checks it is usable: the
// data folder's blobs directory, or an S3 bucket that must be reachable
// and writable.
func openBlobStore(ctx context.Context, c BlobConfig, dataDir string) (blob.Store, error) {
	if c.Kind != "s3" {
		s, err := fsblob.New(filepath.Join(dataDir, "blobs"))
		if err != nil {
			return nil, fmt.Errorf("open blob store: %w", err)
		}
		return s, nil
	}
	s, err := s3blob.New(c.S3.s3Options())
	if err != nil {
		return nil, fmt.Errorf("open blob store: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := s.Ping(pctx); err != nil {
		return nil, fmt.Errorf("the S3 bucket must exist and be writable: %w", err)
	}
	return s, nil
}

// cleanUploads removes what interrupted writes left that is not a blob:
// temporary files of the fs store, incomplete multipart uploads on S3. It
// returns how many it removed, or -1 when the store does not count them
// (fs).
func cleanUploads(ctx context.Context, s blob.Store, olderThan time.Duration) (int, error) {
	switch s := s.(type) {
	case *fsblob.Store:
		return -1, s.CleanTemp(olderThan)
	case *s3blob.Store:
		return s.CleanUploads(ctx, olderThan)
	}
	return 0, nil
}

// describeBlobs adds the blob store's location (never credentials) to a
// log event.
func describeBlobs(e *zerolog.Event, c BlobConfig, dataDir string) *zerolog.Event {
	if c.Kind == "s3" {
		return e.Str("blob", "s3").Str("s3_endpoint", c.S3.Endpoint).Str("s3_bucket", c.S3.Bucket).Str("s3_prefix", c.S3.Prefix)
	}
	return e.Str("blob", "fs").Str("blob_dir", filepath.Join(dataDir, "blobs"))
}
