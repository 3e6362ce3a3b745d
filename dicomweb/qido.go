package dicomweb

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/pacslite/pacslite/dicomweb/dicomjson"
	"github.com/pacslite/pacslite/store/index"
)

// search is QIDO-RS: GET /studies, /series, /instances and their
// study- and series-scoped forms. An empty result is 200 with [] (never
// 204), so clients need one code path.
func (h *Handler) search(w http.ResponseWriter, r *http.Request) {
	scope, err := uidsFrom(r)
	if err != nil {
		fail(w, r, err)
		return
	}
	format, err := negotiateSearchResponse(r)
	if err != nil {
		fail(w, r, err)
		return
	}
	level := index.StudyLevel
	switch {
	case strings.HasSuffix(r.URL.Path, "/series"):
		level = index.SeriesLevel
	case strings.HasSuffix(r.URL.Path, "/instances"):
		level = index.InstanceLevel
	}
	req, err := parseSearch(r.URL.Query(), level, scope, h.opts.MaxQueryLimit)
	if err != nil {
		fail(w, r, err)
		return
	}
	// One more than asked tells whether more results exist.
	q := req.query
	q.Limit++
	var matches []index.Match
	if limitSearch(r, &q) {
		matches, err = h.opts.Index.Search(r.Context(), q)
		if err != nil {
			fail(w, r, err)
			return
		}
	}
	more := len(matches) > req.query.Limit
	if more {
		matches = matches[:req.query.Limit]
	}
	objs, err := h.searchResults(r.Context(), h.baseURL(r), req, matches)
	if err != nil {
		fail(w, r, err)
		return
	}
	if len(req.ignored) > 0 {
		w.Header().Add("Warning", "299 pacslite: The following attributes are not supported as matching keys and were ignored: "+strings.Join(req.ignored, ", "))
	}
	if more && req.capped {
		w.Header().Add("Warning", "299 pacslite: There are additional results that can be requested")
	}
	h.writeObjects(w, r, format, http.StatusOK, objs, false)
}

// negotiateSearchResponse picks the QIDO-RS response encoding.
func negotiateSearchResponse(r *http.Request) (responseFormat, error) {
	for _, m := range acceptable(r) {
		switch {
		case m.matches("application/dicom+json"), m.matches("application/json"):
			return formatJSON, nil
		case m.typ == "multipart/related" && (m.multipartType() == "application/dicom+xml" || m.multipartType() == ""):
			return formatMultipartXML, nil
		case m.matches("application/dicom+xml"):
			return formatMultipartXML, nil
		}
	}
	return 0, errorf(http.StatusNotAcceptable, `QIDO-RS results are available as application/dicom+json or multipart/related; type="application/dicom+xml"`)
}

// searchResults builds the response objects: the stored attributes of the
// level (and of the levels above when the query is not scoped to them), the
// computed attributes, the required ones (empty when unknown), and any
// includefield attribute the index does not keep, read from stored metadata.
func (h *Handler) searchResults(ctx context.Context, base string, req searchRequest, matches []index.Match) ([]dicomjson.Object, error) {
	level, q := req.query.Level, req.query
	objs := make([]dicomjson.Object, 0, len(matches))
	extra := newExtraAttrs(h.opts.Index)
	for _, m := range matches {
		var o dicomjson.Object
		merge := func(b []byte) error {
			if len(b) == 0 {
				return nil
			}
			var x dicomjson.Object
			if err := x.UnmarshalJSON(b); err != nil {
				return err
			}
			o.Merge(x)
			return nil
		}
		studyURL := base + "/studies/" + m.StudyInstanceUID
		switch level {
		case index.StudyLevel:
			if err := merge(m.StudyAttrs); err != nil {
				return nil, err
			}
			o.Set(dicomjson.String(0x00080061, "CS", m.ModalitiesInStudy...))
			o.Set(dicomjson.Num(0x00201206, "IS", num(m.NumberOfStudyRelatedSeries)))
			o.Set(dicomjson.Num(0x00201208, "IS", num(m.NumberOfStudyRelatedInstances)))
			o.Set(dicomjson.String(0x00081190, "UR", studyURL))
			ensure(&o, studyRequired)
		case index.SeriesLevel:
			if q.StudyInstanceUID == "" {
				if err := merge(m.StudyAttrs); err != nil {
					return nil, err
				}
			}
			if err := merge(m.SeriesAttrs); err != nil {
				return nil, err
			}
			o.Set(dicomjson.String(0x0020000D, "UI", m.StudyInstanceUID))
			o.Set(dicomjson.Num(0x00201209, "IS", num(m.NumberOfSeriesRelatedInstances)))
			o.Set(dicomjson.String(0x00081190, "UR", studyURL+"/series/"+m.SeriesInstanceUID))
			ensure(&o, seriesRequired)
		case index.InstanceLevel:
			if q.StudyInstanceUID == "" {
				if err := merge(m.StudyAttrs); err != nil {
					return nil, err
				}
			}
			if q.SeriesInstanceUID == "" {
				if err := merge(m.SeriesAttrs); err != nil {
					return nil, err
				}
			}
			if err := merge(m.InstanceAttrs); err != nil {
				return nil, err
			}
			o.Set(dicomjson.String(0x0020000D, "UI", m.StudyInstanceUID))
			o.Set(dicomjson.String(0x0020000E, "UI", m.SeriesInstanceUID))
			o.Set(dicomjson.String(0x00081190, "UR", studyURL+"/series/"+m.SeriesInstanceUID+"/instances/"+m.SOPInstanceUID))
			ensure(&o, instanceRequired)
		}
		o.Set(dicomjson.String(0x00080056, "CS", "ONLINE"))
		if req.includeAll && level == index.InstanceLevel {
			// "all" at instance level: every attribute of the instance
			// (bulk data aside). At study and series level "all" means
			// every attribute the archive keeps for that level.
			if err := extra.fillAll(ctx, &o, m); err != nil {
				return nil, err
			}
		}
		var missing []uint32
		for _, t := range req.include {
			if _, ok := o.Get(t); !ok && !slices.Contains(missing, t) && !belowLevel(level, t) {
				missing = append(missing, t)
			}
		}
		if len(missing) > 0 {
			if err := extra.fill(ctx, &o, level, m, missing); err != nil {
				return nil, err
			}
		}
		objs = append(objs, o)
	}
	return objs, nil
}

// belowLevel reports whether an attribute belongs to a level under the
// query's: a study has no one Modality or SOP Class. Such includefield
// attributes are left out (PS3.18 returns attributes of the query level and
// above), which also spares reading an instance's metadata for every study
// when OHIF's study list asks for Modality (0008,0060).
func belowLevel(level index.Level, tag uint32) bool {
	if studyLevelTags[tag] {
		return false
	}
	switch level {
	case index.StudyLevel:
		return seriesLevelTags[tag] || instanceLevelTags[tag]
	case index.SeriesLevel:
		return instanceLevelTags[tag] && !seriesLevelTags[tag]
	}
	return false
}

// ensure adds the required attributes a result lacks, with empty values.
func ensure(o *dicomjson.Object, required []attrVR) {
	for _, a := range required {
		if _, ok := o.Get(a.tag); !ok {
			o.Set(dicomjson.Attribute{Tag: a.tag, VR: a.vr})
		}
	}
}

func num(n int64) dicomjson.Number { return dicomjson.Number(strconv.FormatInt(n, 10)) }

// extraAttrs reads includefield attributes the index does not keep from the
// stored metadata of one instance of the study, series or instance, once per
// entity per request.
type extraAttrs struct {
	idx   *index.DB
	cache map[string]dicomjson.Object
}

func newExtraAttrs(idx *index.DB) *extraAttrs {
	return &extraAttrs{idx: idx, cache: map[string]dicomjson.Object{}}
}

func (e *extraAttrs) fill(ctx context.Context, o *dicomjson.Object, level index.Level, m index.Match, tags []uint32) error {
	src, err := e.source(ctx, level, m)
	if err != nil {
		return err
	}
	for _, t := range tags {
		if a, ok := src.Get(t); ok && a.BulkDataURI == "" {
			o.Set(a)
		}
	}
	return nil
}

// fillAll adds every attribute of the instance that o lacks, bulk data aside.
func (e *extraAttrs) fillAll(ctx context.Context, o *dicomjson.Object, m index.Match) error {
	src, err := e.source(ctx, index.InstanceLevel, m)
	if err != nil {
		return err
	}
	for _, a := range src.Attributes() {
		if _, ok := o.Get(a.Tag); !ok && a.BulkDataURI == "" {
			o.Set(a)
		}
	}
	return nil
}

// source returns the stored metadata the extra attributes come from: the
// instance itself at instance level, else one instance of the series or
// study.
func (e *extraAttrs) source(ctx context.Context, level index.Level, m index.Match) (dicomjson.Object, error) {
	key := m.StudyInstanceUID + "/" + m.SeriesInstanceUID + "/" + m.SOPInstanceUID
	src, ok := e.cache[key]
	if !ok {
		var raw []byte
		var err error
		switch level {
		case index.InstanceLevel:
			err = e.idx.ForEachMetadata(ctx, m.StudyInstanceUID, m.SeriesInstanceUID, m.SOPInstanceUID, func(_ index.InstanceRef, b []byte) error {
				raw = append([]byte(nil), b...)
				return nil
			})
		default:
			raw, err = e.idx.FirstInstanceMetadata(ctx, m.StudyInstanceUID, m.SeriesInstanceUID)
		}
		if err != nil {
			return src, err
		}
		if err := src.UnmarshalJSON(raw); err != nil {
			return src, err
		}
		e.cache[key] = src
	}
	return src, nil
}
