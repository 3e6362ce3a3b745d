package dicomweb

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/multipart"
	"net/http/httptest"
	"testing"
)

// TestFramesStreamedAsRead checks that every frame sent (streamed from the
// blob or read into memory) is byte for byte what readFrame returns, for
// files that take each path: native little endian (streamed), big endian,
// deflated and 1-bit (converted in memory), compressed with known fragments
// from an Extended Offset Table or a fragment walk (streamed, several
// fragments per frame too) and from a Basic Offset Table only (read).
func TestFramesStreamedAsRead(t *testing.T) {
	for _, tt := range []struct {
		file     string
		streamed bool
	}{
		{"pydicom/CT_small.dcm", true},
		{"suyashkumar/5.dcm", true},
		{"pydicom/MR_small_bigendian.dcm", false},
		{"pydicom/image_dfl.dcm", false},
		{"crafted/pixels/bits1_3frames.dcm", false},
		{"crafted/pixels/CT5_jpeg_sv1_bot.dcm", false},
		{"crafted/pixels/CT5_jpeg_sv1_eot.dcm", true},
		{"crafted/pixels/CT5_jpeg_sv1_split.dcm", true},
		{"pydicom/MR_small_RLE.dcm", true},
	} {
		t.Run(tt.file, func(t *testing.T) {
			ctx := context.Background()
			h := newTestHandler(t)
			if w := storeAs(t, h, nil, tt.file); w.Code != 200 {
				t.Fatalf("STOW = %d: %s", w.Code, w.Body)
			}
			data := dicomPart(t, tt.file).body
			uids, err := identifyBytes(data)
			if err != nil {
				t.Fatal(err)
			}
			refs, err := h.opts.Index.Instances(ctx, uids.study, uids.series, uids.sop)
			if err != nil {
				t.Fatal(err)
			}
			v := newViewer(h)
			p, err := v.header(ctx, refs[0])
			if err != nil {
				t.Fatal(err)
			}
			path := "/dicomweb/studies/" + uids.study + "/series/" + uids.series + "/instances/" + uids.sop + "/frames/"
			for i := range p.frameCount() {
				want, err := v.readFrame(ctx, p, i)
				if err != nil {
					t.Fatal(err)
				}
				if got := p.storedRanges(i) != nil; got != tt.streamed {
					t.Errorf("frame %d streamed = %v, want %v", i+1, got, tt.streamed)
				}
				r := httptest.NewRequest("GET", path+itoa(i+1), nil)
				r.Header.Set("Accept", "multipart/related; type=application/octet-stream; transfer-syntax=*")
				w := serve(h, r)
				if w.Code != 200 {
					t.Fatalf("GET frame %d = %d: %s", i+1, w.Code, w.Body)
				}
				if cl := w.Header().Get("Content-Length"); cl != itoa(w.Body.Len()) {
					t.Errorf("frame %d: Content-Length %s, body %d bytes", i+1, cl, w.Body.Len())
				}
				parts := readParts(t, w)
				if len(parts) != 1 || !bytes.Equal(parts[0], want) {
					t.Errorf("frame %d: %d parts, want 1 part equal to readFrame's %d bytes", i+1, len(parts), len(want))
				}
			}
			if p.frameCount() > 1 {
				r := httptest.NewRequest("GET", path+"2,1", nil)
				r.Header.Set("Accept", "multipart/related; type=application/octet-stream; transfer-syntax=*")
				w := serve(h, r)
				parts := readParts(t, w)
				f2, _ := v.readFrame(ctx, p, 1)
				f1, _ := v.readFrame(ctx, p, 0)
				if len(parts) != 2 || !bytes.Equal(parts[0], f2) || !bytes.Equal(parts[1], f1) {
					t.Errorf("frames 2,1: %d parts, want 2 equal to frames 2 and 1", len(parts))
				}
			}
		})
	}
}

// TestFrameRangeStreamed asks for a byte range of a frame that is
// otherwise streamed.
func TestFrameRangeStreamed(t *testing.T) {
	ctx := context.Background()
	h := newTestHandler(t)
	if w := storeAs(t, h, nil, "pydicom/CT_small.dcm"); w.Code != 200 {
		t.Fatalf("STOW = %d: %s", w.Code, w.Body)
	}
	uids, _ := identifyBytes(dicomPart(t, "pydicom/CT_small.dcm").body)
	refs, err := h.opts.Index.Instances(ctx, uids.study, uids.series, uids.sop)
	if err != nil {
		t.Fatal(err)
	}
	v := newViewer(h)
	p, _ := v.header(ctx, refs[0])
	want, _ := v.readFrame(ctx, p, 0)
	r := httptest.NewRequest("GET", "/dicomweb/studies/"+uids.study+"/series/"+uids.series+"/instances/"+uids.sop+"/frames/1", nil)
	r.Header.Set("Accept", "application/octet-stream")
	r.Header.Set("Range", "bytes=100-199")
	w := serve(h, r)
	if w.Code != 206 || !bytes.Equal(w.Body.Bytes(), want[100:200]) {
		t.Errorf("GET frame 1 bytes 100-199 = %d, %d bytes, want 206 and the frame's bytes 100-199", w.Code, w.Body.Len())
	}
	if got := w.Header().Get("Content-Range"); got != "bytes 100-199/"+itoa(len(want)) {
		t.Errorf("Content-Range = %q", got)
	}
}

func itoa(n int) string { return string(appendInt(nil, n)) }

func appendInt(b []byte, n int) []byte {
	if n >= 10 {
		b = appendInt(b, n/10)
	}
	return append(b, byte('0'+n%10))
}

func readParts(t *testing.T, w *httptest.ResponseRecorder) [][]byte {
	t.Helper()
	_, params, err := mime.ParseMediaType(w.Header().Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(bytes.NewReader(w.Body.Bytes()), params["boundary"])
	var parts [][]byte
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return parts
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(p)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, b)
	}
}
