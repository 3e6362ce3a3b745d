// Package s3test connects tests to the S3 server that the test command
// (test.sh) starts on loopback, described by PACSLITE_TEST_S3_*
// environment variables. Without them a test skips, except under CI=true,
// where it fails: CI never skips the S3 tests.
package s3test
