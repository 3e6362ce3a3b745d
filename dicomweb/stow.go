package dicomweb

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"syscall"

	"github.com/rs/zerolog"

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

// store is STOW-RS: POST /studies and POST /studies/{study}. Parts are
// spooled to disk one at a time as they arrive, checked, stored, indexed,
// and answered in one Store Instances Response; memory use does not grow
// with the request.
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

	mr := multipart.NewReader(r.Body, params["boundary"])
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
		o := h.storePart(r.Context(), part, uids.study)
		part.Close()
		if r.Context().Err() != nil {
			fail(w, r, r.Context().Err())
			return
		}
		outcomes = append(outcomes, o)
	}
	if len(outcomes) == 0 {
		fail(w, r, errorf(http.StatusBadRequest, "multipart body has no parts"))
		return
	}
	h.writeStowResponse(w, r, format, uids.study, outcomes, truncated)
}

// storePart stores one part and reports the outcome; it never returns an
// error, because one bad part must not stop the others.
func (h *Handler) storePart(ctx context.Context, part *multipart.Part, studyInPath string) stowOutcome {
	log := zerolog.Ctx(ctx)
	if ct := part.Header.Get("Content-Type"); ct != "" {
		if typ, _ := contentTypeOf(ct); typ != "application/dicom" {
			return stowOutcome{failure: reasonCannotUnderstand, comment: fmt.Sprintf("part has Content-Type %q; expected application/dicom", ct)}
		}
	}

	spool, err := os.CreateTemp(h.opts.SpoolDir, "stow-*")
	if err != nil {
		log.Error().Err(err).Msg("stow: create spool file")
		return stowOutcome{failure: reasonOutOfResources, comment: "cannot spool the part"}
	}
	defer func() {
		spool.Close()
		os.Remove(spool.Name())
	}()
	hash := sha256.New()
	// mime/multipart hands out at most 4 KB per read: buffer the spool
	// writes, or every 4 KB costs a write system call.
	buffered := bufio.NewWriterSize(spool, 256<<10)
	n, err := io.Copy(io.MultiWriter(buffered, hash), io.LimitReader(part, h.opts.MaxInstanceSize+1))
	if err == nil {
		err = buffered.Flush()
	}
	switch {
	case err != nil && errors.Is(err, syscall.ENOSPC):
		return stowOutcome{failure: reasonOutOfResources, comment: "no space left to store the instance"}
	case err != nil:
		// The body broke mid-part; the caller sees the broken multipart.
		return stowOutcome{failure: reasonProcessingFailure, comment: "part could not be read completely"}
	case n > h.opts.MaxInstanceSize:
		return stowOutcome{failure: reasonOutOfResources, comment: fmt.Sprintf("instance larger than the %d-byte limit", h.opts.MaxInstanceSize)}
	case n == 0:
		return stowOutcome{failure: reasonCannotUnderstand, comment: "empty part"}
	}
	digest := hex.EncodeToString(hash.Sum(nil))

	if _, err := spool.Seek(0, io.SeekStart); err != nil {
		return stowOutcome{failure: reasonProcessingFailure, comment: "cannot re-read the part"}
	}
	f, err := dataset.Parse(bufio.NewReaderSize(spool, 64<<10), dataset.Options{})
	if err != nil {
		return stowOutcome{failure: reasonCannotUnderstand, comment: "not a readable DICOM Part 10 file: " + err.Error()}
	}
	uids, err := identify(f)
	if err != nil {
		return stowOutcome{failure: reasonCannotUnderstand, comment: err.Error()}
	}
	if err := h.mayStoreInto(ctx, uids.study); err != nil {
		return stowOutcome{uids: uids, failure: reasonNotAuthorized, comment: err.Error()}
	}
	if studyInPath != "" && uids.study != studyInPath {
		return stowOutcome{uids: uids, failure: reasonStudyMismatch, comment: "Study Instance UID does not match the study in the request URL"}
	}
	rec, err := describe(f, uids)
	if err != nil {
		return stowOutcome{uids: uids, failure: reasonCannotUnderstand, comment: err.Error()}
	}
	rec.Digest, rec.Size = digest, n
	// Every upload gets a key of its own (digest plus a random suffix), so
	// no write ever touches bytes an index row points at: not a
	// replacement, and not an identical re-store racing a DELETE of the
	// same instance, which could otherwise delete the blob just rewritten.
	rec.BlobKey = "instances/" + uids.study + "/" + uids.series + "/" + uids.sop + "." + digest[:16] + "." + randomSuffix() + ".dcm"

	// Durable bytes first, then the index row: a crash in between leaves an
	// orphan blob (swept later), never a row without its blob.
	if err := h.putBlob(ctx, rec.BlobKey, spool); err != nil {
		log.Error().Err(err).Str("sop_uid", uids.sop).Msg("stow: store blob")
		if errors.Is(err, syscall.ENOSPC) {
			return stowOutcome{uids: uids, failure: reasonOutOfResources, comment: "no space left to store the instance"}
		}
		return stowOutcome{uids: uids, failure: reasonProcessingFailure, comment: "storage failed"}
	}
	res, err := h.opts.Index.PutInstance(ctx, rec)
	if err != nil {
		log.Error().Err(err).Str("sop_uid", uids.sop).Msg("stow: index instance")
		// Nothing points at the new blob; a failed delete leaves an orphan
		// for the sweep.
		h.deleteBlobs(ctx, rec.BlobKey)
		if errors.Is(err, index.ErrInvalid) {
			return stowOutcome{uids: uids, failure: reasonCannotUnderstand, comment: "instance rejected by the index: " + err.Error()}
		}
		return stowOutcome{uids: uids, failure: reasonProcessingFailure, comment: "indexing failed"}
	}
	switch {
	case res.Unchanged:
		h.deleteBlobs(ctx, rec.BlobKey) // the stored copy stays in use
	case res.ReplacedBlobKey != "":
		h.deleteBlobs(ctx, res.ReplacedBlobKey)
	}
	outcome := "stored"
	if res.Unchanged {
		outcome = "unchanged"
	} else {
		h.metrics.ingested.Add(float64(n))
	}
	h.metrics.stored.WithLabelValues(outcome).Inc()
	if a := accessOf(ctx); a != nil && a.Studies != nil {
		a.Studies[uids.study] = true // later parts of the request may add to it
	}
	if a := accessOf(ctx); a != nil && a.Stored != nil {
		a.Stored(ctx, uids.study, uids.series, uids.sop)
	}
	log.Debug().Str("sop_uid", uids.sop).Int64("bytes", n).Str("outcome", outcome).Msg("stow: instance")
	return stowOutcome{uids: uids}
}

// putBlob stores the spooled part under key: by renaming the spool file
// when the store can adopt it (no second copy of the bytes), else by
// streaming it.
func (h *Handler) putBlob(ctx context.Context, key string, spool *os.File) error {
	if a, ok := h.opts.Blobs.(blob.FileAdopter); ok {
		_, err := a.AdoptFile(ctx, key, spool.Name())
		if !errors.Is(err, blob.ErrCannotAdopt) {
			return err
		}
	}
	if _, err := spool.Seek(0, io.SeekStart); err != nil {
		return err
	}
	_, err := h.opts.Blobs.Put(ctx, key, spool)
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
