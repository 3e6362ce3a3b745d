package dicomweb

import (
	"context"
	"errors"
	"os"
	"sync"
	"syscall"

	"github.com/rs/zerolog"

	"github.com/pacslite/pacslite/store/blob"
	"github.com/pacslite/pacslite/store/index"
)

// A group is committed once it holds this many parts, spooled bytes or
// bytes of index records in memory (the metadata JSON of a large
// structured report or RT structure set can be megabytes), and at the end
// of the request: a large request then holds a bounded number of spool
// files and little memory, and its first instances are indexed while the
// rest is still arriving.
const (
	groupMaxParts  = 64
	groupMaxBytes  = 256 << 20
	groupMaxRecord = 32 << 20
)

// putWorkers bounds the blobs copied into a store that cannot adopt files
// (S3) at once: a second upload in flight hides round trips, and each may
// hold a part-sized buffer (s3blob: 16 MB for a large instance).
const putWorkers = 2

// stowItem is a part that passed every check and waits, spooled, for its
// group's commit.
type stowItem struct {
	at    int                  // its outcome in the request's list
	rec   index.InstanceRecord // key, digest and size filled in
	spool string               // path of the closed spool file; "" once adopted
}

// stowGroup commits checked parts of one STOW-RS request together: their
// blobs are made durable as a group (blob.FilesAdopter: parallel fsyncs,
// one directory sync per directory), then indexed in one transaction. The
// order per instance is the one that makes a crash safe: durable blob, then
// index row, then acknowledgement (the response, sent after the last
// group). A crash in between leaves orphan blobs and spool files, which
// the orphan sweep and the start-up spool cleaning remove.
type stowGroup struct {
	h       *Handler
	items   []stowItem
	bytes   int64 // spooled
	records int   // of the items' index records
}

func (g *stowGroup) add(it stowItem) {
	g.items = append(g.items, it)
	g.bytes += it.rec.Size
	r := &it.rec
	g.records += len(r.Metadata) + len(r.StudyAttrs) + len(r.SeriesAttrs) + len(r.InstanceAttrs)
}

// full reports whether the group should be committed now.
func (g *stowGroup) full() bool {
	return len(g.items) >= groupMaxParts || g.bytes >= groupMaxBytes || g.records >= groupMaxRecord
}

// discard removes the spool files of parts not committed (the request
// failed); the group is empty afterwards.
func (g *stowGroup) discard() {
	for _, it := range g.items {
		if it.spool != "" {
			os.Remove(it.spool)
		}
	}
	clear(g.items) // let the records go
	g.items, g.bytes, g.records = g.items[:0], 0, 0
}

// commit stores and indexes the group's parts and records in outcomes
// (indexed by stowItem.at) each one's final outcome; the group is empty
// afterwards. Like checkPart it never returns an error: a part that cannot
// be stored or indexed fails alone.
func (g *stowGroup) commit(ctx context.Context, outcomes []stowOutcome) {
	if len(g.items) == 0 {
		return
	}
	defer g.discard() // adopted spool files are gone already
	h, log := g.h, zerolog.Ctx(ctx)

	var stored []stowItem
	for i, err := range h.storeBlobs(ctx, g.items) {
		it := g.items[i]
		if err == nil {
			stored = append(stored, it)
			continue
		}
		log.Error().Err(err).Str("sop_uid", it.rec.SOPInstanceUID).Msg("stow: store blob")
		o := &outcomes[it.at]
		if errors.Is(err, syscall.ENOSPC) {
			o.failure, o.comment = reasonOutOfResources, "no space left to store the instance"
		} else {
			o.failure, o.comment = reasonProcessingFailure, "storage failed"
		}
		// A blob may be in place but not durable (a failed directory
		// sync): nothing will point at it.
		h.deleteBlobs(ctx, it.rec.BlobKey)
	}
	if len(stored) == 0 {
		return
	}

	recs := make([]index.InstanceRecord, len(stored))
	for i, it := range stored {
		recs[i] = it.rec
	}
	results, errs := h.indexAll(ctx, recs)
	var garbage []string
	for i, it := range stored {
		o, res := &outcomes[it.at], results[i]
		if err := errs[i]; err != nil {
			log.Error().Err(err).Str("sop_uid", it.rec.SOPInstanceUID).Msg("stow: index instance")
			// Nothing points at the new blob; a failed delete leaves an
			// orphan for the sweep.
			garbage = append(garbage, it.rec.BlobKey)
			if errors.Is(err, index.ErrInvalid) {
				o.failure, o.comment = reasonCannotUnderstand, "instance rejected by the index: "+err.Error()
			} else {
				o.failure, o.comment = reasonProcessingFailure, "indexing failed"
			}
			continue
		}
		switch {
		case res.Unchanged:
			garbage = append(garbage, it.rec.BlobKey) // the stored copy stays in use
		case res.ReplacedBlobKey != "":
			garbage = append(garbage, res.ReplacedBlobKey)
		}
		outcome := "stored"
		if res.Unchanged {
			outcome = "unchanged"
		} else {
			h.metrics.ingested.Add(float64(it.rec.Size))
		}
		h.metrics.stored.WithLabelValues(outcome).Inc()
		u := o.uids
		if a := accessOf(ctx); a != nil && a.Studies != nil {
			a.Studies[u.study] = true // later parts of the request may add to it
		}
		if a := accessOf(ctx); a != nil && a.Stored != nil {
			a.Stored(ctx, u.study, u.series, u.sop)
		}
		log.Debug().Str("sop_uid", u.sop).Int64("bytes", it.rec.Size).Str("outcome", outcome).Msg("stow: instance")
	}
	h.deleteBlobs(ctx, garbage...)
}

// storeBlobs makes every item's spool file a durable blob under its key
// and returns one error per item; it clears the spool path of the items
// whose file the store adopted. Stores that adopt many files at once do
// so; the others get one AdoptFile or Put per file, a few at a time.
func (h *Handler) storeBlobs(ctx context.Context, items []stowItem) []error {
	errs := make([]error, len(items))
	rest := make([]int, 0, len(items)) // items still to store one by one
	if a, ok := h.opts.Blobs.(blob.FilesAdopter); ok {
		files := make([]blob.Adoption, len(items))
		for i, it := range items {
			files[i] = blob.Adoption{Key: it.rec.BlobKey, Path: it.spool}
		}
		errs = a.AdoptFiles(ctx, files)
		for i, err := range errs {
			switch {
			case err == nil:
				items[i].spool = "" // it is the blob now
			case errors.Is(err, blob.ErrCannotAdopt):
				rest = append(rest, i)
			}
		}
	} else {
		for i := range items {
			rest = append(rest, i)
		}
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, putWorkers)
	for _, i := range rest {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			errs[i] = h.putBlob(ctx, items[i].rec.BlobKey, items[i].spool)
		}()
	}
	wg.Wait()
	return errs
}

// indexAll indexes recs in one transaction, or, when that fails (one bad
// record fails them all), one by one so that only the bad ones fail.
// errs[i] and results[i] are for recs[i].
func (h *Handler) indexAll(ctx context.Context, recs []index.InstanceRecord) (results []index.PutResult, errs []error) {
	errs = make([]error, len(recs))
	results, err := h.opts.Index.PutInstances(ctx, recs)
	if err == nil {
		return results, errs
	}
	results = make([]index.PutResult, len(recs))
	if len(recs) == 1 || ctx.Err() != nil {
		for i := range errs {
			errs[i] = err
		}
		return results, errs
	}
	zerolog.Ctx(ctx).Warn().Err(err).Int("instances", len(recs)).Msg("stow: index group failed; indexing one by one")
	for i := range recs {
		results[i], errs[i] = h.opts.Index.PutInstance(ctx, recs[i])
	}
	return results, errs
}
