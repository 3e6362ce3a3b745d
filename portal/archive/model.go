package archive

import (
	"strconv"
	"strings"
	"time"

	"github.com/pacslite/pacslite/dicomweb/dicomjson"
)

// Study is a study as the portal shows it.
type Study struct {
	UID          string
	PatientName  string // as in DICOM, components separated by '^'
	PatientID    string
	BirthDate    time.Time
	Sex          string
	Date         time.Time // Study Date and Time; zero when absent
	Accession    string
	Description  string
	Modalities   []string
	Referring    string
	NumSeries    int
	NumInstances int
}

// Series is one series of a study.
type Series struct {
	UID          string
	Number       int
	Modality     string
	Description  string
	BodyPart     string
	NumInstances int
}

// Instance is one instance of a series.
type Instance struct {
	UID      string
	Number   int
	Frames   int
	SOPClass string
}

// DICOM tags the portal reads.
const (
	tagStudyDate        = 0x00080020
	tagStudyTime        = 0x00080030
	tagAccession        = 0x00080050
	tagModality         = 0x00080060
	tagModalities       = 0x00080061
	tagReferring        = 0x00080090
	tagSOPClass         = 0x00080016
	tagSOPInstance      = 0x00080018
	tagStudyDescription = 0x00081030
	tagSeriesDesc       = 0x0008103E
	tagPatientName      = 0x00100010
	tagPatientID        = 0x00100020
	tagBirthDate        = 0x00100030
	tagSex              = 0x00100040
	tagBodyPart         = 0x00180015
	tagStudyUID         = 0x0020000D
	tagSeriesUID        = 0x0020000E
	tagSeriesNumber     = 0x00200011
	tagInstanceNumber   = 0x00200013
	tagNumSeries        = 0x00201206
	tagNumInstances     = 0x00201208
	tagSeriesInstances  = 0x00201209
	tagFrames           = 0x00280008
)

func studyFrom(o dicomjson.Object) Study {
	s := Study{
		UID:          o.String(tagStudyUID),
		PatientName:  o.String(tagPatientName),
		PatientID:    o.String(tagPatientID),
		BirthDate:    parseDate(o.String(tagBirthDate), ""),
		Sex:          o.String(tagSex),
		Date:         parseDate(o.String(tagStudyDate), o.String(tagStudyTime)),
		Accession:    o.String(tagAccession),
		Description:  o.String(tagStudyDescription),
		Referring:    o.String(tagReferring),
		NumSeries:    atoi(o.String(tagNumSeries)),
		NumInstances: atoi(o.String(tagNumInstances)),
	}
	if a, ok := o.Get(tagModalities); ok {
		for _, m := range a.Strings() {
			if m != "" {
				s.Modalities = append(s.Modalities, m)
			}
		}
	}
	return s
}

func seriesFrom(o dicomjson.Object) Series {
	return Series{
		UID:          o.String(tagSeriesUID),
		Number:       atoi(o.String(tagSeriesNumber)),
		Modality:     o.String(tagModality),
		Description:  o.String(tagSeriesDesc),
		BodyPart:     o.String(tagBodyPart),
		NumInstances: atoi(o.String(tagSeriesInstances)),
	}
}

func instanceFrom(o dicomjson.Object) Instance {
	return Instance{
		UID:      o.String(tagSOPInstance),
		Number:   atoi(o.String(tagInstanceNumber)),
		Frames:   max(1, atoi(o.String(tagFrames))),
		SOPClass: o.String(tagSOPClass),
	}
}

func atoi(s string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(s))
	return n
}

// parseDate reads a DA (YYYYMMDD) and an optional TM (HHMMSS.FFFFFF).
func parseDate(da, tm string) time.Time {
	d, err := time.Parse("20060102", strings.TrimSpace(da))
	if err != nil {
		return time.Time{}
	}
	tm = strings.TrimSpace(tm)
	if i := strings.IndexByte(tm, '.'); i >= 0 {
		tm = tm[:i]
	}
	for len(tm) > 0 && len(tm) < 6 {
		tm += "0"
	}
	if t, err := time.Parse("150405", tm); err == nil {
		d = d.Add(time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute + time.Duration(t.Second())*time.Second)
	}
	return d
}

// FormatName turns a DICOM person name ("Doe^John^Q^Dr") into the form
// people read: "Doe, John Q".
func FormatName(pn string) string {
	parts := strings.Split(pn, "^")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	family := parts[0]
	var given []string
	for _, p := range parts[1:min(len(parts), 3)] {
		if p != "" {
			given = append(given, p)
		}
	}
	switch {
	case family == "":
		return strings.Join(given, " ")
	case len(given) == 0:
		return family
	}
	return family + ", " + strings.Join(given, " ")
}
