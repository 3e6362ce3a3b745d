package portal

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"

	"github.com/pacslite/pacslite/dicomweb"
	"github.com/pacslite/pacslite/dicomweb/dicomjson"
	"github.com/pacslite/pacslite/portal/reportdcm"
)

// The portal stores reports through the archive's own DICOMweb handler,
// in process and with full rights: the same STOW-RS path as any modality,
// so the instance is checked, indexed and served like every other.

// archiveCall sends one in-process request to the archive with full access.
func (h *Handler) archiveCall(ctx context.Context, method, path string, q url.Values, body []byte, contentType string) (int, []byte, error) {
	u := h.opts.DICOMwebPrefix + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	ctx = dicomweb.WithAccess(ctx, &dicomweb.Access{})
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return 0, nil, fmt.Errorf("portal: archive %s: %w", path, err)
	}
	req.Host = "portal.invalid"
	req.RemoteAddr = "127.0.0.1:0"
	req.Header.Set("Accept", "application/dicom+json")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	w := &memoryWriter{header: http.Header{}}
	h.opts.DICOMweb.ServeHTTP(w, req)
	return w.status, w.body.Bytes(), nil
}

// memoryWriter is the response writer of an in-process request; answers
// here are small (a STOW response, one study's attributes).
type memoryWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (m *memoryWriter) Header() http.Header { return m.header }
func (m *memoryWriter) WriteHeader(code int) {
	if m.status == 0 {
		m.status = code
	}
}
func (m *memoryWriter) Write(p []byte) (int, error) {
	m.WriteHeader(http.StatusOK)
	return m.body.Write(p)
}

// dicomStudy reads the patient and study attributes of a study as DICOM
// strings, for the report instance.
func (h *Handler) dicomStudy(ctx context.Context, uid string) (reportdcm.Study, error) {
	status, body, err := h.archiveCall(ctx, http.MethodGet, "/studies", url.Values{"StudyInstanceUID": {uid},
		"includefield": {"00100030,00100040,00081030,00200010,00080090"}}, nil, "")
	if err != nil {
		return reportdcm.Study{}, err
	}
	if status != http.StatusOK {
		return reportdcm.Study{}, fmt.Errorf("portal: study %s: archive answered %d", uid, status)
	}
	objs, err := dicomjson.DecodeArray(bytes.NewReader(body))
	if err != nil {
		return reportdcm.Study{}, fmt.Errorf("portal: study %s: %w", uid, err)
	}
	for _, o := range objs {
		if o.String(0x0020000D) != uid {
			continue
		}
		return reportdcm.Study{
			StudyUID: uid, StudyDate: o.String(0x00080020), StudyTime: o.String(0x00080030), StudyID: o.String(0x00200010),
			Accession: o.String(0x00080050), Description: o.String(0x00081030), Referring: o.String(0x00080090),
			PatientName: o.String(0x00100010), PatientID: o.String(0x00100020), BirthDate: o.String(0x00100030),
			Sex: o.String(0x00100040),
		}, nil
	}
	return reportdcm.Study{}, fmt.Errorf("portal: study %s is not in the archive", uid)
}

// storeInstance sends one DICOM file to the study with STOW-RS.
func (h *Handler) storeInstance(ctx context.Context, studyUID string, file []byte) error {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	part, _ := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {"application/dicom"}})
	part.Write(file)
	mw.Close()
	status, resp, err := h.archiveCall(ctx, http.MethodPost, "/studies/"+url.PathEscape(studyUID), nil, body.Bytes(),
		`multipart/related; type="application/dicom"; boundary=`+mw.Boundary())
	if err != nil {
		return err
	}
	// 202 with no Failed SOP Sequence (0008,1198): stored, with warnings.
	if status != http.StatusOK && (status != http.StatusAccepted || bytes.Contains(resp, []byte(`"00081198"`))) {
		// The response names the failure reason; it holds no patient data.
		return fmt.Errorf("portal: store report in %s: archive answered %d: %.300s", studyUID, status, resp)
	}
	return nil
}
