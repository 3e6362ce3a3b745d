package dicomweb

// Attributes kept at each QIDO-RS level. They are copied from the stored
// instance into the study, series and instance rows, so a search answers
// from the index without opening any file. The lists hold what PS3.18 tables
// 10.6.3-3 to -5 require plus what study lists and viewers (OHIF, Weasis)
// display; includefield asks for anything else, which is then read from the
// stored metadata of one instance.
var (
	studyLevelTags = tagSet(
		0x00080005, // SpecificCharacterSet
		0x00080020, // StudyDate
		0x00080030, // StudyTime
		0x00080050, // AccessionNumber
		0x00080051, // IssuerOfAccessionNumberSequence
		0x00080090, // ReferringPhysicianName
		0x00080201, // TimezoneOffsetFromUTC
		0x00081030, // StudyDescription
		0x00081032, // ProcedureCodeSequence
		0x00081060, // NameOfPhysiciansReadingStudy
		0x00100010, // PatientName
		0x00100020, // PatientID
		0x00100021, // IssuerOfPatientID
		0x00100030, // PatientBirthDate
		0x00100040, // PatientSex
		0x00101000, // OtherPatientIDs
		0x00101010, // PatientAge
		0x00101020, // PatientSize
		0x00101030, // PatientWeight
		0x00104000, // PatientComments
		0x0020000D, // StudyInstanceUID
		0x00200010, // StudyID
		0x00321032, // RequestingPhysician
		0x00321060, // RequestedProcedureDescription
	)
	seriesLevelTags = tagSet(
		0x00080005, // SpecificCharacterSet
		0x00080021, // SeriesDate
		0x00080031, // SeriesTime
		0x00080060, // Modality
		0x00080070, // Manufacturer
		0x00080080, // InstitutionName
		0x00080201, // TimezoneOffsetFromUTC
		0x00081010, // StationName
		0x0008103E, // SeriesDescription
		0x00081050, // PerformingPhysicianName
		0x00081070, // OperatorsName
		0x00081090, // ManufacturerModelName
		0x00180015, // BodyPartExamined
		0x00181030, // ProtocolName
		0x00185100, // PatientPosition
		0x0020000E, // SeriesInstanceUID
		0x00200011, // SeriesNumber
		0x00200052, // FrameOfReferenceUID
		0x00200060, // Laterality
		0x00400244, // PerformedProcedureStepStartDate
		0x00400245, // PerformedProcedureStepStartTime
		0x00400254, // PerformedProcedureStepDescription
		0x00400275, // RequestAttributesSequence
	)
	instanceLevelTags = tagSet(
		0x00080005, // SpecificCharacterSet
		0x00080008, // ImageType
		0x00080016, // SOPClassUID
		0x00080018, // SOPInstanceUID
		0x00080022, // AcquisitionDate
		0x00080023, // ContentDate
		0x00080032, // AcquisitionTime
		0x00080033, // ContentTime
		0x00080201, // TimezoneOffsetFromUTC
		0x00200012, // AcquisitionNumber
		0x00200013, // InstanceNumber
		0x00200020, // PatientOrientation
		0x00280002, // SamplesPerPixel
		0x00280004, // PhotometricInterpretation
		0x00280008, // NumberOfFrames
		0x00280010, // Rows
		0x00280011, // Columns
		0x00280100, // BitsAllocated
		0x0040A043, // ConceptNameCodeSequence (SR title)
		0x0040A491, // CompletionFlag
		0x0040A493, // VerificationFlag
	)
)

// Attributes PS3.18 requires in every result of a level, empty when the
// instance lacks them (tables 10.6.3-3 to -5, the "shall be returned" rows).
var (
	studyRequired = []attrVR{
		{0x00080020, "DA"}, {0x00080030, "TM"}, {0x00080050, "SH"}, {0x00080090, "PN"},
		{0x00100010, "PN"}, {0x00100020, "LO"}, {0x00100030, "DA"}, {0x00100040, "CS"},
		{0x0020000D, "UI"}, {0x00200010, "SH"},
	}
	seriesRequired = []attrVR{
		{0x00080060, "CS"}, {0x0008103E, "LO"}, {0x0020000E, "UI"}, {0x00200011, "IS"},
		{0x00400244, "DA"}, {0x00400245, "TM"},
	}
	instanceRequired = []attrVR{
		{0x00080016, "UI"}, {0x00080018, "UI"}, {0x00200013, "IS"},
	}
)

type attrVR struct {
	tag uint32
	vr  string
}

func tagSet(tags ...uint32) map[uint32]bool {
	m := make(map[uint32]bool, len(tags))
	for _, t := range tags {
		m[t] = true
	}
	return m
}
