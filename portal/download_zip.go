package portal

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/pacslite/pacslite/dicomweb"
	"github.com/pacslite/pacslite/portal/archive"
	"github.com/pacslite/pacslite/portal/zipdicomdir"
)

// zipReadme is the README.TXT of every download.
const zipReadme = "These are the original DICOM files of one imaging study, as the archive stores them.\r\n" +
	"Open DICOMDIR with any DICOM viewer, or copy every file of this folder to a CD or USB drive as it is.\r\n" +
	"They contain personal health information: keep them safe.\r\n"

// streamStudyZIP sends a study's original files as a ZIP with a DICOMDIR,
// streaming each instance from the archive (WADO-RS, as stored) into the
// ZIP. ctx carries the requester's access. It returns the number of
// instances sent, and an error wrapping errStarted when the answer had
// begun: then only cutting the connection tells the browser the file is
// short (sendZIP does).
func (h *Handler) streamStudyZIP(ctx context.Context, w http.ResponseWriter, uid string) (int, error) {
	study, err := h.archive.StudyObject(ctx, uid)
	if err != nil {
		return 0, err
	}
	series, err := h.archive.Series(ctx, uid)
	if err != nil {
		return 0, err
	}
	name := "study"
	if d := study.String(0x00080020); d != "" {
		name += "-" + d
	}
	if desc := zipNameSafe.ReplaceAllString(study.String(0x00081030), "-"); desc != "" {
		name += "-" + strings.Trim(desc, "-")
	}
	hd := w.Header()
	hd.Set("Content-Type", "application/zip")
	hd.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.zip"`, name))
	hd.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	zw := zipdicomdir.NewWriter(w, zipdicomdir.Options{ImplementationClassUID: dicomweb.ImplementationClassUID,
		ImplementationVersionName: "PACSLITE", Readme: zipReadme})
	base := zipdicomdir.Instance{
		PatientID: study.String(0x00100020), PatientName: study.String(0x00100010), PatientBirthDate: study.String(0x00100030),
		PatientSex: study.String(0x00100040), StudyInstanceUID: uid, StudyDate: study.String(0x00080020),
		StudyTime: study.String(0x00080030), StudyID: study.String(0x00200010), AccessionNumber: study.String(0x00080050),
		StudyDescription: study.String(0x00081030),
	}
	for _, se := range series {
		insts, err := h.archive.AllInstances(ctx, uid, se.UID)
		if err != nil {
			return zw.Count(), fmt.Errorf("%w: %w", errStarted, err)
		}
		for _, in := range insts {
			rec := base
			rec.SeriesInstanceUID, rec.Modality, rec.SeriesNumber = se.UID, se.Modality, strconv.Itoa(se.Number)
			rec.SOPClassUID, rec.SOPInstanceUID, rec.InstanceNumber = in.SOPClass, in.UID, strconv.Itoa(in.Number)
			if zipdicomdir.RecordType(in.SOPClass) != "IMAGE" {
				// SR, PDF, RT...: their directory records need the
				// document's own keys (title, flags, dates).
				rec.Header, err = h.archive.InstanceMetadata(ctx, uid, se.UID, in.UID)
				if errors.Is(err, archive.ErrNotFound) {
					continue // deleted meanwhile
				}
				if err != nil {
					return zw.Count(), fmt.Errorf("%w: %w", errStarted, err)
				}
			}
			err := h.archive.Retrieve(ctx, uid, se.UID, in.UID, func(syntax string) (io.Writer, error) {
				rec.TransferSyntaxUID = syntax
				return zw.Add(rec)
			})
			if errors.Is(err, archive.ErrNotFound) {
				continue // deleted meanwhile
			}
			if err != nil {
				return zw.Count(), fmt.Errorf("%w: %w", errStarted, err)
			}
		}
	}
	if err := zw.Close(); err != nil {
		return zw.Count(), fmt.Errorf("%w: %w", errStarted, err)
	}
	return zw.Count(), nil
}

var zipNameSafe = regexp.MustCompile(`[^A-Za-z0-9]+`)

// errStarted marks a failure after the download's first byte.
var errStarted = errors.New("portal: download cut short")

// sendZIP streams a study's ZIP and audits the download (action, with the
// number of files), a failure included; a failure after the first byte
// cuts the connection.
func (h *Handler) sendZIP(ctx context.Context, w http.ResponseWriter, r *http.Request, uid string, record func(action, detail string, status int)) {
	n, err := h.streamStudyZIP(ctx, w, uid)
	switch {
	case err == nil:
		record("download.zip", fmt.Sprintf("files:%d", n), http.StatusOK)
	case errors.Is(err, archive.ErrNotFound) && !errors.Is(err, errStarted):
		record("download.failed", "not found", http.StatusNotFound)
		h.notFound(w, r)
	case !errors.Is(err, errStarted):
		record("download.failed", "", http.StatusInternalServerError)
		h.serverError(w, r, err)
	default:
		record("download.failed", fmt.Sprintf("files:%d", n), http.StatusOK)
		if !errors.Is(err, context.Canceled) {
			h.logger(r.Context()).Error().Err(err).Str("study_uid", uid).Msg("download cut short")
		}
		panic(http.ErrAbortHandler)
	}
}
