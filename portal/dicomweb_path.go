package portal

import (
	"net/http"
	"slices"
	"strings"
)

// studyInPath returns the Study Instance UID of a DICOMweb path, or "".
func studyInPath(path, prefix string) string {
	segs := strings.Split(strings.Trim(strings.TrimPrefix(path, prefix), "/"), "/")
	if len(segs) >= 2 && segs[0] == "studies" {
		return segs[1]
	}
	return ""
}

// isStudyPath reports whether a DICOMweb path names a whole study.
func isStudyPath(path, prefix string) bool {
	segs := strings.Split(strings.Trim(strings.TrimPrefix(path, prefix), "/"), "/")
	return len(segs) == 2 && segs[0] == "studies"
}

// dicomwebAction names what a DICOMweb request does, for the audit trail:
// search, metadata, retrieve (whole instances: a download), frames,
// rendered, thumbnail, bulk, stow or delete.
func dicomwebAction(r *http.Request) string {
	switch r.Method {
	case http.MethodPost:
		return "stow"
	case http.MethodDelete:
		return "delete"
	}
	segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	last := segs[len(segs)-1]
	switch {
	case last == "metadata":
		return "metadata"
	case last == "rendered":
		return "rendered"
	case last == "thumbnail":
		return "thumbnail"
	case slices.Contains(segs, "bulk"):
		return "bulk"
	case slices.Contains(segs, "frames"):
		return "frames"
	case last == "studies" || last == "series" || last == "instances":
		return "search"
	}
	return "retrieve"
}
