package dicomweb

import (
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/pacslite/pacslite/dicomweb/pixels/codec"
	"github.com/pacslite/pacslite/store/index"
)

// capabilityTables are the facts the capabilities model states, each read
// from the table the serving code itself uses.
type capabilityTables struct {
	native    []string          // native pixel data: converted, never decoded (convertible)
	decodable []string          // compressed syntaxes the decoders handle (codec.Syntaxes)
	frameType map[string]string // compressed syntaxes whose frames go out as stored, by media type (frameTypes)
	video     map[string]string // video syntaxes, streamed by /rendered (videoTypes)
	keys      map[index.Level][]uint32
}

func newCapabilityTables() *capabilityTables {
	t := &capabilityTables{
		native:    slices.Sorted(maps.Keys(convertible)),
		decodable: codec.Syntaxes(),
		frameType: map[string]string{},
		video:     maps.Clone(videoTypes),
		keys:      map[index.Level][]uint32{},
	}
	for ts, mt := range frameTypes {
		if videoTypes[ts] == "" { // frames of a video are refused: one stream
			t.frameType[ts] = mt
		}
	}
	// The matching keys: every tag of the groups the level attributes live
	// in that the index says it can match on (a switch: microseconds).
	groups := map[uint32]bool{}
	for _, set := range []map[uint32]bool{studyLevelTags, seriesLevelTags, instanceLevelTags} {
		for tag := range set {
			groups[tag>>16] = true
		}
	}
	for _, level := range []index.Level{index.StudyLevel, index.SeriesLevel, index.InstanceLevel} {
		for _, g := range slices.Sorted(maps.Keys(groups)) {
			for e := uint32(0); e <= 0xFFFF; e++ {
				if index.Supports(level, g<<16|e) {
					t.keys[level] = append(t.keys[level], g<<16|e)
				}
			}
		}
	}
	return t
}

// Doc titles that carry machine-readable lists (space-separated UIDs).
const (
	docConverted = "Transfer syntaxes converted to Explicit VR Little Endian"
	docDecoded   = "Transfer syntaxes decoded to Explicit VR Little Endian"
	docService   = "Service"
)

const (
	mtDICOM       = `multipart/related; type="application/dicom"`
	mtOctetParts  = `multipart/related; type="application/octet-stream"`
	mtXMLParts    = `multipart/related; type="application/dicom+xml"`
	mtJSON        = "application/dicom+json"
	explicitLEDoc = "Explicit VR Little Endian: native syntaxes converted, compressed ones decoded when listed; otherwise 406"
)

var levelNames = map[index.Level]string{index.StudyLevel: "Study", index.SeriesLevel: "Series", index.InstanceLevel: "Instance"}

// classify tells what a route is from its segments: the kind of resource
// and its level (the number of UIDs in the path; for a search, the level
// searched).
func classify(segs []string) (kind string, level index.Level) {
	for _, s := range segs {
		if s == "{StudyInstanceUID}" || s == "{SeriesInstanceUID}" || s == "{SOPInstanceUID}" {
			level++
		}
	}
	if len(segs) == 0 {
		return "", 0
	}
	last := segs[len(segs)-1]
	switch {
	case last == "studies":
		return "collection", index.StudyLevel
	case last == "series":
		return "collection", index.SeriesLevel
	case last == "instances":
		return "collection", index.InstanceLevel
	case last == "{BulkDataPath}":
		return "bulk", level
	case last == "{FrameList}":
		return "frames", level
	case last == "rendered" && len(segs) > 1 && segs[len(segs)-2] == "{FrameList}":
		return "frame-rendered", level
	case last == "metadata" || last == "rendered" || last == "thumbnail":
		return last, level
	case isTemplate(last):
		return "item", level
	}
	return "", 0
}

// describe returns the transaction a route answers for an HTTP method.
func (t *capabilityTables) describe(segs []string, method string) *wadlMethod {
	if method == http.MethodHead {
		return &wadlMethod{Name: method, Doc: docs("As GET, without the body.")}
	}
	kind, level := classify(segs)
	var m *wadlMethod
	switch {
	case kind == "collection" && method == http.MethodGet:
		m = t.search(segs, level)
	case kind == "collection" && method == http.MethodPost && level == index.StudyLevel,
		kind == "item" && method == http.MethodPost && level == index.StudyLevel:
		m = t.store(level == index.StudyLevel && kind == "item")
	case kind == "item" && method == http.MethodGet:
		m = t.retrieve(level)
	case kind == "item" && method == http.MethodDelete:
		m = &wadlMethod{ID: "Delete" + levelNames[level], Doc: []wadlDoc{{Title: docService, Text: "pacslite"},
			{Text: "Removes the " + strings.ToLower(levelNames[level]) + " and its instances (not a PS3.18 transaction)."}},
			Response: []wadlResponse{{Status: "204"}}}
	case method != http.MethodGet:
		// The rest are read-only resources.
	case kind == "metadata":
		m = t.metadata(level)
	case kind == "rendered" || kind == "frame-rendered":
		m = t.rendered(level, kind == "frame-rendered")
	case kind == "thumbnail":
		m = t.thumbnail(level)
	case kind == "frames":
		m = t.frames()
	case kind == "bulk":
		m = t.bulk()
	}
	if m == nil {
		return &wadlMethod{Name: method, Doc: docs("Not described.")}
	}
	m.Name = method
	return m
}
