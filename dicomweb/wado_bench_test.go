package dicomweb

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkRetrieveStudy retrieves a study of 100 instances of 1 MB as
// stored (transfer-syntax=*) over real HTTP (httptest.Server), the client
// reading every byte: what a viewer or a router pulling a study costs.
func BenchmarkRetrieveStudy(b *testing.B) {
	h := newTestHandler(b)
	urls := storeCopies(b, h, "suyashkumar/5.dcm", 100)
	study := strings.Split(urls[0], "/")[3]
	srv := httptest.NewServer(h)
	defer srv.Close()
	c := srv.Client()
	for b.Loop() {
		req, _ := http.NewRequest("GET", srv.URL+"/dicomweb/studies/"+study, nil)
		req.Header.Set("Accept", `multipart/related; type="application/dicom"; transfer-syntax=*`)
		resp, err := c.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("GET study = %d", resp.StatusCode)
		}
		b.SetBytes(n)
	}
}
