package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// backend starts one kind of server on a fresh data folder.
type backend interface {
	// Name is the column heading: "pacslite" or "Orthanc".
	Name() string
	// Start runs the server on a free loopback port with its data under
	// dir and returns once it answers HTTP.
	Start(ctx context.Context, dir string) (*server, error)
	// Version describes what is measured.
	Version() string
}

// server is a running server process this command started.
type server struct {
	name    string
	base    string // DICOMweb root, no trailing slash
	cmd     *exec.Cmd
	logPath string
	exited  chan struct{}
	waitErr error
}

// freePort returns a loopback port nobody listens on right now.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// startProcess runs cmd with output to logPath and waits until url answers
// 200, the process exits, or a minute passes.
func startProcess(ctx context.Context, name, base, readyURL, logPath string, cmd *exec.Cmd) (*server, error) {
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // never outlive the benchmark
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	s := &server{name: name, base: base, cmd: cmd, logPath: logPath, exited: make(chan struct{})}
	go func() {
		s.waitErr = cmd.Wait()
		logf.Close()
		close(s.exited)
	}()
	deadline := time.Now().Add(time.Minute)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, readyURL, nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		select {
		case <-s.exited:
			return nil, fmt.Errorf("%s exited at start-up (%v): %s", name, s.waitErr, s.logTail())
		case <-ctx.Done():
			s.stop()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, fmt.Errorf("%s did not answer %s within a minute: %s", name, readyURL, s.logTail())
		}
	}
}

// stop sends SIGTERM and waits for the process, killing it after a minute.
func (s *server) stop() error {
	select {
	case <-s.exited:
		return nil
	default:
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(time.Minute):
		s.cmd.Process.Kill()
		<-s.exited
		return fmt.Errorf("%s did not stop on SIGTERM; killed", s.name)
	}
	return nil
}

// logTail returns the end of the server's log, for error messages.
func (s *server) logTail() string {
	b, _ := os.ReadFile(s.logPath)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return strings.TrimSpace(string(b))
}

// procStatus reads a "kB" field of /proc/PID/status (VmHWM, VmRSS) in bytes.
func (s *server) procStatus(field string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// cpu returns the CPU time (user + system) the server has used so far.
func (s *server) cpu() time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / 100 // USER_HZ is 100 on Linux
}

// pacsliteBackend runs a pacslite binary.
type pacsliteBackend struct{ bin, version string }

func (pacsliteBackend) Name() string      { return "pacslite" }
func (b pacsliteBackend) Version() string { return b.version }

func (b pacsliteBackend) Start(ctx context.Context, dir string) (*server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	cmd := exec.Command(b.bin, "serve", "--addr", addr, "--data", filepath.Join(dir, "data"))
	// DICOMweb without credentials, as on a trusted network (the default
	// is changing while authentication is added).
	cmd.Env = append(os.Environ(), "PACSLITE_DICOMWEB_ANONYMOUS=true")
	return startProcess(ctx, "pacslite", "http://"+addr+"/dicomweb", "http://"+addr+"/healthz",
		filepath.Join(dir, "pacslite.log"), cmd)
}

// buildPacslite builds cmd/pacslite into dir.
func buildPacslite(ctx context.Context, repo, dir string) (string, error) {
	bin := filepath.Join(dir, "bin", "pacslite")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/pacslite")
	cmd.Dir = repo
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/pacslite: %w\n%s", err, out)
	}
	return bin, nil
}

func gitDescribe() string {
	out, err := exec.Command("git", "describe", "--always", "--dirty").Output()
	if err != nil {
		return "pacslite (no git)"
	}
	return "pacslite " + strings.TrimSpace(string(out))
}

var errNotInstalled = errors.New("not installed")
