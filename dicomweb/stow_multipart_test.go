package dicomweb

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/textproto"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/google/go-cmp/cmp"
)

// readResult is what a multipart reader made of a body.
type readResult struct {
	Parts []readPart
	Err   bool // NextPart failed (rather than ending with io.EOF)
}

type readPart struct {
	Header  textproto.MIMEHeader
	Body    string
	BodyErr bool
}

// readWith reads every part with next, each body by read (which may stop
// early: NextPart must skip the rest). It stops after a body that fails:
// what follows is not comparable, because mime/multipart then resumes
// wherever its decoder stopped (a quoted-printable error leaves raw bytes
// it reads as an unexpected line), while stowReader skips to the next
// boundary and goes on.
func readWith(next func() (textproto.MIMEHeader, io.Reader, error), read func(io.Reader) ([]byte, error)) readResult {
	var res readResult
	for len(res.Parts) < 1000 {
		h, r, err := next()
		if err == io.EOF {
			return res
		}
		if err != nil {
			res.Err = true
			return res
		}
		b, err := read(r)
		res.Parts = append(res.Parts, readPart{Header: h, Body: string(b), BodyErr: err != nil})
		if err != nil {
			return res
		}
	}
	return res
}

// readStd reads body with mime/multipart, the reference.
func readStd(body []byte, boundary string, read func(io.Reader) ([]byte, error)) readResult {
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	return readWith(func() (textproto.MIMEHeader, io.Reader, error) {
		p, err := mr.NextPart()
		if err != nil {
			return nil, nil, err
		}
		return p.Header, p, nil
	}, read)
}

// readOurs reads body with stowReader over a buffer of size bytes, from a
// source that hands out one byte per read if slow is set.
func readOurs(body []byte, boundary string, size int, slow bool, read func(io.Reader) ([]byte, error)) (res readResult, headerTooLarge bool) {
	var src io.Reader = bytes.NewReader(body)
	if slow {
		src = iotest.OneByteReader(src)
	}
	mr := newStowReader(src, boundary, size)
	return readWith(func() (textproto.MIMEHeader, io.Reader, error) {
		p, err := mr.NextPart()
		if err != nil {
			headerTooLarge = headerTooLarge || strings.Contains(err.Error(), "header too large")
			return nil, nil, err
		}
		return p.Header, p, nil
	}, read), headerTooLarge
}

// Ways of reading a body: all of it through Read, all of it through
// WriteTo, and only the start (NextPart skips the rest).
var partReads = map[string]func(io.Reader) ([]byte, error){
	"Read": func(r io.Reader) ([]byte, error) { return io.ReadAll(onlyRead{r}) },
	"WriteTo": func(r io.Reader) ([]byte, error) {
		var b bytes.Buffer
		_, err := io.Copy(&b, r)
		return b.Bytes(), err
	},
	"first 3 bytes": func(r io.Reader) ([]byte, error) {
		b := make([]byte, 3)
		n, err := io.ReadFull(r, b)
		if err == io.ErrUnexpectedEOF || err == io.EOF {
			err = nil
		}
		return b[:n], err
	},
}

// onlyRead hides WriteTo, so that io.ReadAll uses Read.
type onlyRead struct{ io.Reader }

func TestStowReaderAgreesWithMimeMultipart(t *testing.T) {
	big := strings.Repeat("0123456789abcdef\r\n-", 700) // 14 KB across buffer ends
	tests := []struct{ name, body string }{
		{"two parts", "--b\r\nContent-Type: application/dicom\r\n\r\nDICM one\r\n--b\r\nContent-Type: application/dicom\r\n\r\ntwo\r\n--b--\r\n"},
		{"preamble and epilogue", "preamble line\r\n\r\n--b\r\n\r\nbody\r\n--b--\r\nepilogue"},
		{"LF line ends", "--b\nContent-Type: a/b\n\nbody\n--b\n\nsecond\n--b--\n"},
		{"transport padding", "--b \t\r\nX: y\r\n\r\nbody\r\n--b  \r\n\r\nz\r\n--b-- \r\n"},
		{"final boundary without line end", "--b\r\n\r\nbody\r\n--b--"},
		{"empty body", "--b\r\n\r\n\r\n--b\r\n\r\n--b--\r\n"},
		{"boundary look-alikes in the body", "--b\r\n\r\nx\r\n--bb\r\n--b-x\r\n--\r\n-b\r\n--b--\r\n"},
		{"large body", "--b\r\nContent-Type: application/dicom\r\n\r\n" + big + "\r\n--b\r\n\r\n" + big + big + "\r\n--b--\r\n"},
		{"quoted-printable", "--b\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\na=3Db=\r\nc\r\n--b--\r\n"},
		{"folded and repeated header lines", "--b\r\nX-A: 1\r\n  2\r\nX-A: 3\r\n\r\nbody\r\n--b--\r\n"},
		{"cut in a body", "--b\r\n\r\nbody without end"},
		{"cut in a header", "--b\r\nContent-Type: appl"},
		{"cut in a boundary", "--b\r\n\r\nbody\r\n--"},
		{"malformed header", "--b\r\nno colon here\r\n\r\nbody\r\n--b--\r\n"},
		{"garbage after a part", "--b\r\n\r\nbody\r\n--b\r\n\r\nx\r\n--b--\r\n"},
		{"unexpected line", "--b\r\n\r\nbody\r\n--b--x\r\n"},
		{"no boundary at all", "just some text\r\n"},
		{"empty", ""},
	}
	for _, tt := range tests {
		for how, read := range partReads {
			want := readStd([]byte(tt.body), "b", read)
			for _, size := range []int{64, 4096, bodyBufferSize} {
				for _, slow := range []bool{false, true} {
					got, _ := readOurs([]byte(tt.body), "b", size, slow, read)
					if diff := cmp.Diff(want, got); diff != "" {
						t.Errorf("%s, %s, buffer %d, one byte per read %v: differs from mime/multipart (-want +got):\n%s", tt.name, how, size, slow, diff)
					}
				}
			}
		}
	}
}

// FuzzSTOWReader checks that stowReader reads any body as mime/multipart
// does. Its buffer is mime/multipart's size, so that lines too long for
// either fail in both; only a part header too large for it may differ.
func FuzzSTOWReader(f *testing.F) {
	good, ct := stowBody(dicomPart(f, "pydicom/MR_small.dcm"), part{"", []byte("x")})
	f.Add(good[:3000], ct[strings.Index(ct, "boundary=")+len("boundary="):])
	f.Add([]byte("--b\nA: b\n\nbody\n--b\r\n\r\nx\n--b--"), "b")
	f.Add([]byte("--b\r\n\r\n\r\n--b\r\n\r\n--b--\r\n"), "b")
	f.Add([]byte("pre\r\n--b \r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=41\r\n--bb\r\n--b--"), "b")
	f.Fuzz(func(t *testing.T, body []byte, boundary string) {
		for how, read := range partReads {
			want := readStd(body, boundary, read)
			got, tooLarge := readOurs(body, boundary, 4096, false, read)
			if tooLarge {
				return
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("%s: differs from mime/multipart (-want +got):\n%s", how, diff)
			}
		}
	})
}

func TestStowReaderHeaderTooLarge(t *testing.T) {
	body := "--b\r\nX-Long: " + strings.Repeat("x", 5000) + "\r\n\r\nbody\r\n--b--\r\n"
	_, err := newStowReader(strings.NewReader(body), "b", 4096).NextPart()
	if err == nil || !strings.Contains(err.Error(), "too large") {
		t.Errorf("NextPart of a part whose header exceeds the buffer: error %v, want one saying it is too large", err)
	}
	p, err := newStowReader(strings.NewReader(body), "b", 8192).NextPart()
	if err != nil || len(p.Header.Get("X-Long")) != 5000 {
		t.Errorf("NextPart with a buffer the header fits: error %v", err)
	}
}

// TestStowReaderWaitsForNothingMore checks that a part and the start of
// its body are handed out as soon as they arrive: a client that streams
// may send the rest only later.
func TestStowReaderWaitsForNothingMore(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	go pw.Write([]byte("--b\r\nContent-Type: application/dicom\r\n\r\nDICM"))
	done := make(chan string, 1)
	go func() {
		p, err := newStowReader(pr, "b", 4096).NextPart()
		if err != nil {
			done <- "NextPart: " + err.Error()
			return
		}
		b := make([]byte, 4)
		if _, err := io.ReadFull(p, b); err != nil {
			done <- "Read: " + err.Error()
			return
		}
		done <- string(b)
	}()
	select {
	case got := <-done:
		if got != "DICM" {
			t.Errorf("first part's body starts %q, want DICM", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("NextPart or Read waits for more than the client has sent")
	}
}
