package dicomweb

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pacslite/pacslite/dicomweb/dataset"
	"github.com/pacslite/pacslite/store/index"
)

// The transactions of the Capabilities Description: what each accepts and
// answers, stated from the capability tables.

func header(name, def string, opts ...wadlOption) wadlParam {
	return wadlParam{Name: name, Style: "header", Default: def, Option: opts}
}

func query(name, typ, doc string) wadlParam {
	return wadlParam{Name: name, Style: "query", Type: typ, Doc: docs(doc)}
}

func option(value, doc string) wadlOption { return wadlOption{Value: value, Doc: docs(doc)} }

func reps(types ...string) []wadlRepresentation {
	out := make([]wadlRepresentation, len(types))
	for i, mt := range types {
		out[i] = wadlRepresentation{MediaType: mt}
	}
	return out
}

func service(name, section string) wadlDoc {
	return wadlDoc{Title: docService, Text: name + " (PS3.18 " + section + ")"}
}

var acceptQuery = query("accept", "xs:string", "A media type, instead of the Accept header (PS3.18 8.3.3.1).")

func (t *capabilityTables) search(segs []string, level index.Level) *wadlMethod {
	id := "SearchFor"
	for _, s := range segs {
		switch s {
		case "{StudyInstanceUID}":
			id += "Study"
		case "{SeriesInstanceUID}":
			id += "Series"
		}
	}
	id += map[index.Level]string{index.StudyLevel: "Studies", index.SeriesLevel: "Series", index.InstanceLevel: "Instances"}[level]
	params := []wadlParam{header("Accept", mtJSON, option(mtJSON, ""), option(mtXMLParts, "")), acceptQuery}
	for _, tag := range t.keys[level] {
		tg := dataset.Tag(tag)
		params = append(params, query(tg.Keyword(), "xs:string",
			fmt.Sprintf("Matching key %08X (%s): single value, list, universal, wildcard, range as its VR allows; also by tag.", tag, dataset.DictionaryVR(tg))))
	}
	inc := query("includefield", "xs:string", "Attributes to return (keyword or tag, comma-separated), or all; any attribute, read from stored metadata when the index lacks it.")
	inc.Repeating = true
	params = append(params, inc,
		query("fuzzymatching", "xs:boolean", "Person names match per component, case- and accent-insensitive."),
		query("limit", "xs:unsignedInt", "Most results (capped at the server's maximum; a Warning says when more exist)."),
		query("offset", "xs:unsignedInt", "Results to skip."))
	return &wadlMethod{ID: id, Doc: []wadlDoc{service("QIDO-RS", "10.6")},
		Request:  &wadlRequest{Param: params},
		Response: []wadlResponse{{Status: "200", Representation: reps(mtJSON, mtXMLParts)}}}
}

func (t *capabilityTables) store(study bool) *wadlMethod {
	id := "StoreInstances"
	if study {
		id = "StoreStudyInstances"
	}
	return &wadlMethod{ID: id, Doc: []wadlDoc{service("STOW-RS", "10.5"), {Text: "Any transfer syntax, stored byte for byte."}},
		Request: &wadlRequest{Param: []wadlParam{header("Accept", mtJSON, option(mtJSON, ""), option("application/dicom+xml", ""), option(mtXMLParts, ""))},
			Representation: reps(mtDICOM)},
		Response: []wadlResponse{{Status: "200 202 409", Representation: reps(mtJSON, "application/dicom+xml", mtXMLParts)}}}
}

// syntaxDocs are the machine-readable lists of what is converted and
// decoded to Explicit VR Little Endian.
func (t *capabilityTables) syntaxDocs() []wadlDoc {
	return []wadlDoc{{Title: docConverted, Text: strings.Join(t.native, " ")}, {Title: docDecoded, Text: strings.Join(t.decodable, " ")}}
}

func (t *capabilityTables) retrieve(level index.Level) *wadlMethod {
	opts := []wadlOption{
		option(mtDICOM, explicitLEDoc),
		option(mtDICOM+"; transfer-syntax="+dataset.ExplicitVRLittleEndian, explicitLEDoc),
		option(mtDICOM+"; transfer-syntax=*", "Every instance as stored."),
	}
	types := []string{mtDICOM}
	if level == index.InstanceLevel {
		opts = append(opts, option("application/dicom", explicitLEDoc), option("application/dicom; transfer-syntax=*", "As stored, single part."))
		types = append(types, "application/dicom")
	}
	return &wadlMethod{ID: "Retrieve" + levelNames[level],
		Doc:      append([]wadlDoc{service("WADO-RS", "10.4"), {Text: "transfer-syntax=UID: as stored when every instance has that syntax."}}, t.syntaxDocs()...),
		Request:  &wadlRequest{Param: []wadlParam{header("Accept", mtDICOM, opts...), acceptQuery}},
		Response: []wadlResponse{{Status: "200", Representation: reps(types...)}}}
}

func (t *capabilityTables) metadata(level index.Level) *wadlMethod {
	return &wadlMethod{ID: "Retrieve" + levelNames[level] + "Metadata", Doc: []wadlDoc{service("WADO-RS", "10.4")},
		Request: &wadlRequest{Param: []wadlParam{header("Accept", mtJSON, option(mtJSON, ""), option(mtXMLParts, "")), acceptQuery,
			{Name: "If-None-Match", Style: "header", Doc: docs("An ETag from an earlier answer: 304 when unchanged.")},
			{Name: "Accept-Encoding", Style: "header", Doc: docs("gzip compresses the JSON.")}}},
		Response: []wadlResponse{{Status: "200", Representation: reps(mtJSON, mtXMLParts)}, {Status: "304"}}}
}

var imageTypes = []string{"image/jpeg", "image/png", "image/gif"}

func renderQuery(window bool) []wadlParam {
	ps := []wadlParam{
		query("viewport", "xs:string", "vw,vh: fit inside, aspect kept; vw,vh,sx,sy,sw,sh: crop first."),
		query("quality", "xs:unsignedInt", "JPEG quality, 1 to 100."),
	}
	if window {
		ps = append(ps, query("window", "xs:string", "center,width[,linear|linear-exact|sigmoid]; default from the dataset (window, VOI LUT, else min/max)."))
	}
	return append(ps, acceptQuery)
}

func (t *capabilityTables) rendered(level index.Level, frame bool) *wadlMethod {
	id := "RetrieveRendered" + levelNames[level]
	if frame {
		id = "RetrieveRenderedFrames"
	}
	opts := []wadlOption{option("image/jpeg", ""), option("image/png", ""), option("image/gif", "")}
	types := slices.Clone(imageTypes)
	if !frame {
		for _, mt := range slices.Sorted(maps.Values(t.video)) {
			if !slices.Contains(types, mt) {
				opts = append(opts, option(mt, "Video instances (MPEG-2, MPEG-4, HEVC): the stream, with byte ranges."))
				types = append(types, mt)
			}
		}
	}
	m := &wadlMethod{ID: id, Doc: []wadlDoc{service("WADO-RS", "10.4.1.1.3"),
		{Text: "Encapsulated documents come back as their MIME Type of Encapsulated Document (0042,0012). Decodes: " + strings.Join(t.decodable, " ") + " and native pixel data."}},
		Request:  &wadlRequest{Param: append([]wadlParam{header("Accept", "image/jpeg", opts...)}, renderQuery(true)...)},
		Response: []wadlResponse{{Status: "200", Representation: reps(types...)}}}
	if !frame {
		m.Request.Param = append(m.Request.Param, wadlParam{Name: "Range", Style: "header", Doc: docs("Byte range of a video or document.")})
		m.Response = append(m.Response, wadlResponse{Status: "206"})
	}
	return m
}

func (t *capabilityTables) thumbnail(level index.Level) *wadlMethod {
	return &wadlMethod{ID: "Retrieve" + levelNames[level] + "Thumbnail", Doc: []wadlDoc{service("WADO-RS", "10.4.1.1.4"),
		{Text: "A representative frame fitted into 128x128 (or the viewport), never enlarged."}},
		Request:  &wadlRequest{Param: append([]wadlParam{header("Accept", "image/jpeg", option("image/jpeg", ""), option("image/png", ""), option("image/gif", ""))}, renderQuery(true)...)},
		Response: []wadlResponse{{Status: "200", Representation: reps(imageTypes...)}}}
}

func (t *capabilityTables) frames() *wadlMethod {
	opts := []wadlOption{
		option(mtOctetParts, "Native frames little endian; compressed ones decoded when listed, otherwise 406."),
		option(mtOctetParts+"; transfer-syntax="+dataset.ExplicitVRLittleEndian, "As without transfer-syntax."),
		option(mtOctetParts+"; transfer-syntax=*", "Every frame as stored (compressed ones in their own syntax)."),
		option("application/octet-stream", "One frame, single part, byte ranges allowed."),
		option("application/octet-stream; transfer-syntax=*", "One frame as stored, single part."),
	}
	types := []string{mtOctetParts, "application/octet-stream"}
	for _, ts := range slices.Sorted(maps.Keys(t.frameType)) {
		mt := t.frameType[ts]
		opts = append(opts, option(`multipart/related; type="`+mt+`"; transfer-syntax=`+ts, "As stored."),
			option(mt+"; transfer-syntax="+ts, "One frame as stored, single part."))
		if !slices.Contains(types, mt) {
			types = append(types, `multipart/related; type="`+mt+`"`, mt)
		}
	}
	return &wadlMethod{ID: "RetrieveFrames", Doc: append([]wadlDoc{service("WADO-RS", "10.4.1.1.2")}, t.syntaxDocs()...),
		Request: &wadlRequest{Param: []wadlParam{header("Accept", mtOctetParts, opts...), acceptQuery,
			{Name: "Range", Style: "header", Doc: docs("Byte range of a single-part frame.")}}},
		Response: []wadlResponse{{Status: "200 206", Representation: reps(types...)}}}
}

func (t *capabilityTables) bulk() *wadlMethod {
	return &wadlMethod{ID: "RetrieveBulkdata", Doc: []wadlDoc{service("WADO-RS", "10.4"),
		{Text: "The BulkDataURI values of the metadata: .../bulk/{tag}[/{item}/{tag}...]."}},
		Request: &wadlRequest{Param: []wadlParam{header("Accept", "application/octet-stream", option("application/octet-stream", ""), option(mtOctetParts, "")), acceptQuery,
			{Name: "Range", Style: "header", Doc: docs("Byte range of a single-part value.")}}},
		Response: []wadlResponse{{Status: "200 206", Representation: reps("application/octet-stream", mtOctetParts)}}}
}
