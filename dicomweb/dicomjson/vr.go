package dicomjson

// Kinds of VR, by the JSON type of their values (PS3.18 Table F.2.3-1).
type vrKind int

const (
	kindText vrKind = iota + 1
	kindNumber
	kindPN
	kindSQ
	kindBinary
)

// kindOf returns the kind of vr, or 0 for a VR the model does not know.
func kindOf(vr string) vrKind {
	switch vr {
	case "AE", "AS", "AT", "CS", "DA", "DT", "LO", "LT", "SH", "ST", "TM", "UC", "UI", "UR", "UT":
		return kindText
	case "DS", "IS", "SL", "SS", "UL", "US", "SV", "UV", "FL", "FD":
		return kindNumber
	case "PN":
		return kindPN
	case "SQ":
		return kindSQ
	case "OB", "OD", "OF", "OL", "OV", "OW", "UN":
		return kindBinary
	}
	return 0
}

// bulkDataVR reports whether PS3.18 F.2.2 allows a BulkDataURI for vr.
func bulkDataVR(vr string) bool {
	switch vr {
	case "DS", "FL", "FD", "IS", "LT", "OB", "OD", "OF", "OL", "OV", "OW",
		"SL", "SS", "ST", "SV", "UC", "UL", "UN", "US", "UT", "UV":
		return true
	}
	return false
}

// isNumericVR reports whether values of vr are Numbers.
func isNumericVR(vr string) bool { return kindOf(vr) == kindNumber }
