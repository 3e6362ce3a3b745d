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
		pieces := bytes.Split(data, []byte(sop))
		for i := first; i < first+count; i++ {
			w, err := mw.CreatePart(h)
			if err == nil {
				err = writeWithUID(w, pieces, len(sop), i)
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

// writeWithUID writes the data that pieces were split from (at every
// occurrence of the SOP Instance UID, in the meta group and the dataset)
// with 2.25.000...n of the same length in the UID's place, so that no
// element length changes. Writing the pieces instead of building a new
// copy keeps the client's CPU out of the server's profile.
func writeWithUID(w io.Writer, pieces [][]byte, sopLen, n int) error {
	uid := []byte(fmt.Sprintf("2.25.%0*d", sopLen-5, n))
	for i, p := range pieces {
		if i > 0 {
			if _, err := w.Write(uid); err != nil {
				return err
			}
		}
		if _, err := w.Write(p); err != nil {
			return err
		}
	}
	return nil
}

func identifyBytes(data []byte) (instanceUIDs, error) {
	f, err := dataset.Parse(bytes.NewReader(data), dataset.Options{})
	if err != nil {
		return instanceUIDs{}, err
	}
	return identify(f)
}
