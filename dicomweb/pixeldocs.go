package dicomweb

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/pacslite/pacslite/dicomweb/dataset"
	"github.com/pacslite/pacslite/store/blob"
)

// representative returns the pixel header of the instance a request is
// about: the instance itself, or for a study or series the middle
// instance of its first series, preferring one with an image (the search
// moves outwards from the middle, through later series, a few headers at
// most).
func (v *viewer) representative(ctx context.Context, scope pathUIDs) (*pixelHeader, error) {
	refs, err := v.h.opts.Index.Instances(ctx, scope.study, scope.series, scope.instance)
	if err != nil {
		return nil, err
	}
	if scope.instance != "" {
		return v.header(ctx, refs[0])
	}
	// Order: series by series (as listed), each from its middle outwards.
	var order []int
	for start := 0; start < len(refs); {
		end := start
		for end < len(refs) && refs[end].SeriesInstanceUID == refs[start].SeriesInstanceUID {
			end++
		}
		mid := start + (end-start)/2
		for d := 0; mid-d >= start || mid+d < end; d++ {
			if mid+d < end {
				order = append(order, mid+d)
			}
			if d > 0 && mid-d >= start {
				order = append(order, mid-d)
			}
		}
		start = end
	}
	var first *pixelHeader
	for k, i := range order {
		if k == 8 {
			break
		}
		p, err := v.header(ctx, refs[i])
		if err != nil {
			return nil, err
		}
		if p.info != nil {
			return p, nil
		}
		if first == nil {
			first = p
		}
	}
	return first, nil
}

// sendDocument answers the Encapsulated Document of an instance (PDF, CDA,
// ...) when the client accepts its media type.
func (v *viewer) sendDocument(w http.ResponseWriter, r *http.Request, p *pixelHeader) {
	ok := false
	for _, m := range acceptable(r) {
		if m.matches(p.docType) {
			ok = true
			break
		}
	}
	if !ok {
		fail(w, r, errorf(http.StatusNotAcceptable, "the instance is an encapsulated document, available as %s", p.docType))
		return
	}
	v.sendStream(w, r, p, p.docType, []dataset.Fragment{{Offset: p.docAt, Length: p.docLen}})
}

// sendStream answers the concatenation of segments of the stored blob
// (a document value, the fragments of a video) with the given media type,
// honouring a single byte range (players seek with them).
func (v *viewer) sendStream(w http.ResponseWriter, r *http.Request, p *pixelHeader, mediaType string, segs []dataset.Fragment) {
	if mediaType != p.docType {
		ok := false
		for _, m := range acceptable(r) {
			ok = ok || m.matches(mediaType)
		}
		if !ok {
			fail(w, r, errorf(http.StatusNotAcceptable, "the instance is a video, available as %s", mediaType))
			return
		}
	}
	var size int64
	for _, s := range segs {
		size += s.Length
	}
	start, n, status := int64(0), size, http.StatusOK
	hd := w.Header()
	if rng := r.Header.Get("Range"); rng != "" {
		var ok bool
		if start, n, ok = parseRange(rng, size); !ok {
			hd.Set("Content-Range", "bytes */"+strconv.FormatInt(size, 10))
			fail(w, r, errorf(http.StatusRequestedRangeNotSatisfiable, "range %q is outside the %d bytes", truncate(rng, 40), size))
			return
		}
		hd.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, start+n-1, size))
		status = http.StatusPartialContent
	}
	hd.Set("Content-Type", mediaType)
	hd.Set("Content-Length", strconv.FormatInt(n, 10))
	hd.Set("Accept-Ranges", "bytes")
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	ro := v.h.opts.Blobs.(blob.RangeOpener) // readPixelHeader checked
	for _, s := range segs {
		if n <= 0 {
			break
		}
		if start >= s.Length {
			start -= s.Length
			continue
		}
		take := min(s.Length-start, n)
		rc, err := ro.OpenRange(r.Context(), p.key, s.Offset+start, take)
		if err != nil {
			abort(r, err, "wado: open segment")
		}
		_, err = io.CopyN(w, rc, take)
		rc.Close()
		if err != nil {
			abort(r, err, "wado: send segment")
		}
		start, n = 0, n-take
	}
}
