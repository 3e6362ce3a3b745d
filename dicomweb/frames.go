package dicomweb

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	"github.com/pacslite/pacslite/dicomweb/dataset"
	"github.com/pacslite/pacslite/store/blob"
)

// frameForm is how frames go out.
type frameForm struct {
	multipart bool
	decode    bool   // compressed frames decoded to explicit VR little endian
	mediaType string // of each part (or of the single-part body)
	syntax    string // the transfer-syntax parameter of each part
}

// contentType is the Content-Type of a part (or single-part body).
func (f frameForm) contentType() string {
	return f.mediaType + "; transfer-syntax=" + f.syntax
}

// frames is WADO-RS retrieve of frames (PS3.18 10.4.1.1.2):
// .../instances/{i}/frames/{list}, list being 1-based frame numbers such
// as "1" or "1,3,5". Frames are read with ranged reads, one at a time.
func (v *viewer) frames(w http.ResponseWriter, r *http.Request) {
	scope, err := uidsFrom(r)
	if err != nil {
		fail(w, r, err)
		return
	}
	nums, err := parseFrameList(mux.Vars(r)["frames"])
	if err != nil {
		fail(w, r, err)
		return
	}
	refs, err := v.h.opts.Index.Instances(r.Context(), scope.study, scope.series, scope.instance)
	if err != nil {
		fail(w, r, err)
		return
	}
	p, err := v.header(r.Context(), refs[0])
	if err != nil {
		fail(w, r, err)
		return
	}
	switch {
	case videoTypes[p.ts] != "":
		fail(w, r, errorf(http.StatusNotAcceptable, "the instance is an MPEG video (%s): its frames are not separable; use /rendered or the bulk data", p.ts))
		return
	case p.info == nil:
		fail(w, r, errorf(http.StatusNotFound, "the instance has no pixel data, so no frames"))
		return
	}
	for _, n := range nums {
		if n > p.frameCount() {
			fail(w, r, errorf(http.StatusNotFound, "frame %d is out of range: the instance has %d frame(s)", n, p.frameCount()))
			return
		}
	}
	form, err := negotiateFrames(r, p.ts, len(nums) == 1)
	if err != nil {
		fail(w, r, err)
		return
	}
	// The first frame is opened (or read) before the status goes out, so
	// that a frame that cannot be read or decoded gets a proper error
	// response.
	ctx := r.Context()
	first, err := v.openFrame(ctx, p, nums[0]-1, form)
	if err != nil {
		fail(w, r, err)
		return
	}
	defer first.close()
	hd := w.Header()
	hd.Set("Cache-Control", "private, max-age=86400") // frames of a blob never change
	if !form.multipart {
		v.sendSingleFrame(w, r, form, p, &first)
		return
	}
	boundary := newBoundary()
	ct := form.contentType()
	hd.Set("Content-Type", `multipart/related; type="`+form.mediaType+`"; boundary=`+boundary)
	if len(nums) == 1 {
		n := int64(len(partHeader(boundary, ct))) + first.n + int64(len(closingDelimiter(boundary)))
		hd.Set("Content-Length", strconv.FormatInt(n, 10))
	}
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	ro, _ := v.h.opts.Blobs.(blob.RangeOpener) // readPixelHeader checked
	for k, n := range nums {
		f := &first
		if k > 0 {
			io.WriteString(w, "\r\n")
			next, err := v.openFrame(ctx, p, n-1, form)
			if err != nil {
				abort(r, err, "wado: send frame")
			}
			f = &next
		}
		io.WriteString(w, partHeader(boundary, ct))
		err := f.writeTo(ctx, ro, p.key, w)
		f.close()
		if err != nil {
			abort(r, err, "wado: send frame") // the client went away, or the blob is short
		}
	}
	io.WriteString(w, closingDelimiter(boundary))
}

// sendSingleFrame answers one frame as a single-part body, honouring a
// single byte range.
func (v *viewer) sendSingleFrame(w http.ResponseWriter, r *http.Request, form frameForm, p *pixelHeader, f *frameSource) {
	hd := w.Header()
	hd.Set("Content-Type", form.contentType())
	hd.Set("Accept-Ranges", "bytes")
	ro, _ := v.h.opts.Blobs.(blob.RangeOpener) // readPixelHeader checked
	size := f.n
	status := http.StatusOK
	if rng := r.Header.Get("Range"); rng != "" {
		start, n, ok := parseRange(rng, size)
		if !ok {
			hd.Set("Content-Range", "bytes */"+strconv.FormatInt(size, 10))
			fail(w, r, errorf(http.StatusRequestedRangeNotSatisfiable, "range %q is outside the %d-byte frame", truncate(rng, 40), size))
			return
		}
		// Ranges of frames are rare: read the frame and cut it.
		var buf bytes.Buffer
		buf.Grow(int(size))
		if err := f.writeTo(r.Context(), ro, p.key, &buf); err != nil {
			fail(w, r, err)
			return
		}
		hd.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, start+n-1, size))
		*f = frameSource{b: buf.Bytes()[start : start+n], n: n}
		status = http.StatusPartialContent
	}
	hd.Set("Content-Length", strconv.FormatInt(f.n, 10))
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	if err := f.writeTo(r.Context(), ro, p.key, w); err != nil {
		abort(r, err, "wado: send frame")
	}
}

// negotiateFrames picks, among the client's acceptable media types in
// order of preference, the first the frames can be sent in: compressed
// frames as stored (image/jpeg, image/jls, ... or application/octet-stream
// with transfer-syntax=*) or decoded to explicit VR little endian
// (application/octet-stream, the PS3.18 default); native frames always as
// little-endian application/octet-stream. single allows a single-part
// answer (one frame).
func negotiateFrames(r *http.Request, ts string, single bool) (frameForm, error) {
	native := isNative(ts)
	stored := frameTypes[ts]
	if native {
		stored = "application/octet-stream"
	}
	storedSyntax := ts
	if native {
		storedSyntax = dataset.ExplicitVRLittleEndian // frames are sent little endian
	}
	for _, m := range acceptable(r) {
		typ, multipart := m.typ, true
		switch {
		case typ == "multipart/related":
			typ = m.multipartType()
			if typ == "" {
				typ = "application/octet-stream"
			}
		case typ == "*/*" || typ == "multipart/*":
			typ = "*/*"
		case !single:
			continue // several frames need a multipart body
		default:
			multipart = false
		}
		want := m.params["transfer-syntax"]
		switch {
		case typ == "*/*" || typ == "image/*" && stored != "application/octet-stream":
			return frameForm{multipart: multipart, mediaType: stored, syntax: storedSyntax}, nil
		case typ == "application/octet-stream":
			switch {
			case want == "*" || native || want == ts:
				return frameForm{multipart: multipart, mediaType: typ, syntax: storedSyntax}, nil
			case want == "" || want == dataset.ExplicitVRLittleEndian:
				if canDecodeForServing(ts) {
					return frameForm{multipart: multipart, decode: true, mediaType: typ, syntax: dataset.ExplicitVRLittleEndian}, nil
				}
			}
		case typ == stored && (want == "" || want == "*" || want == ts):
			return frameForm{multipart: multipart, mediaType: typ, syntax: ts}, nil
		}
	}
	return frameForm{}, errorf(http.StatusNotAcceptable,
		"the frames are available as %s (transfer syntax %s)%s; multiple frames only as multipart/related",
		stored, storedSyntax, decodeNote(ts))
}

func decodeNote(ts string) string {
	if !isNative(ts) && canDecodeForServing(ts) {
		return " or decoded as application/octet-stream (explicit VR little endian)"
	}
	return ""
}

// parseFrameList parses "1" or "1,3,5": frame numbers from 1.
func parseFrameList(s string) ([]int, error) {
	parts := strings.Split(s, ",")
	if len(parts) > 10000 {
		return nil, errorf(http.StatusBadRequest, "too many frames in one request (%d)", len(parts))
	}
	nums := make([]int, 0, len(parts))
	for _, part := range parts {
		n, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || n < 1 || strings.HasPrefix(strings.TrimSpace(part), "+") {
			return nil, errorf(http.StatusBadRequest, "bad frame list %q: want frame numbers from 1, separated by commas", truncate(s, 80))
		}
		nums = append(nums, n)
	}
	return nums, nil
}
