package stowclient

import (
	"io"
	"os"
	"strings"

	"github.com/suyashkumar/dicom"
	"github.com/suyashkumar/dicom/pkg/tag"
)

// uidReadLimit is how much of a file sopInstanceUID reads at most.
const uidReadLimit = 64 << 10

// sopInstanceUID returns the file's SOP Instance UID (0008,0018), falling
// back to the meta group's (0002,0003), or "" when it cannot tell. It reads
// only the start of the data set.
func sopInstanceUID(path string) (uid string) {
	defer func() {
		if recover() != nil { // the parser meets files the server refused
			uid = ""
		}
	}()
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return ""
	}
	// The UID sits near the start; the limit also keeps a corrupt length
	// from sending the parser through (or allocating) the whole file.
	n := min(fi.Size(), uidReadLimit)
	p, err := dicom.NewParser(io.LimitReader(f, n), n, nil, dicom.SkipPixelData(),
		dicom.AllowUnknownSpecificCharacterSet(), dicom.AllowMissingMetaElementGroupLength())
	if err != nil {
		return ""
	}
	fallback := ""
	meta := p.GetMetadata()
	if el, err := meta.FindElementByTag(tag.MediaStorageSOPInstanceUID); err == nil {
		fallback = elementString(el)
	}
	for {
		el, err := p.Next()
		if err != nil {
			return fallback
		}
		if el.Tag == tag.SOPInstanceUID {
			if s := elementString(el); s != "" {
				return s
			}
			return fallback
		}
		if el.Tag.Group > 0x0008 {
			return fallback
		}
	}
}

func elementString(el *dicom.Element) string {
	ss, ok := el.Value.GetValue().([]string)
	if !ok || len(ss) == 0 {
		return ""
	}
	return strings.TrimRight(ss[0], "\x00 ")
}
