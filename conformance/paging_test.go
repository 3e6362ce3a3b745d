package conformance

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// UIDs of crafted/series_base.dcm; copies get same-length UIDs.
const (
	baseStudy  = "2.25.1111111111111111111100000000"
	baseSeries = "2.25.2222222222222222222200000000"
	baseSOP    = "2.25.3333333333333333333300000000"
)

// storeCopies stores n copies of crafted/series_base.dcm in the given
// series (a UID of baseSeries' length), SOP Instance UIDs numbered from
// first, 100 per request. It returns the SOP Instance UIDs.
func storeCopies(t *testing.T, s *server, series string, first, n int) []string {
	t.Helper()
	base := readTestdata(t, "crafted/series_base.dcm")
	if series != baseSeries {
		base = patchUID(t, base, baseSeries, series)
	}
	var sops []string
	var batch [][]byte
	for i := first; i < first+n; i++ {
		sop := sameLengthUID(baseSOP, 8, i)
		sops = append(sops, sop)
		batch = append(batch, patchUID(t, base, baseSOP, sop))
		if len(batch) == 100 || i == first+n-1 {
			resp := s.stowBytes(t, batch...)
			if got := len(resp.items(tagReferencedSOPSequence)); got != len(batch) {
				t.Fatalf("stored %d of %d copies", got, len(batch))
			}
			batch = nil
		}
	}
	return sops
}

// TestManyInstances stores 1,001 instances in one study (series A: 300,
// series B: 701) and checks counts, metadata of a 300-instance series, and
// QIDO paging up to and past the maximum of 1,000 results per request.
func TestManyInstances(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	seriesA, seriesB := baseSeries, sameLengthUID(baseSeries, 8, 1)
	sopsA := storeCopies(t, s, seriesA, 1, 300)
	sopsB := storeCopies(t, s, seriesB, 301, 701)

	t.Run("counts", func(t *testing.T) {
		st := s.qido(t, "/studies?StudyInstanceUID="+baseStudy)
		if len(st) != 1 {
			t.Fatalf("%d studies, want 1", len(st))
		}
		checkValues(t, st[0], map[string]string{tagStudyRelatedSeries: "2", tagStudyRelatedInstances: "1001"})
		for _, se := range s.qido(t, "/studies/"+baseStudy+"/series") {
			want := map[string]string{seriesA: "300", seriesB: "701"}[se.str(tagSeriesInstanceUID)]
			checkValues(t, se, map[string]string{tagSeriesRelatedInstances: want})
		}
	})

	t.Run("metadata of 300 instances", func(t *testing.T) {
		r := s.get(t, "/studies/"+baseStudy+"/series/"+seriesA+"/metadata", acceptDICOMJSON)
		wantStatus(t, r, http.StatusOK, "series metadata")
		md := decodeArray(t, r.Body)
		if len(md) != 300 {
			t.Fatalf("series metadata has %d objects, want 300", len(md))
		}
		got := map[string]bool{}
		for _, o := range md {
			got[o.str(tagSOPInstanceUID)] = true
			if o.str(tagSeriesInstanceUID) != seriesA {
				t.Fatalf("metadata object of series %q in series %s", o.str(tagSeriesInstanceUID), seriesA)
			}
		}
		for _, sop := range sopsA {
			if !got[sop] {
				t.Fatalf("metadata lacks instance %s (%d distinct)", sop, len(got))
			}
		}
	})

	all := s.get(t, "/studies/"+baseStudy+"/instances", "")
	t.Run("no limit is capped at the maximum", func(t *testing.T) {
		wantStatus(t, all, http.StatusOK, "QIDO")
		if n := len(decodeArray(t, all.Body)); n != 1000 {
			t.Errorf("%d results, want the maximum of 1000", n)
		}
		wantMoreWarning(t, all)
	})
	t.Run("limit above the maximum", func(t *testing.T) {
		r := s.get(t, "/instances?limit=5000", "")
		wantStatus(t, r, http.StatusOK, "QIDO limit=5000")
		if n := len(decodeArray(t, r.Body)); n != 1000 {
			t.Errorf("%d results, want the maximum of 1000", n)
		}
		wantMoreWarning(t, r)
	})
	t.Run("pages concatenate to the whole list", func(t *testing.T) {
		first := uids(s.qido(t, "/studies/"+baseStudy+"/instances?limit=1000&offset=0"), tagSOPInstanceUID)
		restR := s.get(t, "/studies/"+baseStudy+"/instances?limit=1000&offset=1000", "")
		wantStatus(t, restR, http.StatusOK, "last page")
		if w := restR.Header.Get("Warning"); strings.Contains(w, "additional results") {
			t.Errorf("last page says %q", w)
		}
		whole := append(first, uids(decodeArray(t, restR.Body), tagSOPInstanceUID)...)
		if len(whole) != 1001 {
			t.Fatalf("limit=1000 pages hold %d instances, want 1001", len(whole))
		}
		var paged []string
		for off := 0; ; off += 150 {
			page := uids(s.qido(t, "/studies/"+baseStudy+"/instances?limit=150&offset="+strconv.Itoa(off)), tagSOPInstanceUID)
			if len(page) == 0 {
				break
			}
			if len(page) > 150 {
				t.Fatalf("page at offset %d has %d results for limit=150", off, len(page))
			}
			paged = append(paged, page...)
		}
		if strings.Join(paged, ",") != strings.Join(whole, ",") {
			t.Errorf("pages of 150 (%d results) are not the pages of 1000 (%d) in the same order", len(paged), len(whole))
		}
		seen := map[string]bool{}
		for _, u := range paged {
			if seen[u] {
				t.Errorf("instance %s on two pages", u)
			}
			seen[u] = true
		}
		for _, sop := range append(append([]string{}, sopsA...), sopsB...) {
			if !seen[sop] {
				t.Errorf("instance %s on no page", sop)
			}
		}
	})
	t.Run("offset past the end", func(t *testing.T) {
		if n := len(s.qido(t, "/studies/"+baseStudy+"/instances?offset=5000")); n != 0 {
			t.Errorf("%d results past the end, want 0", n)
		}
	})
	t.Run("series level pages", func(t *testing.T) {
		p1 := uids(s.qido(t, "/studies/"+baseStudy+"/series?limit=1&offset=0"), tagSeriesInstanceUID)
		p2 := uids(s.qido(t, "/studies/"+baseStudy+"/series?limit=1&offset=1"), tagSeriesInstanceUID)
		if len(p1) != 1 || len(p2) != 1 || p1[0] == p2[0] {
			t.Errorf("series pages %q and %q, want the two series once each", p1, p2)
		}
	})
}

// wantMoreWarning checks the PS3.18 8.3.4.3 warning of a truncated result.
func wantMoreWarning(t *testing.T, r *response) {
	t.Helper()
	for _, w := range r.Header.Values("Warning") {
		if strings.HasPrefix(w, "299 ") && strings.Contains(w, "additional results") {
			return
		}
	}
	t.Errorf("Warning headers %q, want 299 ... There are additional results that can be requested", r.Header.Values("Warning"))
}
