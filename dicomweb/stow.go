package dicomweb

import (
	"bufio"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"syscall"

	"github.com/rs/zerolog"
	"github.com/zeebo/xxh3"

	"github.com/pacslite/pacslite/dicomweb/dataset"
	"github.com/pacslite/pacslite/store/blob"
	"github.com/pacslite/pacslite/store/index"
)

// STOW-RS failure and warning reasons (PS3.18 10.5.3, PS3.4 B.2.3).
const (
	reasonProcessingFailure = 0x0110
	reasonOutOfResources    = 0xA700
	reasonStudyMismatch     = 0xA900
	reasonCannotUnderstand  = 0xC000
	reasonNotAuthorized     = 0x0124
)

// stowOutcome is what happened to one part of a STOW-RS request.
type stowOutcome struct {
	uids    instanceUIDs
	failure uint16 // 0 when stored
	comment string // why it failed, for the client (no patient data)
}

// bodyBufferSize is the read buffer of a STOW-RS body: large reads from
// the connection, and part data handed on in large pieces.
const bodyBufferSize = 512 << 10

// store is STOW-RS: POST /studies and POST /studies/{study}. Parts are
// spooled to disk one at a time as they arrive and checked; the good ones
// are committed in groups (stowGroup: blobs made durable together, one
// index transaction), and the request is answered in one Store Instances
// Response after its last group. Spool files are on disk, so memory use
// does not grow with the request.
func (h *Handler) store(w http.ResponseWriter, r *http.Request) {
	uids, err := uidsFrom(r)
	if err == nil {
		err = mayWrite(r, false)
	}
	if err != nil {
		fail(w, r, err)
		return
	}
	format, err := negotiateStowResponse(r)
	if err != nil {
		fail(w, r, err)
		return
	}
	typ, params := contentTypeOf(r.Header.Get("Content-Type"))
	if typ != "multipart/related" {
		fail(w, r, errorf(http.StatusUnsupportedMediaType,
			`STOW-RS accepts multipart/related; type="application/dicom", not %q`, typ))
		return
	}
	if pt := params["type"]; pt != "" && !strings.EqualFold(pt, "application/dicom") {
		fail(w, r, errorf(http.StatusUnsupportedMediaType,
			`multipart/related type %q is not supported; send type="application/dicom"`, pt))
		return
	}
	if params["boundary"] == "" {
		fail(w, r, errorf(http.StatusBadRequest, "multipart/related request without a boundary parameter"))
		return
	}

	mr := newStowReader(r.Body, params["boundary"], bodyBufferSize)
	g := &stowGroup{h: h}
	defer g.discard()
	var outcomes []stowOutcome
	truncated := false
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			if r.Context().Err() != nil {
				fail(w, r, r.Context().Err())
				return
			}
			if len(outcomes) == 0 {
				fail(w, r, errorf(http.StatusBadRequest, "malformed multipart body: %v", err))
				return
			}
			// The parts before the damage are stored and say so.
			truncated = true
			break
		}
		o, item := h.checkPart(r.Context(), part, uids.study)
		part.Close()
		if r.Context().Err() != nil {
			fail(w, r, r.Context().Err())
			return
		}
		outcomes = append(outcomes, o)
		if item != nil {
			item.at = len(outcomes) - 1
			g.add(*item)
			if g.full() {
				g.commit(r.Context(), outcomes)
			}
		}
	}
	g.commit(r.Context(), outcomes)
	if r.Context().Err() != nil {
		fail(w, r, r.Context().Err())
		return
	}
	if len(outcomes) == 0 {
		fail(w, r, errorf(http.StatusBadRequest, "multipart body has no parts"))
		return
	}
	h.writeStowResponse(w, r, format, uids.study, outcomes, truncated)
}

// checkPart spools one part and checks it. A good part comes back as an
// item for the group commit, with a (so far) successful outcome; a bad one
// as a failed outcome and no item. It never returns an error, because one
// bad part must not stop the others.
func (h *Handler) checkPart(ctx context.Context, part *stowPart, studyInPath string) (stowOutcome, *stowItem) {
	log := zerolog.Ctx(ctx)
	if ct := part.Header.Get("Content-Type"); ct != "" {
		if typ, _ := contentTypeOf(ct); typ != "application/dicom" {
			return stowOutcome{failure: reasonCannotUnderstand, comment: fmt.Sprintf("part has Content-Type %q; expected application/dicom", ct)}, nil
		}
	}

	spool, err := os.CreateTemp(h.opts.SpoolDir, "stow-*")
	if err != nil {
		log.Error().Err(err).Msg("stow: create spool file")
		return stowOutcome{failure: reasonOutOfResources, comment: "cannot spool the part"}, nil
	}
	keep := false
	defer func() {
		spool.Close()
		if !keep {
			os.Remove(spool.Name())
		}
	}()
	o, rec := h.spoolAndDescribe(ctx, part, spool, studyInPath)
	if o.failure != 0 {
		return o, nil
	}
	keep = true
	return o, &stowItem{rec: rec, spool: spool.Name()}
}

// spoolAndDescribe copies the part into spool, parses it and describes
// it for the index.
func (h *Handler) spoolAndDescribe(ctx context.Context, part io.Reader, spool *os.File, studyInPath string) (stowOutcome, index.InstanceRecord) {
	var none index.InstanceRecord
	// The digest only tells a re-sent instance from a changed one (see
	// index.InstanceRecord.Digest): XXH3-128 does that at ~20 GB/s, where
	// SHA-256 was a fifth of all STOW-RS CPU.
	hash := xxh3.New()
	// The part hands out up to a read buffer's worth at a time (WriteTo),
	// which bufio passes to the file without copying; smaller pieces (a
	// quoted-printable part) are gathered into large writes.
	buffered := bufio.NewWriterSize(spool, 256<<10)
	n, err := io.Copy(&limitWriter{w: io.MultiWriter(buffered, hash), left: h.opts.MaxInstanceSize}, part)
	if err == nil {
		err = buffered.Flush()
	}
	switch {
	case err != nil && errors.Is(err, syscall.ENOSPC):
		return stowOutcome{failure: reasonOutOfResources, comment: "no space left to store the instance"}, none
	case errors.Is(err, errTooLarge):
		return stowOutcome{failure: reasonOutOfResources, comment: fmt.Sprintf("instance larger than the %d-byte limit", h.opts.MaxInstanceSize)}, none
	case err != nil:
		// The body broke mid-part; the caller sees the broken multipart.
		return stowOutcome{failure: reasonProcessingFailure, comment: "part could not be read completely"}, none
	case n == 0:
		return stowOutcome{failure: reasonCannotUnderstand, comment: "empty part"}, none
	}
	sum := hash.Sum128().Bytes()
	digest := hex.EncodeToString(sum[:])

	if _, err := spool.Seek(0, io.SeekStart); err != nil {
		return stowOutcome{failure: reasonProcessingFailure, comment: "cannot re-read the part"}, none
	}
	f, err := dataset.Parse(spool, dataset.Options{})
	if err != nil {
		return stowOutcome{failure: reasonCannotUnderstand, comment: "not a readable DICOM Part 10 file: " + err.Error()}, none
	}
	uids, err := identify(f)
	if err != nil {
		return stowOutcome{failure: reasonCannotUnderstand, comment: err.Error()}, none
	}
	// Instances of this request not yet committed are not in the index,
	// so the check answers for them as it did before they were sent.
	if err := h.mayStoreInto(ctx, uids.study); err != nil {
		return stowOutcome{uids: uids, failure: reasonNotAuthorized, comment: err.Error()}, none
	}
	if studyInPath != "" && uids.study != studyInPath {
		return stowOutcome{uids: uids, failure: reasonStudyMismatch, comment: "Study Instance UID does not match the study in the request URL"}, none
	}
	rec, err := describe(f, uids)
	if err != nil {
		return stowOutcome{uids: uids, failure: reasonCannotUnderstand, comment: err.Error()}, none
	}
	rec.Digest, rec.Size = digest, n
	// Every upload gets a key of its own (digest plus a random suffix), so
	// no write ever touches bytes an index row points at: not a
	// replacement, and not an identical re-store racing a DELETE of the
	// same instance, which could otherwise delete the blob just rewritten.
	rec.BlobKey = "instances/" + uids.study + "/" + uids.series + "/" + uids.sop + "." + digest[:16] + "." + randomSuffix() + ".dcm"
	return stowOutcome{uids: uids}, rec
}

// errTooLarge stops the copy of a part larger than MaxInstanceSize.
var errTooLarge = errors.New("dicomweb: instance too large")

// limitWriter passes on at most left bytes, then fails with errTooLarge.
type limitWriter struct {
	w    io.Writer
	left int64
}

func (l *limitWriter) Write(p []byte) (int, error) {
	if int64(len(p)) > l.left {
		return 0, errTooLarge
	}
	n, err := l.w.Write(p)
	l.left -= int64(n)
	return n, err
}

// putBlob stores the spool file at path under key: by renaming it when
// the store can adopt it (no second copy of the bytes), else by streaming
// it.
func (h *Handler) putBlob(ctx context.Context, key, path string) error {
	if a, ok := h.opts.Blobs.(blob.FileAdopter); ok {
		_, err := a.AdoptFile(ctx, key, path)
		if !errors.Is(err, blob.ErrCannotAdopt) {
			return err
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = h.opts.Blobs.Put(ctx, key, f)
	return err
}

// deleteBlobs removes blobs no index row points at any more. Failures are
// logged, not returned: the orphan sweep removes what is left.
func (h *Handler) deleteBlobs(ctx context.Context, keys ...string) {
	// Finish the deletes even if the client has gone.
	ctx = context.WithoutCancel(ctx)
	for _, k := range keys {
		if err := h.opts.Blobs.Delete(ctx, k); err != nil {
			zerolog.Ctx(ctx).Warn().Err(err).Str("blob_key", k).Msg("delete blob; left for the orphan sweep")
		}
	}
}
