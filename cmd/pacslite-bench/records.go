package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/pacslite/pacslite/dicomweb/dataset"
	"github.com/pacslite/pacslite/dicomweb/dicomjson"
	"github.com/pacslite/pacslite/store/index"
)

// Direct indexing: for archive sizes too large to send over HTTP in a
// benchmark run, index records are written straight into pacslite's index
// while the server is stopped, shaped like those STOW-RS writes (see
// dicomweb/extract.go describe): the same searchable values and the same
// precomputed study, series, instance and metadata JSON.

// Attributes kept at each QIDO-RS level, as in dicomweb/levels.go.
var (
	studyTags = tagSet(0x00080005, 0x00080020, 0x00080030, 0x00080050, 0x00080051, 0x00080090,
		0x00080201, 0x00081030, 0x00081032, 0x00081060, 0x00100010, 0x00100020, 0x00100021,
		0x00100030, 0x00100040, 0x00101000, 0x00101010, 0x00101020, 0x00101030, 0x00104000,
		0x0020000D, 0x00200010, 0x00321032, 0x00321060)
	seriesTags = tagSet(0x00080005, 0x00080021, 0x00080031, 0x00080060, 0x00080070, 0x00080080,
		0x00080201, 0x00081010, 0x0008103E, 0x00081050, 0x00081070, 0x00081090, 0x00180015,
		0x00181030, 0x00185100, 0x0020000E, 0x00200011, 0x00200052, 0x00200060, 0x00400244,
		0x00400245, 0x00400254, 0x00400275)
	instanceTags = tagSet(0x00080005, 0x00080008, 0x00080016, 0x00080018, 0x00080022, 0x00080023,
		0x00080032, 0x00080033, 0x00080201, 0x00200012, 0x00200013, 0x00200020, 0x00280002,
		0x00280004, 0x00280008, 0x00280010, 0x00280011, 0x00280100, 0x0040A043, 0x0040A491,
		0x0040A493)
)

func tagSet(tags ...uint32) func(uint32) bool {
	m := make(map[uint32]bool, len(tags))
	for _, t := range tags {
		m[t] = true
	}
	return func(t uint32) bool { return m[t] }
}

// metadataBase returns the template's metadata object, built once, with
// bulk data URIs relative to the instance ("bulk/..."), as describe does
// with an inline limit of 256 bytes.
func (t *template) metadataBase() (dicomjson.Object, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.meta != nil {
		return *t.meta, nil
	}
	f, err := dataset.Parse(bytes.NewReader(t.data), dataset.Options{})
	if err != nil {
		return dicomjson.Object{}, err
	}
	o, err := dicomjson.FromDataset(f.Dataset, f.Charset(), f.ByteOrder, dicomjson.FromOptions{
		InlineBinaryLimit: 256,
		BulkDataURI: func(path []uint32, e *dataset.Element) string {
			if e.Tag == dataset.TagPixelData || e.Bulk || e.Value == nil || len(e.Value) > 256 {
				return "bulk/" + fmt.Sprintf("%08X", path[len(path)-1])
			}
			return ""
		},
	})
	if err != nil {
		return dicomjson.Object{}, err
	}
	if _, ok := o.Get(0x00080005); ok {
		o.Set(dicomjson.String(0x00080005, "CS", "ISO_IR 192"))
	}
	t.meta = &o
	return o, nil
}

// records returns the index records of a study's instances.
func (st *study) records() ([]index.InstanceRecord, error) {
	var recs []index.InstanceRecord
	for _, se := range st.series {
		base, err := se.tmpl.metadataBase()
		if err != nil {
			return nil, err
		}
		var studyAttrs, seriesAttrs []byte
		for i := range se.sops {
			o := base.Clone()
			prefix := "/studies/" + st.uid + "/series/" + se.uid + "/instances/" + se.sops[i] + "/"
			for _, a := range o.Attributes() {
				if strings.HasPrefix(a.BulkDataURI, "bulk/") {
					a.BulkDataURI = prefix + a.BulkDataURI
					o.Set(a)
				}
			}
			for _, e := range se.elems(i) {
				switch {
				case e.tag == dataset.TagPixelData:
				case e.vr == "US":
					o.Set(dicomjson.Num(uint32(e.tag), "US", dicomjson.Number(strconv.Itoa(int(e.value[0])|int(e.value[1])<<8))))
				default:
					o.Set(dicomjson.String(uint32(e.tag), e.vr, strings.Split(string(e.value), `\`)...))
				}
			}
			if studyAttrs == nil {
				studyAttrs = o.Filter(studyTags).AppendJSON(nil)
				seriesAttrs = o.Filter(seriesTags).AppendJSON(nil)
			}
			sum := sha256.Sum256([]byte(se.sops[i]))
			digest := hex.EncodeToString(sum[:])
			num, sn := int64(i+1), int64(se.number)
			recs = append(recs, index.InstanceRecord{
				PatientID: st.patient.id, PatientName: st.patient.name,
				PatientBirthDate: st.patient.birth, PatientSex: st.patient.sex,
				StudyInstanceUID: st.uid, StudyDate: st.date, StudyTime: st.time,
				AccessionNumber: st.accession, StudyID: st.id, StudyDescription: st.desc,
				ReferringPhysicianName: st.referring,
				SeriesInstanceUID:      se.uid, Modality: se.modality, SeriesNumber: &sn,
				SeriesDescription: se.desc, SeriesDate: st.date, SeriesTime: se.time,
				BodyPartExamined: se.bodyPart,
				SOPInstanceUID:   se.sops[i], SOPClassUID: se.sopClass, InstanceNumber: &num,
				TransferSyntaxUID: se.tmpl.ts, NumberOfFrames: 1,
				Rows: int64(se.rows), Columns: int64(se.cols),
				BlobKey: "instances/" + st.uid + "/" + se.uid + "/" + se.sops[i] + "." + digest[:16] + ".dcm",
				Size:    se.fileSize(), Digest: digest,
				StudyAttrs: studyAttrs, SeriesAttrs: seriesAttrs,
				InstanceAttrs: o.Filter(instanceTags).AppendJSON(nil),
				Metadata:      o.AppendJSON(nil),
			})
		}
	}
	return recs, nil
}

// indexDirect adds random studies from the mix to the index at path until
// it holds at least total instances (counting already instances), in
// transactions of about 2,000 instances. The server must be stopped.
func indexDirect(ctx context.Context, g *generator, path string, already, total int, progress func(done int, rate float64)) (int, error) {
	db, err := index.Open(ctx, path, index.Options{})
	if err != nil {
		return already, err
	}
	done, err := putRandomStudies(ctx, g, db, already, total, progress)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	return done, err
}

func putRandomStudies(ctx context.Context, g *generator, db *index.DB, already, total int, progress func(done int, rate float64)) (int, error) {
	start, done := time.Now(), already
	var batch []index.InstanceRecord
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if _, err := db.PutInstances(ctx, batch); err != nil {
			return fmt.Errorf("index %d records: %w", len(batch), err)
		}
		done += len(batch)
		batch = batch[:0]
		if progress != nil {
			progress(done, float64(done-already)/time.Since(start).Seconds())
		}
		return nil
	}
	for done+len(batch) < total {
		recs, err := g.randomStudy().records()
		if err != nil {
			return done, err
		}
		batch = append(batch, recs...)
		if len(batch) >= 2000 {
			if err := flush(); err != nil {
				return done, err
			}
		}
	}
	return done, flush()
}
