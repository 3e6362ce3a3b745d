package dicomweb

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"os"
	"path/filepath"
	"testing"

	"github.com/pacslite/pacslite/dicomweb/dataset"
)

// BenchmarkStore sends STOW-RS requests of 50 instances each over real HTTP
// (httptest.Server) to the handler with the filesystem store: the body is
// streamed from a generator, so the client costs little. ns/op is per
// instance; every instance has its own SOP Instance UID.
func BenchmarkStore(b *testing.B) {
	for _, bb := range []struct{ name, file string }{
		{"CT_small_39KB", "pydicom/CT_small.dcm"},
		{"CT_2frames_1MB", "suyashkumar/5.dcm"},
	} {
		b.Run(bb.name, func(b *testing.B) {
			data, err := os.ReadFile(filepath.Join("..", "testdata", bb.file))
			if err != nil {
				b.Fatal(err)
			}
			uids, err := identifyBytes(data)
			if err != nil {
				b.Fatal(err)
			}
			h := newTestHandler(b)
			srv := httptest.NewServer(h)
			defer srv.Close()
			b.SetBytes(int64(len(data)))
			n := 0
			for b.Loop() {
				if n%50 == 0 {
					if err := postInstances(srv.URL, data, uids.sop, n, 50); err != nil {
						b.Fatal(err)
					}
				}
				n++
			}
		})
	}
}

// postInstances sends count copies of data, instance UIDs numbered from
// first, in one STOW-RS request streamed through a pipe.
func postInstances(base string, data []byte, sop string, first, count int) error {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		h := textproto.MIMEHeader{"Content-Type": {"application/dicom"}}
		for i := first; i < first+count; i++ {
			w, err := mw.CreatePart(h)
			if err == nil {
				_, err = w.Write(withUID(data, sop, i))
			}
			if err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		pw.CloseWithError(mw.Close())
	}()
	resp, err := http.Post(base+"/dicomweb/studies", `multipart/related; type="application/dicom"; boundary=`+mw.Boundary(), pr)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("STOW-RS = %d: %s", resp.StatusCode, body)
	}
	return nil
}

// withUID returns data with every occurrence of sop (the meta group's and
// the dataset's SOP Instance UID) replaced by 2.25.000...n of the same
// length, so that no element length changes.
func withUID(data []byte, sop string, n int) []byte {
	uid := fmt.Sprintf("2.25.%0*d", len(sop)-5, n)
	return bytes.ReplaceAll(data, []byte(sop), []byte(uid))
}

func identifyBytes(data []byte) (instanceUIDs, error) {
	f, err := dataset.Parse(bytes.NewReader(data), dataset.Options{})
	if err != nil {
		return instanceUIDs{}, err
	}
	return identify(f)
}
