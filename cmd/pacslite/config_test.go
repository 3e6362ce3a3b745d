package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// envOf returns a getenv over a map.
func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestServeConfigDefaults(t *testing.T) {
	c, err := parseServeConfig(nil, envOf(nil))
	if err != nil {
		t.Fatalf("parseServeConfig(no settings) error: %v", err)
	}
	want := BlobConfig{Kind: "fs", S3: S3Config{TLS: true, PathStyle: "auto"}}
	if diff := cmp.Diff(want, c.Blob); diff != "" {
		t.Errorf("default blob config (-want +got):\n%s", diff)
	}
	if c.SweepInterval != time.Hour || c.SweepGrace != time.Hour {
		t.Errorf("sweep interval, grace = %v, %v, want 1h, 1h", c.SweepInterval, c.SweepGrace)
	}
}

func TestServeConfigS3(t *testing.T) {
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "secret")
	if err := os.WriteFile(secretFile, []byte("s3cr3t\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"PACSLITE_BLOB":               "s3",
		"PACSLITE_S3_ENDPOINT":        "127.0.0.1:9000",
		"PACSLITE_S3_BUCKET":          "archive",
		"PACSLITE_S3_REGION":          "eu-west-1",
		"PACSLITE_S3_ACCESS_KEY":      "AKIA",
		"PACSLITE_S3_SECRET_KEY_FILE": secretFile,
		"PACSLITE_S3_TLS":             "false",
		"PACSLITE_S3_PATH_STYLE":      "true",
		"PACSLITE_S3_PREFIX":          "site-a/",
		"PACSLITE_SWEEP_INTERVAL":     "10m",
		"PACSLITE_SWEEP_GRACE":        "2h",
	}
	c, err := parseServeConfig([]string{"--s3-bucket", "from-flag"}, envOf(env))
	if err != nil {
		t.Fatalf("parseServeConfig error: %v", err)
	}
	want := BlobConfig{Kind: "s3", S3: S3Config{
		Endpoint: "127.0.0.1:9000", Bucket: "from-flag", Region: "eu-west-1", AccessKey: "AKIA",
		SecretKey: "s3cr3t", TLS: false, PathStyle: "true", Prefix: "site-a/",
	}}
	if diff := cmp.Diff(want, c.Blob); diff != "" {
		t.Errorf("blob config (-want +got):\n%s", diff)
	}
	if c.SweepInterval != 10*time.Minute || c.SweepGrace != 2*time.Hour {
		t.Errorf("sweep interval, grace = %v, %v, want 10m, 2h", c.SweepInterval, c.SweepGrace)
	}
}

// TestServeConfigErrors checks that every problem is reported at once.
func TestServeConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"s3 without settings", map[string]string{"PACSLITE_BLOB": "s3"},
			[]string{"s3-endpoint is empty", "s3-bucket is empty", "access key and secret key"}},
		{"s3 bad values", map[string]string{"PACSLITE_BLOB": "s3", "PACSLITE_S3_ENDPOINT": "https://s3.example.org",
			"PACSLITE_S3_BUCKET": "b", "PACSLITE_S3_ACCESS_KEY": "a", "PACSLITE_S3_SECRET_KEY": "s",
			"PACSLITE_S3_PATH_STYLE": "sometimes", "PACSLITE_S3_PREFIX": "../up"},
			[]string{"without scheme", "s3-path-style \"sometimes\"", "s3-prefix \"../up\""}},
		{"unknown store", map[string]string{"PACSLITE_BLOB": "tape"}, []string{`blob "tape" is not fs or s3`}},
		{"s3 settings on fs", map[string]string{"PACSLITE_S3_BUCKET": "b"}, []string{"blob is fs"}},
		{"secret twice", map[string]string{"PACSLITE_BLOB": "s3", "PACSLITE_S3_SECRET_KEY": "x",
			"PACSLITE_S3_SECRET_KEY_FILE": "/nonexistent", "PACSLITE_S3_TLS": "maybe"},
			[]string{"directly and as a file", `s3-tls "maybe"`}},
		{"secret file missing", map[string]string{"PACSLITE_S3_SECRET_KEY_FILE": "/nonexistent/secret"},
			[]string{"s3 secret key file"}},
		{"short grace", map[string]string{"PACSLITE_SWEEP_GRACE": "5s"}, []string{"sweep-grace 5s is below"}},
		{"bad durations", map[string]string{"PACSLITE_SWEEP_INTERVAL": "often", "PACSLITE_SWEEP_GRACE": "long"},
			[]string{`sweep-interval "often"`, `sweep-grace "long"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseServeConfig(nil, envOf(tt.env))
			if err == nil {
				t.Fatalf("parseServeConfig(%v) = nil error, want %q", tt.env, tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("parseServeConfig(%v) error %q does not mention %q", tt.env, err, w)
				}
			}
		})
	}
	// The sweep can be turned off, and then its grace does not matter.
	if _, err := parseServeConfig(nil, envOf(map[string]string{"PACSLITE_SWEEP_INTERVAL": "0", "PACSLITE_SWEEP_GRACE": "0s"})); err != nil {
		t.Errorf("sweep off with grace 0: error %v, want nil", err)
	}
}
