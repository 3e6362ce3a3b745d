package dicomweb

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pacslite/pacslite/dicomweb/dataset"
	"github.com/pacslite/pacslite/dicomweb/dicomjson"
	"github.com/pacslite/pacslite/store/index"
)

// Binary values up to this size are inlined in metadata (InlineBinary);
// longer ones get a BulkDataURI, as does Pixel Data always.
const inlineBinaryLimit = 256

// bulkURIMarker starts every stored BulkDataURI. Stored metadata cannot hold
// absolute URLs (the base URL depends on how each client reaches us), so
// URIs are stored relative to the service root and completed when served;
// see absolutize.
const bulkURIMarker = `"BulkDataURI":"`

// describe reads what the index needs from a parsed instance: the
// searchable values and the precomputed JSON of each level and of the whole
// instance. UIDs must already be checked.
func describe(f *dataset.File, uids instanceUIDs) (index.InstanceRecord, error) {
	paths := bulkPaths(f.Dataset)
	base := "/studies/" + uids.study + "/series/" + uids.series + "/instances/" + uids.sop + "/bulk/"
	meta, err := dicomjson.FromDataset(f.Dataset, f.Charset(), f.ByteOrder, dicomjson.FromOptions{
		InlineBinaryLimit: inlineBinaryLimit,
		BulkDataURI: func(_ []uint32, e *dataset.Element) string {
			if e.Tag == dataset.TagPixelData || e.Bulk || e.Value == nil || int64(len(e.Value)) > inlineBinaryLimit {
				return base + paths[e]
			}
			return ""
		},
	})
	if err != nil {
		return index.InstanceRecord{}, fmt.Errorf("dicomweb: describe instance: %w", err)
	}
	// Everything we serve is UTF-8 JSON, whatever the file's character set.
	if _, ok := meta.Get(0x00080005); ok {
		meta.Set(dicomjson.String(0x00080005, "CS", "ISO_IR 192"))
	}

	pn := func(tag uint32) dicomjson.PersonName {
		a, ok := meta.Get(tag)
		if !ok || len(a.Values) == 0 {
			return dicomjson.PersonName{}
		}
		p, _ := a.Values[0].(dicomjson.PersonName)
		return p
	}
	name := pn(0x00100010)
	rec := index.InstanceRecord{
		PatientID:        meta.String(0x00100020),
		PatientName:      name.Alphabetic,
		PatientNameIdeo:  name.Ideographic,
		PatientNamePhon:  name.Phonetic,
		PatientBirthDate: meta.String(0x00100030),
		PatientSex:       meta.String(0x00100040),

		StudyInstanceUID:       uids.study,
		StudyDate:              meta.String(0x00080020),
		StudyTime:              meta.String(0x00080030),
		AccessionNumber:        meta.String(0x00080050),
		StudyID:                meta.String(0x00200010),
		StudyDescription:       meta.String(0x00081030),
		ReferringPhysicianName: pn(0x00080090).Alphabetic,

		SeriesInstanceUID:               uids.series,
		Modality:                        meta.String(0x00080060),
		SeriesNumber:                    intPtr(meta.String(0x00200011)),
		SeriesDescription:               meta.String(0x0008103E),
		SeriesDate:                      meta.String(0x00080021),
		SeriesTime:                      meta.String(0x00080031),
		BodyPartExamined:                meta.String(0x00180015),
		PerformedProcedureStepStartDate: meta.String(0x00400244),
		PerformedProcedureStepStartTime: meta.String(0x00400245),

		SOPInstanceUID:    uids.sop,
		SOPClassUID:       uids.class,
		InstanceNumber:    intPtr(meta.String(0x00200013)),
		TransferSyntaxUID: f.TransferSyntax,
		NumberOfFrames:    intOr(meta.String(0x00280008), 1),
		Rows:              intOr(meta.String(0x00280010), 0),
		Columns:           intOr(meta.String(0x00280011), 0),
	}
	if f.Dataset.Find(dataset.TagPixelData) == nil {
		rec.NumberOfFrames = 0
	}
	rec.StudyAttrs = meta.Filter(func(t uint32) bool { return studyLevelTags[t] }).AppendJSON(nil)
	rec.SeriesAttrs = meta.Filter(func(t uint32) bool { return seriesLevelTags[t] }).AppendJSON(nil)
	rec.InstanceAttrs = meta.Filter(func(t uint32) bool { return instanceLevelTags[t] }).AppendJSON(nil)
	rec.Metadata = meta.AppendJSON(nil)
	return rec, nil
}

// instanceUIDs are the identifying UIDs of one instance.
type instanceUIDs struct {
	study, series, sop, class string
}

// identify reads and checks the four UIDs every instance must carry.
func identify(f *dataset.File) (instanceUIDs, error) {
	get := func(t dataset.Tag, name string) (string, error) {
		e := f.Dataset.Find(t)
		if e == nil {
			return "", fmt.Errorf("%s (%04X,%04X) is missing", name, t.Group(), t.Element())
		}
		v := e.Strings(nil)
		if len(v) != 1 || !validUID(v[0]) {
			return "", fmt.Errorf("%s (%04X,%04X) is not a valid UID", name, t.Group(), t.Element())
		}
		return v[0], nil
	}
	var u instanceUIDs
	var err error
	if u.study, err = get(dataset.TagStudyInstanceUID, "Study Instance UID"); err != nil {
		return u, err
	}
	if u.series, err = get(dataset.TagSeriesInstanceUID, "Series Instance UID"); err != nil {
		return u, err
	}
	if u.sop, err = get(dataset.TagSOPInstanceUID, "SOP Instance UID"); err != nil {
		return u, err
	}
	if u.class, err = get(dataset.TagSOPClassUID, "SOP Class UID"); err != nil {
		return u, err
	}
	return u, nil
}

// bulkPaths names every element by its path from the top of the dataset:
// tags in hex, with item numbers (from 1) between a sequence and its items'
// elements, e.g. "00540016/1/00181072". Bulk data URIs end with that path.
func bulkPaths(ds *dataset.Dataset) map[*dataset.Element]string {
	m := map[*dataset.Element]string{}
	var walk func(ds *dataset.Dataset, prefix string)
	walk = func(ds *dataset.Dataset, prefix string) {
		for _, e := range ds.Elements {
			p := prefix + e.Tag.String()
			m[e] = p
			for i, item := range e.Items {
				walk(item, p+"/"+strconv.Itoa(i+1)+"/")
			}
		}
	}
	walk(ds, "")
	return m
}

func intPtr(s string) *int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return nil
	}
	return &n
}

func intOr(s string, def int64) int64 {
	if p := intPtr(s); p != nil {
		return *p
	}
	return def
}
