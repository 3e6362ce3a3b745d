package zipdicomdir

import (
	"slices"
	"strings"

	"github.com/pacslite/pacslite/dicomweb/dicomjson"
)

// RecordType is the directory record type (PS3.3 F.5) of an instance of
// the SOP class: "SR DOCUMENT", "ENCAP DOC", "RT DOSE", "PRESENTATION"...
// Image storage classes, and classes it does not know (private ones
// included), are "IMAGE", as DCMTK's dcmmkdir maps them; dcmmkdir then
// refuses unknown classes, but a patient's download keeps every file.
func RecordType(sopClass string) string {
	if t, ok := recordTypes[sopClass]; ok {
		return t
	}
	return "IMAGE"
}

// recordTypes maps the non-image storage SOP classes of PS3.4 to their
// record types, as DCMTK 3.6.7 (dcddirif.cc) and PS3.3 Table F.4-1 do.
var recordTypes = func() map[string]string {
	m := map[string]string{}
	add := func(kind string, suffixes ...string) {
		for _, s := range suffixes {
			m["1.2.840.10008.5.1.4.1.1."+s] = kind
		}
	}
	add("SR DOCUMENT", "88.11", "88.22", "88.33", "88.34", "88.35", "88.40", "88.50", "88.65", "88.69", "88.67",
		"88.68", "88.70", "88.71", "88.72", "88.73", "88.74", "88.75", "88.76", "78.6", "79.1")
	add("KEY OBJECT DOC", "88.59")
	add("PRESENTATION", "11.1", "11.2", "11.3", "11.4", "11.5", "11.6", "11.7", "11.8", "11.9", "11.10", "11.11",
		"11.12", "131")
	add("WAVEFORM", "9.1.1", "9.1.2", "9.1.3", "9.2.1", "9.3.1", "9.4.1", "9.4.2", "9.5.1", "9.6.1", "9.6.2",
		"9.7.1", "9.7.2", "9.7.3", "9.7.4", "9.8.1")
	add("RT DOSE", "481.2")
	add("RT STRUCTURE SET", "481.3")
	add("RT PLAN", "481.5", "481.8")
	add("RT TREAT RECORD", "481.4", "481.6", "481.7", "481.9")
	add("REGISTRATION", "66.1", "66.3")
	add("FIDUCIAL", "66.2")
	add("RAW DATA", "66")
	add("SURFACE", "66.5")
	add("VALUE MAP", "67")
	add("SPECTROSCOPY", "4.2")
	add("ENCAP DOC", "104.1", "104.2", "104.3", "104.4", "104.5")
	add("STEREOMETRIC", "77.1.5.3")
	add("MEASUREMENT", "78.1", "78.2", "78.3", "78.4", "78.5", "78.7", "78.8", "80.1")
	return m
}()

// A key is one attribute of a record: its tag, VR and type (PS3.3 F.5):
// '1' must have a value (invented when the file lacks it, as dcmmkdir -I
// invents missing type 1 study keys), '2' is written empty when missing,
// '3' (and 1C) only when the file has it.
type key struct {
	tag  uint32
	vr   string
	typ  byte
	dflt func(e *entry) string
}

// Tags of the type-specific keys.
const (
	tagImageType            = 0x00080008
	tagContentDate          = 0x00080023
	tagContentTime          = 0x00080033
	tagRefSeriesSeq         = 0x00081115
	tagNumberOfFrames       = 0x00280008
	tagRows                 = 0x00280010
	tagColumns              = 0x00280011
	tagDataPointRows        = 0x00289001
	tagDataPointColumns     = 0x00289002
	tagRelationshipType     = 0x0040A010
	tagVerificationDateTime = 0x0040A030
	tagConceptNameCodeSeq   = 0x0040A043
	tagVerifyingObserverSeq = 0x0040A073
	tagCompletionFlag       = 0x0040A491
	tagVerificationFlag     = 0x0040A493
	tagContentSeq           = 0x0040A730
	tagHL7InstanceID        = 0x0040E001
	tagDocumentTitle        = 0x00420010
	tagMIMEType             = 0x00420012
	tagContentLabel         = 0x00700080
	tagContentDescription   = 0x00700081
	tagPresentationDate     = 0x00700082
	tagPresentationTime     = 0x00700083
	tagContentCreatorName   = 0x00700084
	tagDoseComment          = 0x30040006
	tagDoseSummationType    = 0x3004000A
	tagStructureSetLabel    = 0x30060002
	tagStructureSetDate     = 0x30060008
	tagStructureSetTime     = 0x30060009
	tagRTPlanLabel          = 0x300A0002
	tagRTPlanDate           = 0x300A0006
	tagRTPlanTime           = 0x300A0007
	tagTreatmentDate        = 0x30080250
	tagTreatmentTime        = 0x30080251
)

func fixed(v string) func(*entry) string { return func(*entry) string { return v } }

// contentDate falls back to the study's date, as dcmmkdir's alternatives do.
func contentDate(e *entry) string { return or(e.inst.StudyDate, "19000101") }
func contentTime(e *entry) string { return or(e.inst.StudyTime, "000000") }

var (
	instanceNumber = key{tagInstanceNumber, "IS", '1', func(e *entry) string { return e.number }}
	contentDateKey = key{tagContentDate, "DA", '1', contentDate}
	contentTimeKey = key{tagContentTime, "TM", '1', contentTime}
	conceptName    = key{tagConceptNameCodeSeq, "SQ", '1', nil}
	// contentIdentification is what REGISTRATION, FIDUCIAL, VALUE MAP and
	// SURFACE records share.
	contentIdentification = []key{contentDateKey, contentTimeKey, instanceNumber,
		{tagContentLabel, "CS", '1', fixed("UNNAMED")}, {tagContentDescription, "LO", '2', nil},
		{tagContentCreatorName, "PN", '2', nil}}
)

// recordKeys are the keys of each record type below SERIES, from DCMTK's
// dcddirif.cc build*Record functions.
var recordKeys = map[string][]key{
	"IMAGE": {instanceNumber},
	"SR DOCUMENT": {instanceNumber, {tagCompletionFlag, "CS", '1', fixed("PARTIAL")},
		{tagVerificationFlag, "CS", '1', fixed("UNVERIFIED")}, contentDateKey, contentTimeKey, conceptName},
	"KEY OBJECT DOC": {instanceNumber, contentDateKey, contentTimeKey, conceptName},
	"PRESENTATION": {instanceNumber, {tagContentLabel, "CS", '1', fixed("UNNAMED")}, {tagContentDescription, "LO", '2', nil},
		{tagPresentationDate, "DA", '1', contentDate}, {tagPresentationTime, "TM", '1', contentTime},
		{tagContentCreatorName, "PN", '2', nil}, {tagRefSeriesSeq, "SQ", '3', nil}},
	"WAVEFORM":         {instanceNumber, contentDateKey, contentTimeKey},
	"RT DOSE":          {instanceNumber, {tagDoseSummationType, "CS", '1', fixed("PLAN")}, {tagDoseComment, "LO", '3', nil}},
	"RT STRUCTURE SET": {instanceNumber, {tagStructureSetLabel, "SH", '1', fixed("UNNAMED")}, {tagStructureSetDate, "DA", '2', nil}, {tagStructureSetTime, "TM", '2', nil}},
	"RT PLAN":          {instanceNumber, {tagRTPlanLabel, "SH", '1', fixed("UNNAMED")}, {tagRTPlanDate, "DA", '2', nil}, {tagRTPlanTime, "TM", '2', nil}},
	"RT TREAT RECORD":  {instanceNumber, {tagTreatmentDate, "DA", '2', nil}, {tagTreatmentTime, "TM", '2', nil}},
	"REGISTRATION":     contentIdentification,
	"FIDUCIAL":         contentIdentification,
	"VALUE MAP":        contentIdentification,
	"SURFACE":          contentIdentification,
	"RAW DATA":         {contentDateKey, contentTimeKey, {tagInstanceNumber, "IS", '2', func(e *entry) string { return e.number }}},
	"SPECTROSCOPY": {{tagImageType, "CS", '1', fixed(`ORIGINAL\PRIMARY`)}, contentDateKey, contentTimeKey, instanceNumber,
		{tagNumberOfFrames, "IS", '1', fixed("1")}, {tagRows, "US", '1', fixed("1")}, {tagColumns, "US", '1', fixed("1")},
		{tagDataPointRows, "UL", '1', fixed("1")}, {tagDataPointColumns, "UL", '1', fixed("1")}},
	"ENCAP DOC": {{tagContentDate, "DA", '2', nil}, {tagContentTime, "TM", '2', nil}, instanceNumber,
		{tagDocumentTitle, "ST", '2', nil}, {tagHL7InstanceID, "ST", '3', nil}, {tagConceptNameCodeSeq, "SQ", '2', nil},
		{tagMIMEType, "LO", '1', mimeType}},
	"STEREOMETRIC": nil,
	"MEASUREMENT":  {contentDateKey, contentTimeKey, instanceNumber, conceptName},
}

// mimeType is the MIME type an encapsulated document of the class has.
func mimeType(e *entry) string {
	switch strings.TrimPrefix(e.inst.SOPClassUID, "1.2.840.10008.5.1.4.1.1.104.") {
	case "2":
		return "text/XML"
	case "3":
		return "model/stl"
	case "4":
		return "model/obj"
	case "5":
		return "model/mtl"
	}
	return "application/pdf"
}

// leafKeys returns the keys of an instance's record as attributes in tag
// order: the file's values where it has them (from inst.Header), the
// invented ones otherwise.
func leafKeys(kind string, e *entry) []dicomjson.Attribute {
	h := e.inst.Header
	var out []dicomjson.Attribute
	for _, k := range recordKeys[kind] {
		if a, ok := h.Get(k.tag); ok && a.VR == k.vr && (hasValues(a) || k.typ != '1') {
			out = append(out, a)
			continue
		}
		if k.tag == tagInstanceNumber {
			out = append(out, dicomjson.String(k.tag, k.vr, e.number))
			continue
		}
		switch k.typ {
		case '1':
			if k.vr == "SQ" {
				out = append(out, dicomjson.Attribute{Tag: k.tag, VR: "SQ"}) // no item: nothing to invent
			} else {
				out = append(out, dicomjson.String(k.tag, k.vr, k.dflt(e)))
			}
		case '2':
			out = append(out, dicomjson.Attribute{Tag: k.tag, VR: k.vr})
		}
	}
	switch kind {
	case "SR DOCUMENT":
		// Verification DateTime (1C): the latest verifying observer's.
		if strings.TrimSpace(h.String(tagVerificationFlag)) == "VERIFIED" {
			if obs, ok := h.Get(tagVerifyingObserverSeq); ok && len(obs.Values) > 0 {
				if last, ok := obs.Values[len(obs.Values)-1].(dicomjson.Object); ok {
					if a, ok := last.Get(tagVerificationDateTime); ok && hasValues(a) {
						out = append(out, a)
					}
				}
			}
		}
		out = appendConceptMods(out, h)
	case "KEY OBJECT DOC":
		out = appendConceptMods(out, h)
	}
	slices.SortStableFunc(out, func(a, b dicomjson.Attribute) int { return int(int64(a.Tag) - int64(b.Tag)) })
	return out
}

// appendConceptMods adds the Content Sequence (1C) of SR and key object
// records: the root's HAS CONCEPT MOD items, which qualify the title.
func appendConceptMods(out []dicomjson.Attribute, h dicomjson.Object) []dicomjson.Attribute {
	cs, ok := h.Get(tagContentSeq)
	if !ok {
		return out
	}
	mods := dicomjson.Attribute{Tag: tagContentSeq, VR: "SQ"}
	for _, v := range cs.Values {
		if it, ok := v.(dicomjson.Object); ok && strings.TrimSpace(it.String(tagRelationshipType)) == "HAS CONCEPT MOD" {
			mods.Values = append(mods.Values, it)
		}
	}
	if len(mods.Values) > 0 {
		out = append(out, mods)
	}
	return out
}

func hasValues(a dicomjson.Attribute) bool {
	for _, v := range a.Values {
		switch v := v.(type) {
		case nil:
		case string:
			if strings.TrimSpace(v) != "" {
				return true
			}
		case dicomjson.PersonName:
			if !v.IsZero() {
				return true
			}
		default:
			return true
		}
	}
	return false
}
