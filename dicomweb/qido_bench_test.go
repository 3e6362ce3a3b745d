package dicomweb

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/pacslite/pacslite/dicomweb/dataset"
	"github.com/pacslite/pacslite/dicomweb/dicomjson"
	"github.com/pacslite/pacslite/store/index"
)

// benchArchive indexes studies of seriesPer series of perSeries instances
// each, cloned from CT_small.dcm as STOW-RS would describe it, with their
// own UIDs, patients, dates and modalities, straight into h's index.
// It returns the UIDs of the first study and its first series.
func benchArchive(b *testing.B, h *Handler, studies, seriesPer, perSeries int) (string, string) {
	b.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "pydicom", "CT_small.dcm"))
	if err != nil {
		b.Fatal(err)
	}
	f, err := dataset.Parse(bytes.NewReader(data), dataset.Options{})
	if err != nil {
		b.Fatal(err)
	}
	uids, err := identify(f)
	if err != nil {
		b.Fatal(err)
	}
	base, err := describe(f, uids)
	if err != nil {
		b.Fatal(err)
	}
	var meta dicomjson.Object
	if err := meta.UnmarshalJSON(base.Metadata); err != nil {
		b.Fatal(err)
	}
	modalities := []string{"CT", "MR", "CR", "DX", "US", "MG", "PT"}
	ctx := context.Background()
	var batch []index.InstanceRecord
	for s := range studies {
		o := meta.Clone()
		rec := base
		rec.StudyInstanceUID = fmt.Sprintf("2.25.%d", 1000000+s)
		rec.PatientID = fmt.Sprintf("PID%07d", s/2)
		rec.PatientName = fmt.Sprintf("Name%05d^Given%d", s/2, s%7)
		rec.StudyDate = fmt.Sprintf("%04d%02d%02d", 2010+s%15, 1+s%12, 1+s%28)
		rec.StudyDescription = fmt.Sprintf("STUDY %d", s%40)
		o.Set(dicomjson.String(0x0020000D, "UI", rec.StudyInstanceUID))
		o.Set(dicomjson.String(0x00100020, "LO", rec.PatientID))
		o.Set(dicomjson.String(0x00100010, "PN", rec.PatientName))
		o.Set(dicomjson.String(0x00080020, "DA", rec.StudyDate))
		o.Set(dicomjson.String(0x00081030, "LO", rec.StudyDescription))
		rec.StudyAttrs = o.Filter(func(t uint32) bool { return studyLevelTags[t] }).AppendJSON(nil)
		for se := range seriesPer {
			rec.SeriesInstanceUID = fmt.Sprintf("%s.%d", rec.StudyInstanceUID, se+1)
			rec.Modality = modalities[(s+se)%len(modalities)]
			o.Set(dicomjson.String(0x0020000E, "UI", rec.SeriesInstanceUID))
			o.Set(dicomjson.String(0x00080060, "CS", rec.Modality))
			rec.SeriesAttrs = o.Filter(func(t uint32) bool { return seriesLevelTags[t] }).AppendJSON(nil)
			for i := range perSeries {
				rec.SOPInstanceUID = fmt.Sprintf("%s.%d", rec.SeriesInstanceUID, i+1)
				n := int64(i + 1)
				rec.InstanceNumber = &n
				rec.BlobKey = "instances/" + rec.SOPInstanceUID
				o.Set(dicomjson.String(0x00080018, "UI", rec.SOPInstanceUID))
				rec.InstanceAttrs = o.Filter(func(t uint32) bool { return instanceLevelTags[t] }).AppendJSON(nil)
				rec.Metadata = o.AppendJSON(nil)
				batch = append(batch, rec)
				if len(batch) == 2000 {
					if _, err := h.opts.Index.PutInstances(ctx, batch); err != nil {
						b.Fatal(err)
					}
					batch = batch[:0]
				}
			}
		}
	}
	if _, err := h.opts.Index.PutInstances(ctx, batch); err != nil {
		b.Fatal(err)
	}
	return "2.25.1000000", "2.25.1000000.1"
}

// BenchmarkSearchStudies runs the study-list requests OHIF makes through
// the whole handler (routing, parsing, index, JSON) over 5,000 studies of
// 2 instances: ns/op is one request.
func BenchmarkSearchStudies(b *testing.B) {
	h := newTestHandler(b)
	benchArchive(b, h, 5000, 1, 2)
	const list = "limit=101&offset=0&fuzzymatching=false"
	for _, bb := range []struct{ name, query string }{
		{"OHIF", list + "&includefield=00081030,00080060"},
		{"OHIFWithoutModalityInclude", list + "&includefield=00081030"},
		{"Offset2020", "limit=101&offset=2020&fuzzymatching=false&includefield=00081030,00080060"},
		{"PatientID", list + "&includefield=00081030,00080060&PatientID=PID0001234"},
		{"PatientNameContains", list + "&includefield=00081030,00080060&PatientName=*e0123*"},
		{"StudyDateRange", list + "&includefield=00081030,00080060&StudyDate=20150101-20150331"},
		{"ModalitiesInStudy", list + "&includefield=00081030,00080060&ModalitiesInStudy=CT"},
	} {
		b.Run(bb.name, func(b *testing.B) {
			r := httptest.NewRequest("GET", "/dicomweb/studies?"+bb.query, nil)
			r.Header.Set("Accept", "application/dicom+json")
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != 200 || w.Body.Len() < 3 {
					b.Fatalf("GET studies?%s = %d, %d bytes", bb.query, w.Code, w.Body.Len())
				}
			}
		})
	}
}

// BenchmarkParseSearch parses OHIF's study-list query string with filters
// into an index query (no I/O).
func BenchmarkParseSearch(b *testing.B) {
	q, err := url.ParseQuery("limit=101&offset=0&fuzzymatching=false&includefield=00081030,00080060" +
		"&PatientName=*doe*&00100020=*123*&StudyDate=20200101-20201231&ModalitiesInStudy=CT")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseSearch(q, index.StudyLevel, pathUIDs{}, 1000); err != nil {
			b.Fatal(err)
		}
	}
}
