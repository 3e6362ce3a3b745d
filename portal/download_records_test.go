package portal

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/suyashkumar/dicom"
	"github.com/suyashkumar/dicom/pkg/tag"
)

// TestDownloadRecordTypes: a downloaded SR, encapsulated PDF and RT plan
// get their own directory records (SR DOCUMENT, ENCAP DOC, RT PLAN) with
// the keys read from the archive's metadata, not IMAGE records.
func TestDownloadRecordTypes(t *testing.T) {
	e := newEnv(t)
	tok := e.token("pacs", ScopeRead, ScopeWrite)
	for _, tt := range []struct {
		file, kind string
		keys       map[tag.Tag]string
	}{
		{"pydicom/test-SR.dcm", "SR DOCUMENT",
			map[tag.Tag]string{tag.CompletionFlag: "COMPLETE", tag.VerificationFlag: "VERIFIED", tag.ContentDate: "20010213"}},
		{"crafted/pixels/encapsulated_pdf.dcm", "ENCAP DOC",
			map[tag.Tag]string{tag.DocumentTitle: "Test report", tag.MIMETypeOfEncapsulatedDocument: "application/pdf"}},
		{"pydicom/rtplan.dcm", "RT PLAN", map[tag.Tag]string{tag.RTPlanLabel: "Plan1", tag.RTPlanDate: "20030903"}},
	} {
		t.Run(tt.kind, func(t *testing.T) {
			res := e.browser().stow(bearer(tok), tt.file)
			if res.status != http.StatusOK {
				t.Fatalf("STOW %s = %d\n%s", tt.file, res.status, res.body)
			}
			m := studyUIDInBody.FindStringSubmatch(res.body)
			if m == nil {
				t.Fatalf("no study in the STOW answer\n%s", res.body)
			}
			uid := m[1]
			rec := httptest.NewRecorder()
			n, err := e.h.streamStudyZIP(fullAccess(context.Background()), rec, uid)
			if err != nil || n != 1 {
				t.Fatalf("streamStudyZIP(%s) = %d, %v", uid, n, err)
			}
			body := rec.Body.Bytes()
			zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
			if err != nil {
				t.Fatal(err)
			}
			var dd []byte
			for _, f := range zr.File {
				if f.Name == "DICOMDIR" {
					rc, _ := f.Open()
					dd, _ = io.ReadAll(rc)
					rc.Close()
				}
			}
			ds, err := dicom.Parse(bytes.NewReader(dd), int64(len(dd)), nil)
			if err != nil {
				t.Fatalf("DICOMDIR of %s: %v", filepath.Base(tt.file), err)
			}
			seq, _ := ds.FindElementByTag(tag.DirectoryRecordSequence)
			items := seq.Value.GetValue().([]*dicom.SequenceItemValue)
			if len(items) != 4 {
				t.Fatalf("%d records, want patient, study, series and the document", len(items))
			}
			got := map[tag.Tag]string{}
			for _, el := range items[3].GetValue().([]*dicom.Element) {
				if v, ok := el.Value.GetValue().([]string); ok {
					got[el.Tag] = strings.TrimSpace(strings.Join(v, `\`))
				}
			}
			if got[tag.DirectoryRecordType] != tt.kind {
				t.Errorf("record type = %q, want %q", got[tag.DirectoryRecordType], tt.kind)
			}
			for k, want := range tt.keys {
				if got[k] != want {
					t.Errorf("%v = %q, want %q", k, got[k], want)
				}
			}
		})
	}
}

// studyUIDInBody finds the study of a STOW-RS answer's RetrieveURL.
var studyUIDInBody = regexp.MustCompile(`/studies/([0-9.]+)`)
