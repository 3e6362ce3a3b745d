package archive

import (
	"cmp"
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// StudyQuery is a page of the study list.
type StudyQuery struct {
	// Text, when set, matches part of the patient name, patient ID,
	// accession number or study description.
	Text   string
	Offset int
	Limit  int
}

// maxDepth bounds how far a text search pages: each of its four QIDO
// queries reads Offset+Limit+1 results.
const maxDepth = 1000

// studyFields are asked for besides the default study attributes.
const studyFields = "00081030,00080061"

// Studies returns a page of the studies the caller may see, most recent
// study date first, and whether more follow. A text search asks one query
// per matched attribute (QIDO-RS has no "or") and merges them.
func (c *Client) Studies(ctx context.Context, q StudyQuery) ([]Study, bool, error) {
	if q.Limit <= 0 {
		q.Limit = 25
	}
	q.Offset = max(0, min(q.Offset, maxDepth-q.Limit))
	text := strings.Map(func(r rune) rune {
		if r == '*' || r == '?' || r == '\\' || r < ' ' {
			return -1
		}
		return r
	}, strings.TrimSpace(q.Text))
	if text == "" {
		objs, err := c.search(ctx, "/studies", url.Values{
			"limit": {strconv.Itoa(q.Limit + 1)}, "offset": {strconv.Itoa(q.Offset)}, "includefield": {studyFields},
		})
		if err != nil {
			return nil, false, err
		}
		studies := make([]Study, len(objs))
		for i, o := range objs {
			studies[i] = studyFrom(o)
		}
		if len(studies) > q.Limit {
			return studies[:q.Limit], true, nil
		}
		return studies, false, nil
	}
	depth := strconv.Itoa(q.Offset + q.Limit + 1)
	seen := map[string]bool{}
	var all []Study
	// Names match without regard to case; other text attributes match
	// exactly, so the usual spellings are tried.
	queries := []url.Values{{"PatientName": {"*" + text + "*"}, "fuzzymatching": {"true"}}}
	for _, key := range []string{"PatientID", "AccessionNumber", "StudyDescription"} {
		for _, t := range caseVariants(text) {
			queries = append(queries, url.Values{key: {"*" + t + "*"}})
		}
	}
	for _, v := range queries {
		v.Set("limit", depth)
		v.Set("includefield", studyFields)
		objs, err := c.search(ctx, "/studies", v)
		if err != nil {
			return nil, false, err
		}
		for _, o := range objs {
			s := studyFrom(o)
			if !seen[s.UID] {
				seen[s.UID] = true
				all = append(all, s)
			}
		}
	}
	slices.SortStableFunc(all, func(a, b Study) int {
		return cmp.Or(b.Date.Compare(a.Date), cmp.Compare(a.UID, b.UID))
	})
	if q.Offset >= len(all) {
		return nil, false, nil
	}
	all = all[q.Offset:]
	if len(all) > q.Limit {
		return all[:q.Limit], true, nil
	}
	return all, false, nil
}

// caseVariants returns s as typed, in lower case, upper case and with
// capitalised words, without repeats.
func caseVariants(s string) []string {
	words := strings.Fields(strings.ToLower(s))
	for i, w := range words {
		r := []rune(w)
		words[i] = strings.ToUpper(string(r[0])) + string(r[1:])
	}
	var out []string
	for _, v := range []string{s, strings.ToLower(s), strings.ToUpper(s), strings.Join(words, " ")} {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// Study returns one study, or ErrNotFound.
func (c *Client) Study(ctx context.Context, uid string) (Study, error) {
	objs, err := c.search(ctx, "/studies", url.Values{"StudyInstanceUID": {uid}, "includefield": {studyFields}})
	if err != nil {
		return Study{}, err
	}
	for _, o := range objs {
		if s := studyFrom(o); s.UID == uid {
			return s, nil
		}
	}
	return Study{}, ErrNotFound
}

// Series returns the series of a study in series number order.
func (c *Client) Series(ctx context.Context, studyUID string) ([]Series, error) {
	objs, err := c.search(ctx, "/studies/"+url.PathEscape(studyUID)+"/series",
		url.Values{"includefield": {"0008103E,00200011,00180015"}})
	if err != nil {
		return nil, err
	}
	out := make([]Series, len(objs))
	for i, o := range objs {
		out[i] = seriesFrom(o)
	}
	slices.SortStableFunc(out, func(a, b Series) int { return cmp.Compare(a.Number, b.Number) })
	return out, nil
}

// Instances returns the instances of a series in instance number order.
func (c *Client) Instances(ctx context.Context, studyUID, seriesUID string) ([]Instance, error) {
	objs, err := c.search(ctx, "/studies/"+url.PathEscape(studyUID)+"/series/"+url.PathEscape(seriesUID)+"/instances",
		url.Values{"includefield": {"00200013,00280008"}})
	if err != nil {
		return nil, err
	}
	out := make([]Instance, len(objs))
	for i, o := range objs {
		out[i] = instanceFrom(o)
	}
	slices.SortStableFunc(out, func(a, b Instance) int { return cmp.Compare(a.Number, b.Number) })
	return out, nil
}
