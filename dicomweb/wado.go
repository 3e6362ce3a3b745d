package dicomweb

import (
	"context"
	"io"
	"net/http"
	"strconv"

	"github.com/rs/zerolog"

	"github.com/pacslite/pacslite/dicomweb/dataset"
	"github.com/pacslite/pacslite/store/index"
)

// retrieval is how instances go out: as stored, or converted to explicit
// VR little endian.
type retrieval struct {
	anySyntax bool   // transfer-syntax=*: every instance as stored
	syntax    string // otherwise the one syntax every part must have
	multipart bool   // false only for a single instance asked as application/dicom
}

// convertible are the syntaxes Transcode turns into explicit VR little
// endian without decoding pixel data.
var convertible = map[string]bool{
	dataset.ImplicitVRLittleEndian:         true,
	dataset.ExplicitVRLittleEndian:         true,
	dataset.ExplicitVRBigEndian:            true,
	dataset.DeflatedExplicitVRLittleEndian: true,
}

// negotiateRetrieve picks, among the client's acceptable media types in
// order of preference, the first that every instance can be sent in.
func negotiateRetrieve(r *http.Request, refs []index.InstanceRef, single bool) (retrieval, error) {
	can := func(ts string) bool {
		for _, ref := range refs {
			if ref.TransferSyntaxUID != ts && !(ts == dataset.ExplicitVRLittleEndian && convertible[ref.TransferSyntaxUID]) &&
				!(ts == dataset.ExplicitVRLittleEndian && canDecodeForServing(ref.TransferSyntaxUID)) {
				return false
			}
		}
		return true
	}
	compressed := false
	for _, m := range acceptable(r) {
		var multipart bool
		switch {
		case m.typ == "multipart/related":
			if t := m.multipartType(); t != "" && t != "application/dicom" {
				continue
			}
			multipart = true
		case m.typ == "application/dicom" && single:
		case m.typ == "*/*" || m.typ == "application/*":
			multipart = true
		default:
			continue
		}
		ts := m.params["transfer-syntax"]
		switch {
		case ts == "*":
			return retrieval{anySyntax: true, multipart: multipart}, nil
		case ts == "":
			ts = dataset.ExplicitVRLittleEndian // PS3.18 default for application/dicom
		}
		if can(ts) {
			return retrieval{syntax: ts, multipart: multipart}, nil
		}
		compressed = true
	}
	if compressed {
		return retrieval{}, errorf(http.StatusNotAcceptable,
			"the requested transfer syntax cannot be produced: compressed instances are decoded only to explicit VR little endian, and only from the syntaxes the server decodes; ask for transfer-syntax=* to get them as stored")
	}
	return retrieval{}, errorf(http.StatusNotAcceptable,
		`instances are available as multipart/related; type="application/dicom" (with transfer-syntax=* for the stored encoding)`)
}

// retrieve is WADO-RS retrieve of a study, series or instance: the
// instances as a multipart/related stream straight from storage.
func (h *Handler) retrieve(w http.ResponseWriter, r *http.Request) {
	scope, err := uidsFrom(r)
	if err != nil {
		fail(w, r, err)
		return
	}
	refs, err := h.opts.Index.Instances(r.Context(), scope.study, scope.series, scope.instance)
	if err != nil {
		fail(w, r, err)
		return
	}
	how, err := negotiateRetrieve(r, refs, scope.instance != "")
	if err != nil {
		fail(w, r, err)
		return
	}
	syntaxOf := func(ref index.InstanceRef) string {
		if how.anySyntax {
			return ref.TransferSyntaxUID
		}
		return how.syntax
	}
	asStored := func(ref index.InstanceRef) bool { return syntaxOf(ref) == ref.TransferSyntaxUID }

	boundary := newBoundary()
	hd := w.Header()
	if how.multipart {
		hd.Set("Content-Type", `multipart/related; type="application/dicom"; boundary=`+boundary)
	} else {
		hd.Set("Content-Type", "application/dicom; transfer-syntax="+syntaxOf(refs[0]))
	}
	// When nothing is converted the length is known, which lets clients
	// show progress.
	length, known := int64(0), true
	for i, ref := range refs {
		if !asStored(ref) {
			known = false
			break
		}
		length += ref.Size
		if how.multipart {
			if i > 0 {
				length += 2
			}
			length += int64(len(partHeader(boundary, "application/dicom; transfer-syntax="+syntaxOf(ref))))
		}
	}
	if how.multipart {
		length += int64(len(closingDelimiter(boundary)))
	}
	if known {
		hd.Set("Content-Length", strconv.FormatInt(length, 10))
	}
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	for i, ref := range refs {
		if how.multipart {
			if i > 0 {
				io.WriteString(w, "\r\n")
			}
			io.WriteString(w, partHeader(boundary, "application/dicom; transfer-syntax="+syntaxOf(ref)))
		}
		if err := h.sendInstance(r.Context(), w, ref, !asStored(ref)); err != nil {
			abort(r, err, "wado: send instance")
		}
	}
	if how.multipart {
		io.WriteString(w, closingDelimiter(boundary))
	}
}

// sendInstance copies one instance from storage, converting it to explicit
// VR little endian when asked (decoding compressed pixel data).
func (h *Handler) sendInstance(ctx context.Context, w io.Writer, ref index.InstanceRef, convert bool) error {
	if convert && !convertible[ref.TransferSyntaxUID] {
		return transcodePixels(ctx, h.opts.Blobs, w, ref)
	}
	rc, err := h.opts.Blobs.Open(ctx, ref.BlobKey)
	if err != nil {
		return err
	}
	defer rc.Close()
	if convert {
		return dataset.TranscodeWith(w, rc, dataset.TranscodeOptions{
			SOPClassUID:               ref.SOPClassUID,
			SOPInstanceUID:            ref.SOPInstanceUID,
			ImplementationClassUID:    ImplementationClassUID,
			ImplementationVersionName: ImplementationVersionName,
		})
	}
	_, err = io.Copy(w, rc)
	return err
}

// abort ends a response whose status line has gone out: the connection is
// cut so the client sees a failed transfer, never a silently short one.
func abort(r *http.Request, err error, msg string) {
	if r.Context().Err() == nil {
		zerolog.Ctx(r.Context()).Error().Err(err).Msg(msg)
	}
	panic(http.ErrAbortHandler)
}
