package conformance

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// binary is the pacslite executable built once for all tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "pacslite-conformance-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "pacslite")
	args := []string{"build", "-o", binary}
	if raceEnabled {
		args = append(args, "-race")
	}
	build := exec.Command("go", append(args, "../cmd/pacslite")...)
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build pacslite:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// server is one running pacslite process.
type server struct {
	t       *testing.T
	URL     string // http://127.0.0.1:port
	Root    string // URL + "/dicomweb"
	DataDir string
	cmd     *exec.Cmd
	logs    *syncBuffer
	done    chan error
}

// serverOption adjusts how a server starts.
type serverOption func(*exec.Cmd)

// withEnv adds environment variables (KEY=VALUE).
func withEnv(kv ...string) serverOption {
	return func(c *exec.Cmd) { c.Env = append(c.Env, kv...) }
}

// startServer starts pacslite on a free loopback port with a fresh data
// folder and stops it when the test ends.
func startServer(t *testing.T, opts ...serverOption) *server {
	t.Helper()
	return startServerIn(t, t.TempDir(), opts...)
}

// startServerIn starts pacslite on an existing data folder (for restarts).
func startServerIn(t *testing.T, dataDir string, opts ...serverOption) *server {
	t.Helper()
	cmd := exec.Command(binary, "serve", "--addr", "127.0.0.1:0", "--data", dataDir, "--log-level", "debug")
	// The DICOMweb suite tests the archive, not authentication (auth_test.go
	// does): anonymous access on, and a fixed admin password so no one-time
	// password is printed.
	cmd.Env = append(os.Environ(), "PACSLITE_ADDR=", "PACSLITE_DATA=",
		"PACSLITE_DICOMWEB_ANONYMOUS=true", "PACSLITE_ADMIN_PASSWORD=conformance-admin")
	// The blob store every server uses unless an option says otherwise:
	// fs, or S3 when PACSLITE_CONFORMANCE_BLOB=s3 (see s3_test.go).
	cmd.Env = append(cmd.Env, defaultBlobEnv(t, dataDir)...)
	for _, o := range opts {
		o(cmd)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{t: t, DataDir: dataDir, cmd: cmd, logs: &syncBuffer{}, done: make(chan error, 1)}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Bytes()
			s.logs.Write(append(line, '\n'))
			var entry struct {
				Message string `json:"message"`
				Addr    string `json:"addr"`
			}
			if json.Unmarshal(line, &entry) == nil && entry.Message == "listening" {
				addr <- entry.Addr
			}
		}
	}()
	go func() { s.done <- cmd.Wait() }()
	select {
	case a := <-addr:
		s.URL = "http://" + a
		s.Root = s.URL + "/dicomweb"
	case err := <-s.done:
		t.Fatalf("pacslite exited before listening: %v\n%s", err, s.logs.String())
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("pacslite did not start listening in 30s\n%s", s.logs.String())
	}
	t.Cleanup(func() {
		s.stop()
		if t.Failed() {
			t.Logf("server log:\n%s", tail(s.logs.String(), 60))
		}
	})
	return s
}

// stop sends SIGTERM and waits for a clean exit; it is idempotent.
func (s *server) stop() error {
	if s.cmd.ProcessState != nil {
		return nil
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.done:
		s.done <- err
		return err
	case <-time.After(40 * time.Second):
		s.cmd.Process.Kill()
		return fmt.Errorf("pacslite did not stop in 40s")
	}
}

func tail(s string, lines int) string {
	parts := strings.Split(s, "\n")
	if len(parts) > lines {
		parts = parts[len(parts)-lines:]
	}
	return strings.Join(parts, "\n")
}

// syncBuffer is a bytes.Buffer safe for one writer and concurrent readers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var _ io.Writer = (*syncBuffer)(nil)
