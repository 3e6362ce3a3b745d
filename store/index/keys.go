package index

// keyKind says how values of a matching key compare.
type keyKind int

const (
	kText       keyKind = iota + 1 // case-sensitive string (SH, LO, CS)
	kUID                           // UI
	kPN                            // person name: case-insensitive, fuzzy on request
	kDate                          // DA, stored YYYYMMDD
	kTime                          // TM, stored HHMMSS.FFFFFF
	kInt                           // IS, stored INTEGER
	kModalities                    // ModalitiesInStudy, matched against the series
)

// key is a matching key: its level, kind and the column(s) it compares.
type key struct {
	level Level
	kind  keyKind
	col   string // qualified column; for PN the alphabetic group's
	ideo  string // PN: ideographic group column, if stored
	phon  string // PN: phonetic group column, if stored
	fold  string // PN: folded tokens for fuzzy matching
}

// Tags of the matching keys (group<<16 | element).
const (
	tagSOPClassUID            = 0x00080016
	tagSOPInstanceUID         = 0x00080018
	tagStudyDate              = 0x00080020
	tagSeriesDate             = 0x00080021
	tagStudyTime              = 0x00080030
	tagSeriesTime             = 0x00080031
	tagAccessionNumber        = 0x00080050
	tagModality               = 0x00080060
	tagModalitiesInStudy      = 0x00080061
	tagReferringPhysicianName = 0x00080090
	tagStudyDescription       = 0x00081030
	tagSeriesDescription      = 0x0008103E
	tagPatientName            = 0x00100010
	tagPatientID              = 0x00100020
	tagPatientBirthDate       = 0x00100030
	tagPatientSex             = 0x00100040
	tagBodyPartExamined       = 0x00180015
	tagStudyInstanceUID       = 0x0020000D
	tagSeriesInstanceUID      = 0x0020000E
	tagStudyID                = 0x00200010
	tagSeriesNumber           = 0x00200011
	tagInstanceNumber         = 0x00200013
	tagPPSStartDate           = 0x00400244
	tagPPSStartTime           = 0x00400245
)

// lookupKey returns the matching key for tag.
func lookupKey(tag uint32) (key, bool) {
	switch tag {
	// Study level (patient attributes are denormalised onto the study).
	case tagStudyDate:
		return key{level: StudyLevel, kind: kDate, col: "st.study_date"}, true
	case tagStudyTime:
		return key{level: StudyLevel, kind: kTime, col: "st.study_time"}, true
	case tagAccessionNumber:
		return key{level: StudyLevel, kind: kText, col: "st.accession_number"}, true
	case tagModalitiesInStudy:
		return key{level: StudyLevel, kind: kModalities, col: "modality"}, true
	case tagReferringPhysicianName:
		return key{level: StudyLevel, kind: kPN, col: "st.referring_physician_name",
			fold: "st.referring_physician_fold"}, true
	case tagPatientName:
		return key{level: StudyLevel, kind: kPN, col: "st.patient_name", ideo: "st.patient_name_ideo",
			phon: "st.patient_name_phon", fold: "st.patient_name_fold"}, true
	case tagPatientID:
		return key{level: StudyLevel, kind: kText, col: "st.patient_id"}, true
	case tagStudyInstanceUID:
		return key{level: StudyLevel, kind: kUID, col: "st.study_uid"}, true
	case tagStudyID:
		return key{level: StudyLevel, kind: kText, col: "st.study_id"}, true
	case tagStudyDescription:
		return key{level: StudyLevel, kind: kText, col: "st.study_description"}, true
	case tagPatientBirthDate:
		return key{level: StudyLevel, kind: kDate, col: "st.patient_birth_date"}, true
	case tagPatientSex:
		return key{level: StudyLevel, kind: kText, col: "st.patient_sex"}, true

	// Series level.
	case tagModality:
		return key{level: SeriesLevel, kind: kText, col: "se.modality"}, true
	case tagSeriesInstanceUID:
		return key{level: SeriesLevel, kind: kUID, col: "se.series_uid"}, true
	case tagSeriesNumber:
		return key{level: SeriesLevel, kind: kInt, col: "se.series_number"}, true
	case tagSeriesDescription:
		return key{level: SeriesLevel, kind: kText, col: "se.series_description"}, true
	case tagSeriesDate:
		return key{level: SeriesLevel, kind: kDate, col: "se.series_date"}, true
	case tagSeriesTime:
		return key{level: SeriesLevel, kind: kTime, col: "se.series_time"}, true
	case tagPPSStartDate:
		return key{level: SeriesLevel, kind: kDate, col: "se.pps_start_date"}, true
	case tagPPSStartTime:
		return key{level: SeriesLevel, kind: kTime, col: "se.pps_start_time"}, true
	case tagBodyPartExamined:
		return key{level: SeriesLevel, kind: kText, col: "se.body_part"}, true

	// Instance level.
	case tagSOPClassUID:
		return key{level: InstanceLevel, kind: kUID, col: "i.sop_class_uid"}, true
	case tagSOPInstanceUID:
		return key{level: InstanceLevel, kind: kUID, col: "i.sop_uid"}, true
	case tagInstanceNumber:
		return key{level: InstanceLevel, kind: kInt, col: "i.instance_number"}, true
	}
	return key{}, false
}

// Supports reports whether Search can match on tag at level. Keys of
// higher levels are matching keys at lower ones too (a series search
// across studies may filter on PatientID).
func Supports(level Level, tag uint32) bool {
	k, ok := lookupKey(tag)
	return ok && level >= StudyLevel && level <= InstanceLevel && k.level <= level
}
