package zipdicomdir

import (
	"archive/zip"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/pacslite/pacslite/dicomweb/dicomjson"
)

// Instance is one instance file and the header fields of its directory
// records, as DICOM strings (dates YYYYMMDD, numbers as IS text). Missing
// type 1 keys are invented as DCMTK's dcmmkdir -I does (a study date of
// 19000101, a patient ID named after its folder, counters for numbers).
type Instance struct {
	PatientID, PatientName, PatientBirthDate, PatientSex                               string
	StudyInstanceUID, StudyDate, StudyTime, StudyID, AccessionNumber, StudyDescription string
	SeriesInstanceUID, Modality, SeriesNumber                                          string
	SOPClassUID, SOPInstanceUID, InstanceNumber                                        string
	// TransferSyntaxUID is the syntax the file is encoded in (required).
	TransferSyntaxUID string
	// Header holds the other attributes of the instance as the archive's
	// metadata gives them (DICOM JSON), for the keys of records other than
	// IMAGE (see RecordType): an SR document's Completion Flag and Concept
	// Name Code Sequence, an encapsulated PDF's Document Title and MIME
	// type, an RT plan's label. Images need none. Missing type 1 keys are
	// invented (the study's date for a content date, PARTIAL, UNVERIFIED,
	// UNNAMED, the class's MIME type), type 2 keys written empty.
	Header dicomjson.Object
}

// Options configure a Writer.
type Options struct {
	// FileSetID names the file-set (default "PACSLITE"; at most 16
	// upper-case letters, digits, spaces and underscores).
	FileSetID string
	// ImplementationClassUID and ImplementationVersionName go into the
	// DICOMDIR's file meta information.
	ImplementationClassUID    string
	ImplementationVersionName string
	// Modified is the time of the ZIP entries (default now).
	Modified time.Time
	// Readme, when set, is written as README.TXT.
	Readme string
}

// Errors of Add.
var (
	ErrDuplicate = errors.New("zipdicomdir: instance added twice")
	ErrTooMany   = errors.New("zipdicomdir: too many patients, studies, series or images for 8-character names")
	ErrInvalid   = errors.New("zipdicomdir: instance lacks a UID or its transfer syntax")
)

// Writer streams a ZIP of instance files and writes their DICOMDIR on
// Close. Not safe for concurrent use.
type Writer struct {
	zw        *zip.Writer
	opts      Options
	patients  []*patient
	byPatient map[string]*patient
	byStudy   map[string]*study
	bySeries  map[string]*series
	sops      map[string]bool
	closed    bool
}

type patient struct {
	dir, id, name, birth, sex string
	studies                   []*study
}

type study struct {
	dir, studyID string
	patient      *patient
	first        Instance
	series       []*series
}

type series struct {
	dir, number string
	first       Instance
	images      []*entry
}

type entry struct {
	inst   Instance
	fileID []string
	number string
}

// NewWriter returns a writer of a ZIP archive to w.
func NewWriter(w io.Writer, o Options) *Writer {
	if o.FileSetID == "" {
		o.FileSetID = "PACSLITE"
	}
	if o.ImplementationClassUID == "" {
		o.ImplementationClassUID = "2.25.110224468371104187302457245424463355521"
	}
	if o.ImplementationVersionName == "" {
		o.ImplementationVersionName = "PACSLITE"
	}
	if o.Modified.IsZero() {
		o.Modified = time.Now()
	}
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestSpeed)
	})
	return &Writer{zw: zw, opts: o, byPatient: map[string]*patient{}, byStudy: map[string]*study{},
		bySeries: map[string]*series{}, sops: map[string]bool{}}
}

// Add starts the file of one instance and returns where its bytes (a
// DICOM Part 10 file in inst.TransferSyntaxUID) are to be written, until
// the next Add or Close. Files of uncompressed syntaxes are deflated,
// others stored as they are.
func (w *Writer) Add(inst Instance) (io.Writer, error) {
	if w.closed {
		return nil, errors.New("zipdicomdir: add after close")
	}
	if inst.StudyInstanceUID == "" || inst.SeriesInstanceUID == "" || inst.SOPInstanceUID == "" || inst.SOPClassUID == "" || inst.TransferSyntaxUID == "" {
		return nil, ErrInvalid
	}
	if w.sops[inst.SOPInstanceUID] {
		return nil, fmt.Errorf("%w: %s", ErrDuplicate, inst.SOPInstanceUID)
	}
	e, err := w.place(inst)
	if err != nil {
		return nil, err
	}
	w.sops[inst.SOPInstanceUID] = true
	method := zip.Store
	switch inst.TransferSyntaxUID {
	case "1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.2":
		method = zip.Deflate
	}
	return w.zw.CreateHeader(&zip.FileHeader{Name: strings.Join(e.fileID, "/"), Method: method, Modified: w.opts.Modified})
}

// place files an instance under its patient, study and series, creating
// their folders on first sight.
func (w *Writer) place(inst Instance) (*entry, error) {
	st := w.byStudy[inst.StudyInstanceUID]
	if st == nil {
		key := inst.PatientID + "\x00" + inst.PatientName
		p := w.byPatient[key]
		if p == nil {
			if len(w.patients) >= 99999 {
				return nil, ErrTooMany
			}
			dir := fmt.Sprintf("PAT%05d", len(w.patients)+1)
			p = &patient{dir: dir, id: or(inst.PatientID, dir), name: inst.PatientName, birth: inst.PatientBirthDate, sex: inst.PatientSex}
			w.patients = append(w.patients, p)
			w.byPatient[key] = p
		}
		if len(p.studies) >= 99999 {
			return nil, ErrTooMany
		}
		dir := fmt.Sprintf("STU%05d", len(p.studies)+1)
		st = &study{dir: dir, studyID: or(inst.StudyID, dir), patient: p, first: inst}
		p.studies = append(p.studies, st)
		w.byStudy[inst.StudyInstanceUID] = st
	}
	se := w.bySeries[inst.SeriesInstanceUID]
	if se == nil {
		if len(st.series) >= 99999 {
			return nil, ErrTooMany
		}
		n := len(st.series) + 1
		se = &series{dir: fmt.Sprintf("SER%05d", n), number: isOr(inst.SeriesNumber, n), first: inst}
		st.series = append(st.series, se)
		w.bySeries[inst.SeriesInstanceUID] = se
	}
	if len(se.images) >= 999999 {
		return nil, ErrTooMany
	}
	n := len(se.images) + 1
	e := &entry{inst: inst, number: isOr(inst.InstanceNumber, n),
		fileID: []string{"DICOM", st.patient.dir, st.dir, se.dir, fmt.Sprintf("IM%06d", n)}}
	se.images = append(se.images, e)
	return e, nil
}

// isOr returns an IS value, or n when it is missing or not a number.
func isOr(v string, n int) string {
	v = strings.TrimSpace(v)
	if _, err := strconv.Atoi(v); err != nil {
		return strconv.Itoa(n)
	}
	return v
}

// Close writes the DICOMDIR, the README when there is one, and the ZIP's
// central directory. It does not close the underlying writer.
func (w *Writer) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	if w.opts.Readme != "" {
		f, err := w.zw.CreateHeader(&zip.FileHeader{Name: "README.TXT", Method: zip.Deflate, Modified: w.opts.Modified})
		if err != nil {
			return err
		}
		if _, err := io.WriteString(f, w.opts.Readme); err != nil {
			return err
		}
	}
	f, err := w.zw.CreateHeader(&zip.FileHeader{Name: "DICOMDIR", Method: zip.Deflate, Modified: w.opts.Modified})
	if err != nil {
		return err
	}
	if _, err := f.Write(w.dicomdir()); err != nil {
		return err
	}
	return w.zw.Close()
}

// Count is the number of instances added.
func (w *Writer) Count() int { return len(w.sops) }
