package s3test

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
)

// The variables test.sh exports.
const (
	EnvEndpoint  = "PACSLITE_TEST_S3_ENDPOINT" // host:port, plain http
	EnvAccessKey = "PACSLITE_TEST_S3_ACCESS_KEY"
	EnvSecretKey = "PACSLITE_TEST_S3_SECRET_KEY"
	EnvBucket    = "PACSLITE_TEST_S3_BUCKET" // exists, empty at the start of the run
	EnvRegion    = "PACSLITE_TEST_S3_REGION" // optional
	// EnvDir is the folder versitygw's posix backend serves, started with
	// --bucketlinks: a symbolic link placed in it is a bucket. Tests that
	// give a server a bucket of its own use it.
	EnvDir = "PACSLITE_TEST_S3_DIR"
)

// Server describes the test S3 server.
type Server struct {
	Endpoint, AccessKey, SecretKey, Bucket, Region string
	Dir                                            string // EnvDir; may be empty
}

// Lookup returns the server from the environment and whether it is set.
func Lookup() (Server, bool) {
	s := Server{
		Endpoint:  os.Getenv(EnvEndpoint),
		AccessKey: os.Getenv(EnvAccessKey),
		SecretKey: os.Getenv(EnvSecretKey),
		Bucket:    os.Getenv(EnvBucket),
		Region:    os.Getenv(EnvRegion),
		Dir:       os.Getenv(EnvDir),
	}
	return s, s.Endpoint != "" && s.AccessKey != "" && s.SecretKey != "" && s.Bucket != ""
}

// Require returns the server, or skips the test when the environment does
// not name one; under CI=true it fails the test instead.
func Require(t testing.TB) Server {
	t.Helper()
	s, ok := Lookup()
	if !ok {
		msg := "no S3 test server: set " + EnvEndpoint + ", " + EnvAccessKey + ", " + EnvSecretKey +
			" and " + EnvBucket + " (./test.sh starts one)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return s
}

// RandomPrefix returns a fresh key prefix such as "test-1f2e3d4c5b6a7988/".
func RandomPrefix() string {
	var b [8]byte
	rand.Read(b[:])
	return "test-" + hex.EncodeToString(b[:]) + "/"
}
