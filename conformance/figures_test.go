package conformance

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	le "encoding/binary"
)

// Figures for the closing note: ingest and retrieve throughput on the fs
// and S3 stores with the same data, and the server's peak memory while a
// multi-gigabyte STOW-RS request streams into S3. Too slow for every run:
//
//	PACSLITE_FIGURES=1 go test ./conformance -run TestFigures -v        (throughput)
//	PACSLITE_FIGURES_GB=2 go test ./conformance -run TestFiguresBigStow -v
//
// Run them without -race (the server is built like the tests) and with
// test.sh's S3 server, or PACSLITE_TEST_S3_* pointing at another.

// bigClient sends and receives bodies of any size for as long as it takes.
var bigClient = &http.Client{Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 8}}

// stream returns an instance of CT_small's header with SOP Instance UID sop
// and n bytes of Pixel Data made from seed as it is read (never held in
// memory), and the instance's length. n must be even and below 4 GiB.
func (g *instanceGen) stream(sop string, n int64, seed uint64) (io.Reader, int64) {
	head := bytes.ReplaceAll(g.header, []byte(g.base.instance), []byte(sop))
	var el [12]byte
	copy(el[:], "\xe0\x7f\x10\x00OW\x00\x00")
	le.LittleEndian.PutUint32(el[8:], uint32(n))
	pixels := io.LimitReader(rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8), byte(seed >> 16)}), n)
	return io.MultiReader(bytes.NewReader(head), bytes.NewReader(el[:]), pixels), int64(len(head)) + 12 + n
}

// stowStream posts one instance, read from r (size bytes), as a STOW-RS
// request streamed from r, and returns the status.
func stowStream(t testing.TB, s *server, r io.Reader, size int64) int {
	t.Helper()
	const boundary = "figures-boundary-8c2f"
	head := "--" + boundary + "\r\nContent-Type: application/dicom\r\n\r\n"
	tail := "\r\n--" + boundary + "--\r\n"
	body := io.MultiReader(strings.NewReader(head), r, strings.NewReader(tail))
	req, err := http.NewRequest(http.MethodPost, s.Root+"/studies", body)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = int64(len(head)) + size + int64(len(tail))
	req.Header.Set("Content-Type", `multipart/related; type="application/dicom"; boundary=`+boundary)
	resp, err := bigClient.Do(req)
	if err != nil {
		t.Fatalf("STOW of %d bytes: %v", size, err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// retrieveHash GETs a whole instance (as stored) and returns the SHA-256
// of its single part and the bytes received.
func retrieveHash(t testing.TB, s *server, study, series, sop string) (string, int64) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.Root+"/studies/"+study+"/series/"+series+"/instances/"+sop, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", acceptDICOMAny)
	resp, err := bigClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("retrieve %s: status %d", sop, resp.StatusCode)
	}
	_, params, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("retrieve %s: Content-Type: %v", sop, err)
	}
	p, err := multipart.NewReader(resp.Body, params["boundary"]).NextPart()
	if err != nil {
		t.Fatalf("retrieve %s: %v", sop, err)
	}
	h := sha256.New()
	n, err := io.Copy(h, p)
	if err != nil {
		t.Fatalf("retrieve %s: %v", sop, err)
	}
	return hex.EncodeToString(h.Sum(nil)), n
}

// hashOf returns the SHA-256 of everything r yields.
func hashOf(t testing.TB, r io.Reader) string {
	t.Helper()
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// peakRSS returns the server process's peak resident memory (VmHWM) in
// bytes.
func peakRSS(t testing.TB, s *server) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmHWM in /proc/PID/status")
	return 0
}

// bigStow streams one instance of n pixel bytes into s, checks it comes
// back byte for byte, and returns the ingest and retrieve durations.
func bigStow(t *testing.T, s *server, n int64) (ingest, retrieve time.Duration) {
	g := newInstanceGen(t)
	sop := g.uid(7, int(n>>20))
	r, size := g.stream(sop, n, 99)
	start := time.Now()
	if st := stowStream(t, s, r, size); st != http.StatusOK {
		t.Fatalf("STOW of a %d-byte instance: status %d\n%s", size, st, tail(s.logs.String(), 20))
	}
	ingest = time.Since(start)
	r, _ = g.stream(sop, n, 99)
	want := hashOf(t, r)
	start = time.Now()
	got, m := retrieveHash(t, s, g.base.study, g.base.series, sop)
	retrieve = time.Since(start)
	if got != want || m != size {
		t.Errorf("retrieved %d bytes sha256 %s, want %d bytes sha256 %s", m, got, size, want)
	}
	return ingest, retrieve
}

const mib = 1 << 20

// TestFigures measures ingest and retrieve throughput on both stores.
func TestFigures(t *testing.T) {
	if os.Getenv("PACSLITE_FIGURES") == "" {
		t.Skip("set PACSLITE_FIGURES=1 to measure throughput")
	}
	const small, perRequest, clients = 2000, 10, 4
	const large, largeSize = 4, 256 * mib
	for _, kind := range []string{"fs", "s3"} {
		s := startServer(t, withBlob(t, kind), withEnv("PACSLITE_LOG_LEVEL=info"))
		g := newInstanceGen(t)
		// Small instances: CT_small (39 kB) with new UIDs, 10 per request,
		// 4 clients.
		var bytesSent int64
		var mu sync.Mutex
		var wg sync.WaitGroup
		start := time.Now()
		for c := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := c; i < small/perRequest; i += clients {
					var files [][]byte
					for j := range perRequest {
						files = append(files, g.instance(g.uid(c, i*perRequest+j), uint32(i), 0))
					}
					r := s.stowRaw(t, "/studies", dicomParts(files...))
					if r.Status != http.StatusOK {
						t.Errorf("STOW: status %d", r.Status)
						return
					}
					mu.Lock()
					for _, f := range files {
						bytesSent += int64(len(f))
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		el := time.Since(start).Seconds()
		t.Logf("%s: ingest %d small instances: %.0f instances/s, %.1f MB/s", kind, small, small/el, float64(bytesSent)/el/1e6)

		start = time.Now()
		r := s.get(t, "/studies/"+g.base.study, acceptDICOMAny)
		el = time.Since(start).Seconds()
		wantStatus(t, r, http.StatusOK, "retrieve study")
		t.Logf("%s: retrieve the study (%d instances, %.1f MB) in one request: %.1f MB/s", kind, small, float64(len(r.Body))/1e6, float64(len(r.Body))/el/1e6)

		var in, out time.Duration
		for range large {
			i, o := bigStow(t, s, largeSize)
			in += i
			out += o
		}
		mb := float64(large*largeSize) / 1e6
		t.Logf("%s: %d instances of %d MiB: ingest %.1f MB/s, retrieve %.1f MB/s; server peak RSS %d MiB",
			kind, large, largeSize/mib, mb/in.Seconds(), mb/out.Seconds(), peakRSS(t, s)/mib)
		s.stop()
	}
}

// TestFiguresBigStow streams one instance of PACSLITE_FIGURES_GB gigabytes
// into an S3-backed server and reports its peak memory.
func TestFiguresBigStow(t *testing.T) {
	gb, _ := strconv.ParseFloat(os.Getenv("PACSLITE_FIGURES_GB"), 64)
	if gb <= 0 {
		t.Skip("set PACSLITE_FIGURES_GB=2 to stream a 2 GB instance into S3")
	}
	n := int64(gb*(1<<30)) &^ 1
	s := startServer(t, withBlob(t, "s3"), withEnv("PACSLITE_LOG_LEVEL=info"))
	idle := peakRSS(t, s)
	in, out := bigStow(t, s, n)
	t.Logf("s3: one %.2f GiB instance: ingest %.1f MB/s (%v), retrieve %.1f MB/s (%v); server peak RSS %d MiB (%d MiB after start-up)",
		float64(n)/(1<<30), float64(n)/in.Seconds()/1e6, in.Round(time.Millisecond), float64(n)/out.Seconds()/1e6,
		out.Round(time.Millisecond), peakRSS(t, s)/mib, idle/mib)
}
