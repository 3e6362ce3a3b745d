package conformance

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestHealth: /healthz and /readyz answer 200 on a running archive.
func TestHealth(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	for _, p := range []string{"/healthz", "/readyz"} {
		r := s.get(t, s.URL+p, "")
		wantStatus(t, r, http.StatusOK, p)
		if len(bytes.TrimSpace(r.Body)) == 0 {
			t.Errorf("%s: empty body", p)
		}
	}
}

// metric returns the value of one sample of the Prometheus text format,
// e.g. `pacslite_dicomweb_requests_total{service="stow",status="200"}`.
func metric(t *testing.T, s *server, sample string) float64 {
	t.Helper()
	r := s.get(t, s.URL+"/metrics", "")
	wantStatus(t, r, http.StatusOK, "/metrics")
	for _, line := range strings.Split(string(r.Body), "\n") {
		if rest, ok := strings.CutPrefix(line, sample+" "); ok {
			v, err := strconv.ParseFloat(strings.Fields(rest)[0], 64)
			if err != nil {
				t.Fatalf("metric line %q: %v", line, err)
			}
			return v
		}
	}
	return 0
}

// TestMetrics counts requests per service and status and the bytes
// ingested.
func TestMetrics(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ct, mr := readTestdata(t, "pydicom/CT_small.dcm"), readTestdata(t, "pydicom/MR_small.dcm")
	s.stowBytes(t, ct, mr)
	const stow200 = `pacslite_dicomweb_requests_total{service="stow",status="200"}`
	const ingested = "pacslite_dicomweb_ingested_bytes_total"
	if got := metric(t, s, stow200); got != 1 {
		t.Errorf("%s = %v after one STOW, want 1", stow200, got)
	}
	if got, want := metric(t, s, ingested), float64(len(ct)+len(mr)); got != want {
		t.Errorf("%s = %v, want %v (the two files' sizes)", ingested, got, want)
	}
	// The same bytes again: a request more, no byte more.
	s.stowBytes(t, ct)
	if got := metric(t, s, stow200); got != 2 {
		t.Errorf("%s = %v after two STOWs, want 2", stow200, got)
	}
	if got, want := metric(t, s, ingested), float64(len(ct)+len(mr)); got != want {
		t.Errorf("%s = %v after storing the same bytes again, want %v", ingested, got, want)
	}
	// The portal's own in-process DICOMweb calls (matching new studies to
	// accounts) count too, so compare before and after.
	samples := []string{
		`pacslite_dicomweb_requests_total{service="qido",status="200"}`,
		`pacslite_dicomweb_requests_total{service="metadata",status="404"}`,
	}
	before := map[string]float64{}
	for _, sample := range samples {
		before[sample] = metric(t, s, sample)
	}
	s.qido(t, "/studies")
	s.get(t, "/studies/1.2.3.4/metadata", "")
	for _, sample := range samples {
		if got := metric(t, s, sample) - before[sample]; got != 1 {
			t.Errorf("%s grew by %v after one request, want 1", sample, got)
		}
	}
}

// waitFor polls cond every 20 ms for up to 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// TestGracefulShutdown sends SIGTERM while a STOW request is half sent:
// the request completes, the server exits 0, and after a restart on the
// same data folder the instances are there.
func TestGracefulShutdown(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ct, mr := readTestdata(t, "pydicom/CT_small.dcm"), readTestdata(t, "pydicom/MR_small.dcm")
	body, boundary := multipartBody(dicomParts(ct, mr)...)
	pr, pw := io.Pipe()
	req, err := http.NewRequest(http.MethodPost, s.Root+"/studies", pr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", `multipart/related; type="application/dicom"; boundary=`+boundary)
	type result struct {
		status int
		body   []byte
		err    error
	}
	done := make(chan result, 1)
	go func() {
		resp, err := client.Do(req)
		if err != nil {
			done <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		done <- result{status: resp.StatusCode, body: b, err: err}
	}()

	half := len(body) / 2 // inside the first part
	if _, err := pw.Write(body[:half]); err != nil {
		t.Fatal(err)
	}
	spool := filepath.Join(s.DataDir, "spool")
	waitFor(t, "the server to spool the first part", func() bool { return len(filesUnder(t, spool)) > 0 })
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the server to start shutting down", func() bool { return strings.Contains(s.logs.String(), "shutting down") })
	time.Sleep(100 * time.Millisecond)
	for i := half; i < len(body); i += 4096 {
		if _, err := pw.Write(body[i:min(i+4096, len(body))]); err != nil {
			t.Fatalf("writing the rest of the body: %v", err)
		}
	}
	pw.Close()

	var res result
	select {
	case res = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the in-flight STOW did not complete")
	}
	if res.err != nil || res.status != http.StatusOK {
		t.Fatalf("in-flight STOW: status %d, error %v, body %.300q; want 200", res.status, res.err, res.body)
	}
	if n := len(decodeObject(t, res.body).items(tagReferencedSOPSequence)); n != 2 {
		t.Errorf("in-flight STOW stored %d instances, want 2", n)
	}
	select {
	case err := <-s.done:
		s.done <- err
		if err != nil {
			t.Errorf("pacslite exited with %v after SIGTERM, want status 0", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("pacslite did not exit after SIGTERM")
	}

	s2 := startServerIn(t, s.DataDir)
	if n := len(s2.qido(t, "/instances")); n != 2 {
		t.Errorf("after restart QIDO finds %d instances, want 2", n)
	}
	f := corpusFile("pydicom/CT_small.dcm")
	r := s2.get(t, "/studies/"+f.study+"/series/"+f.series+"/instances/"+f.instance, acceptDICOMAny)
	wantStatus(t, r, http.StatusOK, "retrieve after restart")
	if parts := readParts(t, r, "application/dicom"); len(parts) != 1 || !bytes.Equal(parts[0].Body, ct) {
		t.Errorf("the instance stored during shutdown is not intact after restart")
	}
}

// TestStowCutMidPart closes the connection in the middle of a part, then
// kills the server in the middle of another: nothing half stored becomes
// visible, and no spool file survives a restart.
func TestStowCutMidPart(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ct, mr := readTestdata(t, "pydicom/CT_small.dcm"), readTestdata(t, "pydicom/MR_small.dcm")
	ctFile, mrFile := corpusFile("pydicom/CT_small.dcm"), corpusFile("pydicom/MR_small.dcm")
	spool := filepath.Join(s.DataDir, "spool")

	// send writes the start of a STOW request up to byte at of its body and
	// returns the connection, still open.
	send := func(body []byte, boundary string, at int) net.Conn {
		t.Helper()
		host := strings.TrimPrefix(s.URL, "http://")
		conn, err := net.Dial("tcp", host)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(conn, "POST /dicomweb/studies HTTP/1.1\r\nHost: %s\r\nContent-Type: multipart/related; type=\"application/dicom\"; boundary=%s\r\nContent-Length: %d\r\n\r\n",
			host, boundary, len(body))
		if _, err := conn.Write(body[:at]); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the server to spool the part", func() bool { return len(filesUnder(t, spool)) > 0 })
		return conn
	}
	check := func(s *server) {
		t.Helper()
		got := uids(s.qido(t, "/instances"), tagSOPInstanceUID)
		for _, u := range got {
			if u == mrFile.instance {
				t.Errorf("the instance cut in the middle is visible")
			}
			if u == ctFile.instance {
				r := s.get(t, "/studies/"+ctFile.study+"/series/"+ctFile.series+"/instances/"+ctFile.instance, acceptDICOMAny)
				if parts := readParts(t, r, "application/dicom"); len(parts) != 1 || !bytes.Equal(parts[0].Body, ct) {
					t.Errorf("the complete first part is visible but not intact")
				}
			}
		}
		if n := len(blobFiles(t, s.DataDir)); n != len(got) {
			t.Errorf("%d blob files for %d visible instances", n, len(got))
		}
	}

	// The client goes away: in the only part, then in the second part (the
	// first, complete, may be stored; the second must not be).
	body, boundary := multipartBody(dicomParts(mr)...)
	send(body, boundary, bytes.Index(body, mr)+len(mr)/2).Close()
	waitFor(t, "the server to drop the spooled part", func() bool { return len(filesUnder(t, spool)) == 0 })
	body, boundary = multipartBody(dicomParts(ct, mr)...)
	send(body, boundary, bytes.Index(body, mr)+len(mr)/2).Close()
	waitFor(t, "the server to drop the spooled part", func() bool { return len(filesUnder(t, spool)) == 0 })
	check(s)

	// The server dies (SIGKILL) with a part half received.
	body, boundary = multipartBody(dicomParts(mr)...)
	conn := send(body, boundary, bytes.Index(body, mr)+len(mr)/2)
	defer conn.Close()
	if err := s.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := <-s.done; err == nil {
		t.Log("pacslite exited cleanly after SIGKILL?")
	}
	s.done <- nil
	s2 := startServerIn(t, s.DataDir)
	if files := filesUnder(t, spool); len(files) != 0 {
		t.Errorf("spool files after restart: %q", files)
	}
	check(s2)
}
