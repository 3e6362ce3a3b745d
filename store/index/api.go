package index

import "errors"

// ErrNotFound is returned (wrapped) when a study, series or instance does
// not exist.
var ErrNotFound = errors.New("index: not found")

// ErrInvalid is returned (wrapped) when a record lacks a required value
// (a UID, the blob key) or a query value is malformed (a non-numeric IS
// key, a date that is not YYYYMMDD, a range on a key that has no order).
var ErrInvalid = errors.New("index: invalid value")

// ErrUnsupportedKey is returned (wrapped) by Search when a filter names an
// attribute the index cannot match on at that level.
var ErrUnsupportedKey = errors.New("index: unsupported matching key")

// Level is a QIDO-RS query level.
type Level int

// Query levels.
const (
	StudyLevel Level = iota + 1
	SeriesLevel
	InstanceLevel
)

// InstanceRecord is everything the index keeps about one stored instance.
// Text values are UTF-8 with DICOM padding removed; empty means absent.
type InstanceRecord struct {
	// Patient (denormalised onto the study).
	PatientID        string
	PatientName      string // PN as in the Alphabetic group, e.g. "Doe^John"
	PatientNameIdeo  string // Ideographic group, may be empty
	PatientNamePhon  string // Phonetic group, may be empty
	PatientBirthDate string // YYYYMMDD
	PatientSex       string

	// Study.
	StudyInstanceUID       string
	StudyDate              string // YYYYMMDD
	StudyTime              string // HHMMSS.FFFFFF, any precision
	AccessionNumber        string
	StudyID                string
	StudyDescription       string
	ReferringPhysicianName string

	// Series.
	SeriesInstanceUID               string
	Modality                        string
	SeriesNumber                    *int64
	SeriesDescription               string
	SeriesDate                      string
	SeriesTime                      string
	BodyPartExamined                string
	PerformedProcedureStepStartDate string
	PerformedProcedureStepStartTime string

	// Instance.
	SOPInstanceUID    string
	SOPClassUID       string
	InstanceNumber    *int64
	TransferSyntaxUID string
	NumberOfFrames    int64
	Rows, Columns     int64

	// Storage.
	BlobKey string // where the instance's bytes are
	Size    int64  // bytes
	// Digest is a hash of the stored bytes (hex XXH3-128 from STOW-RS;
	// SHA-256 in rows stored by earlier versions, which never equal one).
	// It tells a re-sent instance (Unchanged) from a changed one, so it
	// need not resist forgery: whoever may store an instance may replace it.
	Digest string

	// Precomputed DICOM JSON (canonical dicomjson encoding, one object
	// each). StudyAttrs and SeriesAttrs are the patient/study and series
	// level attributes of this instance; the study and series rows take the
	// values of the most recently stored instance. InstanceAttrs are the
	// instance-level attributes QIDO-RS returns. Metadata is the whole
	// instance as WADO-RS metadata returns it, with BulkDataURI values
	// relative to the service root (the caller makes them absolute).
	StudyAttrs    []byte
	SeriesAttrs   []byte
	InstanceAttrs []byte
	Metadata      []byte
}

// PutResult says what PutInstance did.
type PutResult struct {
	// Unchanged is true when the same instance with the same Digest was
	// already stored; nothing was written and the caller should delete the
	// blob it just wrote (unless its key equals the stored one).
	Unchanged bool
	// ReplacedBlobKey is the blob key of the previous version when the
	// instance existed with different bytes; the caller deletes that blob
	// after PutInstance returns. Empty when nothing was replaced.
	ReplacedBlobKey string
}

// MatchKind is how a Filter matches.
type MatchKind int

// Matching types of PS3.4 C.2.2.2.
const (
	// MatchSingle: the value equals Values[0] (PN case-insensitively).
	MatchSingle MatchKind = iota + 1
	// MatchList: the value equals any of Values (UID list matching).
	MatchList
	// MatchWildcard: Values[0] contains '*' (any run) and/or '?' (one
	// character).
	MatchWildcard
	// MatchRange: Lo <= value <= Hi, either bound may be empty (open). For
	// DA, TM and DT values in their DICOM string forms.
	MatchRange
)

// Filter is one matching key.
type Filter struct {
	Tag    uint32
	Kind   MatchKind
	Values []string
	Lo, Hi string
}

// Query is a QIDO-RS search.
type Query struct {
	Level Level
	// Scope from the request path: when set, only that study (and series).
	StudyInstanceUID  string
	SeriesInstanceUID string
	Filters           []Filter
	// FuzzyNames asks for fuzzy matching of PN keys: case- and
	// accent-insensitive, a key matching the start of any name component.
	FuzzyNames bool
	// Limit is the maximum number of results (> 0); Offset skips results.
	Limit  int
	Offset int
}

// Match is one QIDO-RS result.
type Match struct {
	StudyInstanceUID  string
	SeriesInstanceUID string // series and instance levels
	SOPInstanceUID    string // instance level
	// Stored attribute JSON of the levels at and above the query level
	// (InstanceAttrs only at instance level, SeriesAttrs at series and
	// instance levels).
	StudyAttrs, SeriesAttrs, InstanceAttrs []byte
	// Computed attributes.
	ModalitiesInStudy              []string // study level, sorted
	NumberOfStudyRelatedSeries     int64    // study level
	NumberOfStudyRelatedInstances  int64    // study level
	NumberOfSeriesRelatedInstances int64    // series level
}

// InstanceRef locates one stored instance.
type InstanceRef struct {
	StudyInstanceUID  string
	SeriesInstanceUID string
	SOPInstanceUID    string
	SOPClassUID       string
	TransferSyntaxUID string
	BlobKey           string
	Size              int64
	Digest            string
	NumberOfFrames    int64 // as recorded; 0 when absent
}
