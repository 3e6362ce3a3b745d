package conformance

import (
	"bytes"
	"context"
	"crypto/sha256"
	le "encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pacslite/pacslite/store/blob/s3blob/s3test"
)

// TestCrashRecovery ingests over HTTP while killing the server with
// SIGKILL at random moments, restarts it on the same data folder, and
// checks that every instance a STOW-RS response acknowledged is there,
// byte for byte, that no index row lacks its blob, and that `pacslite fsck`
// finds the store consistent once it has removed the crash's orphans.
func TestCrashRecovery(t *testing.T) {
	for _, kind := range []string{"fs", "s3"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			skipInS3Pass(t)
			if kind == "s3" {
				s3test.Require(t)
			}
			testCrashRecovery(t, kind)
		})
	}
}

const (
	crashRounds  = 5
	crashWorkers = 2
	bigEvery     = 8        // one request in bigEvery carries a large instance
	bigSize      = 20 << 20 // crosses the S3 store's 16 MiB multipart threshold
)

func testCrashRecovery(t *testing.T, kind string) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	dataDir := t.TempDir()
	gen := newInstanceGen(t)
	ledgers := make([]*ledger, crashWorkers)
	for w := range ledgers {
		ledgers[w] = &ledger{versions: map[string]*instanceState{}}
	}

	for round := range crashRounds {
		s := startServerIn(t, dataDir, withBlob(t, kind))
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for w := range crashWorkers {
			wg.Add(1)
			wrng := rand.New(rand.NewPCG(seed, uint64(round*crashWorkers+w+1)))
			go func() {
				defer wg.Done()
				ingest(ctx, s, gen, ledgers[w], w, wrng)
			}()
		}
		time.Sleep(time.Duration(150+rng.IntN(1200)) * time.Millisecond)
		s.cmd.Process.Kill()
		err := <-s.done
		s.done <- err
		cancel()
		wg.Wait()
		acked := 0
		for _, l := range ledgers {
			acked += l.acked
		}
		t.Logf("round %d: killed; %d instances acknowledged so far", round, acked)
	}

	verifyArchive(t, startServerIn(t, dataDir, withBlob(t, kind)), gen, ledgers)

	env := fsckEnv(t, kind, dataDir)
	rep := runFsck(t, env, "--data", dataDir)
	if len(rep.Missing) != 0 {
		t.Fatalf("fsck after the crashes: index rows without blobs: %q", rep.Missing)
	}
	t.Logf("fsck: %d blobs, %d rows, %d orphans, %d young", rep.Blobs, rep.Rows, len(rep.Orphans), rep.Young)
	// The crash orphans are minutes old at most: only grace 0 takes them.
	rep = runFsck(t, env, "--data", dataDir, "--repair", "--grace", "0")
	if len(rep.Missing) != 0 || !rep.Consistent {
		t.Fatalf("fsck --repair --grace 0: %+v, want consistent", rep)
	}
	t.Logf("fsck --repair --grace 0: removed %d orphans, cleaned %d interrupted writes", len(rep.Removed), rep.Cleaned)
	rep = runFsck(t, env, "--data", dataDir, "--grace", "0")
	if !rep.Consistent || len(rep.Orphans) != 0 || rep.Blobs != rep.Rows {
		t.Errorf("fsck after repair: %+v, want consistent with one blob per row", rep)
	}
	// Repair removed only orphans.
	verifyArchive(t, startServerIn(t, dataDir, withBlob(t, kind)), gen, ledgers)
}

// instanceState is what one SOP instance may hold after a crash.
type instanceState struct {
	study, series string
	acked         bool
	ok            map[string]bool // sha256 of the acceptable versions
}

// ledger is one client's record of what it sent and what was
// acknowledged; each client has SOP Instance UIDs of its own.
type ledger struct {
	versions map[string]*instanceState // by SOP Instance UID
	order    []string                  // acknowledged SOP UIDs, for replacements
	next     int
	acked    int
}

// ingest sends STOW-RS requests until the server dies or ctx ends: new
// instances mostly, replacements of acknowledged ones sometimes, now and
// then a large one.
func ingest(ctx context.Context, s *server, gen *instanceGen, l *ledger, worker int, rng *rand.Rand) {
	for n := 0; ctx.Err() == nil; n++ {
		var files [][]byte
		var sops []string
		count := 1 + rng.IntN(3)
		for range count {
			var sop string
			if len(l.order) > 0 && rng.IntN(5) == 0 {
				sop = l.order[rng.IntN(len(l.order))] // a new version of a stored one
			} else {
				l.next++
				sop = gen.uid(worker, l.next)
			}
			size := 0
			if n%bigEvery == bigEvery-1 && len(files) == 0 {
				size = bigSize
			}
			b := gen.instance(sop, rng.Uint32(), size)
			st := l.versions[sop]
			if st == nil {
				st = &instanceState{study: gen.base.study, series: gen.base.series, ok: map[string]bool{}}
				l.versions[sop] = st
			}
			st.ok[digestOf(b)] = true // may be stored even if never acknowledged
			files = append(files, b)
			sops = append(sops, sop)
		}
		body, boundary := multipartBody(dicomParts(files...)...)
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.Root+"/studies", bytes.NewReader(body))
		if err != nil {
			panic(err)
		}
		req.Header.Set("Content-Type", `multipart/related; type="application/dicom"; boundary=`+boundary)
		resp, err := client.Do(req)
		if err != nil {
			return // killed
		}
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			return
		}
		for i, sop := range sops {
			st := l.versions[sop]
			if !st.acked {
				l.order = append(l.order, sop)
				l.acked++
			}
			st.acked = true
			st.ok = map[string]bool{digestOf(files[i]): true}
		}
	}
}

// verifyArchive checks, on a restarted server, that every acknowledged
// instance holds an acceptable version and that every instance QIDO-RS
// lists can be retrieved (no row without its blob). It stops the server.
func verifyArchive(t *testing.T, s *server, gen *instanceGen, ledgers []*ledger) {
	t.Helper()
	defer s.stop()
	all := map[string]*instanceState{}
	for _, l := range ledgers {
		for sop, st := range l.versions {
			all[sop] = st
		}
	}
	listed := map[string]bool{}
	const page = 1000
	for offset := 0; ; offset += page {
		objs := s.qido(t, fmt.Sprintf("/studies/%s/instances?limit=%d&offset=%d", gen.base.study, page, offset))
		for _, sop := range uids(objs, tagSOPInstanceUID) {
			listed[sop] = true
		}
		if len(objs) < page {
			break
		}
	}
	acked := 0
	for sop, st := range all {
		if !st.acked && !listed[sop] {
			continue // never acknowledged, not stored: fine
		}
		if st.acked {
			acked++
			if !listed[sop] {
				t.Errorf("acknowledged instance %s is not listed by QIDO-RS", sop)
			}
		}
		r := s.get(t, "/studies/"+st.study+"/series/"+st.series+"/instances/"+sop, acceptDICOMAny)
		if r.Status != http.StatusOK {
			t.Errorf("instance %s (acknowledged %v): retrieve status %d, want 200", sop, st.acked, r.Status)
			continue
		}
		parts := readParts(t, r, "application/dicom")
		if len(parts) != 1 || !st.ok[digestOf(parts[0].Body)] {
			t.Errorf("instance %s (acknowledged %v): retrieved bytes are none of the versions sent", sop, st.acked)
		}
	}
	for sop := range listed {
		if all[sop] == nil {
			t.Errorf("QIDO-RS lists instance %s, which no client sent", sop)
		}
	}
	if acked == 0 {
		t.Errorf("no instance was acknowledged: the server was killed too early to test anything")
	}
	t.Logf("verified %d acknowledged and %d other listed instances", acked, len(listed)-acked)
}

func digestOf(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// fsckReport is `pacslite fsck --json`'s output.
type fsckReport struct {
	Blobs      int               `json:"blobs"`
	Rows       int               `json:"rows"`
	Orphans    []json.RawMessage `json:"orphans"`
	Removed    []json.RawMessage `json:"removed"`
	Young      int               `json:"young"`
	Missing    []string          `json:"missing"`
	Cleaned    int               `json:"cleaned_writes"`
	Consistent bool              `json:"consistent"`
}

// fsckEnv is the environment that points `pacslite fsck` at the blob
// store a server on dataDir uses.
func fsckEnv(t *testing.T, kind, dataDir string) []string {
	env := append(os.Environ(), "PACSLITE_DATA=")
	if kind == "s3" {
		return append(env, s3Env(t, dataDir)...)
	}
	return append(env, fsEnv...)
}

// runFsck runs `pacslite fsck --json` with args and returns its report;
// exit status 1 (inconsistent) is a report too.
func runFsck(t *testing.T, env []string, args ...string) fsckReport {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"fsck", "--json"}, args...)...)
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); err != nil && (!ok || ee.ExitCode() != 1) {
		t.Fatalf("pacslite fsck %q: %v\n%s", args, err, stderr.String())
	}
	var rep fsckReport
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("pacslite fsck %q: output is not its JSON report: %v\n%s\n%s", args, err, out, stderr.String())
	}
	if (err == nil) != rep.Consistent {
		t.Errorf("pacslite fsck %q: exit error %v with consistent=%v", args, err, rep.Consistent)
	}
	return rep
}

// instanceGen makes DICOM instances from CT_small with new SOP Instance
// UIDs and distinct pixel data.
type instanceGen struct {
	base      testFile
	header    []byte // CT_small up to its Pixel Data element
	pixelsLen int
}

func newInstanceGen(t testing.TB) *instanceGen {
	t.Helper()
	f := corpusFile("pydicom/CT_small.dcm")
	b := readTestdata(t, f.path)
	i := bytes.LastIndex(b, []byte("\xe0\x7f\x10\x00OW\x00\x00"))
	if i < 0 {
		t.Fatalf("%s: no OW Pixel Data element", f.path)
	}
	return &instanceGen{base: f, header: b[:i], pixelsLen: int(le.LittleEndian.Uint32(b[i+8:]))}
}

// uid returns a SOP Instance UID for a worker's n-th instance, as long as
// CT_small's, so that patching it keeps every length.
func (g *instanceGen) uid(worker, n int) string {
	return fmt.Sprintf("2.25.%d%0*d", 1+worker, len(g.base.instance)-6, n)
}

// instance returns an instance with SOP Instance UID sop whose pixel data
// starts with version; size 0 keeps CT_small's pixel data length, else the
// pixel data is size bytes of a pattern.
func (g *instanceGen) instance(sop string, version uint32, size int) []byte {
	n := g.pixelsLen
	if size > 0 {
		n = size
	}
	var b bytes.Buffer
	b.Grow(len(g.header) + 12 + n)
	b.Write(bytes.ReplaceAll(g.header, []byte(g.base.instance), []byte(sop)))
	b.WriteString("\xe0\x7f\x10\x00OW\x00\x00")
	le.Write(&b, le.LittleEndian, uint32(n))
	pixels := make([]byte, n)
	rand.NewChaCha8([32]byte{byte(version), byte(version >> 8), byte(version >> 16), byte(version >> 24)}).Read(pixels)
	le.LittleEndian.PutUint32(pixels, version)
	b.Write(pixels)
	return b.Bytes()
}

// TestSweep: the server's periodic sweep removes orphan blobs older than
// its grace period and nothing else. The orphans are planted as files; on
// S3 they land in the bucket through its link to DATA/blobs.
func TestSweep(t *testing.T) {
	for _, kind := range []string{"fs", "s3"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			skipInS3Pass(t)
			if kind == "s3" {
				s3test.Require(t)
			}
			testSweep(t, kind)
		})
	}
}

func testSweep(t *testing.T, kind string) {
	dataDir := t.TempDir()
	s := startServerIn(t, dataDir, withBlob(t, kind), withEnv("PACSLITE_SWEEP_INTERVAL=300ms", "PACSLITE_SWEEP_GRACE=1m"))
	s.stowFiles(t, "pydicom/CT_small.dcm")
	stored := blobFiles(t, dataDir)
	if len(stored) != 1 {
		t.Fatalf("blob files after one STOW: %q", stored)
	}
	old := time.Now().Add(-2 * time.Hour)
	plant := func(rel string, mod time.Time) string {
		p := filepath.Join(dataDir, "blobs", filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("orphan"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mod, mod); err != nil {
			t.Fatal(err)
		}
		return p
	}
	orphan := plant("instances/1.2.3/4.5/6.7.0123456789abcdef.dcm", old)
	young := plant("instances/1.2.3/4.5/6.8.0123456789abcdef.dcm", time.Now())
	outside := plant("elsewhere/old.dcm", old)
	// In use and old: the sweep must leave it.
	if err := os.Chtimes(stored[0], old, old); err != nil {
		t.Fatal(err)
	}

	pollUntil(t, "the sweep to remove the orphan", func() bool {
		_, err := os.Stat(orphan)
		return os.IsNotExist(err)
	})
	for _, p := range []string{young, outside, stored[0]} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("the sweep removed %s: %v", p, err)
		}
	}
	f := corpusFile("pydicom/CT_small.dcm")
	r := s.get(t, "/studies/"+f.study+"/series/"+f.series+"/instances/"+f.instance, acceptDICOMAny)
	wantStatus(t, r, http.StatusOK, "retrieve after the sweep")
	if !strings.Contains(s.logs.String(), `"message":"sweep: removed orphan blob"`) {
		t.Errorf("the server did not log the removal")
	}
}

// pollUntil waits up to 30 s for cond.
func pollUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}
