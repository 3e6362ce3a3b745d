package dicomweb

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pacslite/pacslite/store/index"
)

func TestParseSearchFilters(t *testing.T) {
	tests := []struct {
		query string
		level index.Level
		want  []index.Filter
	}{
		{"PatientName=doe*", index.StudyLevel, []index.Filter{{Tag: 0x00100010, Kind: index.MatchWildcard, Values: []string{"doe*"}}}},
		{"00100020=*12?", index.StudyLevel, []index.Filter{{Tag: 0x00100020, Kind: index.MatchWildcard, Values: []string{"*12?"}}}},
		{"PatientID=123", index.StudyLevel, []index.Filter{{Tag: 0x00100020, Kind: index.MatchSingle, Values: []string{"123"}}}},
		{"PatientName=Doe%5EJohn", index.StudyLevel, []index.Filter{{Tag: 0x00100010, Kind: index.MatchSingle, Values: []string{"Doe^John"}}}},
		{"StudyDate=20200101-20201231", index.StudyLevel, []index.Filter{{Tag: 0x00080020, Kind: index.MatchRange, Lo: "20200101", Hi: "20201231"}}},
		{"StudyDate=-20201231", index.StudyLevel, []index.Filter{{Tag: 0x00080020, Kind: index.MatchRange, Hi: "20201231"}}},
		{"StudyDate=20200101-", index.StudyLevel, []index.Filter{{Tag: 0x00080020, Kind: index.MatchRange, Lo: "20200101"}}},
		{"StudyTime=1000-1200", index.StudyLevel, []index.Filter{{Tag: 0x00080030, Kind: index.MatchRange, Lo: "1000", Hi: "1200"}}},
		{"StudyInstanceUID=1.2.3,1.2.4", index.StudyLevel, []index.Filter{{Tag: 0x0020000D, Kind: index.MatchList, Values: []string{"1.2.3", "1.2.4"}}}},
		{`StudyInstanceUID=1.2.3%5C1.2.4`, index.StudyLevel, []index.Filter{{Tag: 0x0020000D, Kind: index.MatchList, Values: []string{"1.2.3", "1.2.4"}}}},
		{"ModalitiesInStudy=CT", index.StudyLevel, []index.Filter{{Tag: 0x00080061, Kind: index.MatchSingle, Values: []string{"CT"}}}},
		{`ModalitiesInStudy=CT%5CMR`, index.StudyLevel, []index.Filter{{Tag: 0x00080061, Kind: index.MatchList, Values: []string{"CT", "MR"}}}},
		{"SeriesNumber=3", index.SeriesLevel, []index.Filter{{Tag: 0x00200011, Kind: index.MatchSingle, Values: []string{"3"}}}},
		{"PatientName=", index.StudyLevel, nil}, // universal matching
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			params, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			got, err := parseSearch(params, tt.level, pathUIDs{}, 1000)
			if err != nil {
				t.Fatalf("parseSearch(%q) error: %v", tt.query, err)
			}
			if diff := cmp.Diff(tt.want, got.query.Filters); diff != "" {
				t.Errorf("parseSearch(%q) filters (-want +got):\n%s", tt.query, diff)
			}
		})
	}
}

func TestParseSearchOptions(t *testing.T) {
	params, _ := url.ParseQuery("limit=101&offset=20&fuzzymatching=true&includefield=00081030,00080060&includefield=StudyID&SliceThickness=&SOPClassUID=1.2")
	got, err := parseSearch(params, index.StudyLevel, pathUIDs{}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if got.query.Limit != 101 || got.query.Offset != 20 || !got.query.FuzzyNames || got.capped {
		t.Errorf("limit, offset, fuzzy, capped = %d, %d, %v, %v; want 101, 20, true, false", got.query.Limit, got.query.Offset, got.query.FuzzyNames, got.capped)
	}
	for _, tag := range []uint32{0x00081030, 0x00080060, 0x00200010, 0x00080016, 0x00180050} {
		found := false
		for _, x := range got.include {
			found = found || x == tag
		}
		if !found {
			t.Errorf("include = %08X, want %08X in it", got.include, tag)
		}
	}
	// SOPClassUID is not a study-level matching key: ignored with a warning.
	if diff := cmp.Diff([]string{"SOPClassUID"}, got.ignored); diff != "" {
		t.Errorf("ignored (-want +got):\n%s", diff)
	}

	params, _ = url.ParseQuery("limit=5000")
	got, _ = parseSearch(params, index.StudyLevel, pathUIDs{}, 1000)
	if got.query.Limit != 1000 || !got.capped {
		t.Errorf("limit=5000: Limit, capped = %d, %v; want 1000, true", got.query.Limit, got.capped)
	}
	got, _ = parseSearch(url.Values{}, index.StudyLevel, pathUIDs{}, 1000)
	if got.query.Limit != 1000 || !got.capped {
		t.Errorf("no limit: Limit, capped = %d, %v; want 1000, true", got.query.Limit, got.capped)
	}
}

func TestParseSearchRefusesWithReason(t *testing.T) {
	tests := []struct{ query, wantIn string }{
		{"NoSuchKeyword=1", "NoSuchKeyword"},
		{"StudyDate=2020-01-01", "StudyDate"},
		{"StudyDate=yesterday", "StudyDate"},
		{"StudyDate=*", "StudyDate"},
		{"StudyDate=-", "StudyDate"},
		{"StudyDate=20201301", "StudyDate"},
		{"StudyDate=20200230-", "StudyDate"},
		{"StudyTime=256000", "StudyTime"},
		{"StudyTime=99", "StudyTime"},
		{"StudyTime=1261", "StudyTime"},
		{"StudyInstanceUID=1.2.abc", "StudyInstanceUID"},
		{"StudyInstanceUID=1..2", "StudyInstanceUID"},
		{"limit=-1", "limit"},
		{"limit=ten", "limit"},
		{"offset=x", "offset"},
		{"fuzzymatching=maybe", "fuzzymatching"},
		{"includefield=Bogus", "Bogus"},
		{"SeriesNumber=abc", "SeriesNumber"},
		{"PatientID=1&PatientID=2", "PatientID"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			params, _ := url.ParseQuery(tt.query)
			_, err := parseSearch(params, index.SeriesLevel, pathUIDs{}, 1000)
			var he *httpError
			if !errors.As(err, &he) || he.status != 400 {
				t.Fatalf("parseSearch(%q) error = %v, want a 400", tt.query, err)
			}
			if !strings.Contains(he.msg, tt.wantIn) {
				t.Errorf("parseSearch(%q) message %q does not name %q", tt.query, he.msg, tt.wantIn)
			}
		})
	}
}

// FuzzQIDOQuery feeds hostile query strings to the QIDO-RS parser: it must
// either succeed or refuse with a 400, never panic or fail otherwise.
func FuzzQIDOQuery(f *testing.F) {
	for _, s := range []string{
		"PatientName=doe*&limit=10", "StudyDate=20200101-", "StudyInstanceUID=1.2.3,4.5",
		"includefield=all", "00100020=%00%ff", "limit=99999999999999999999", "a.b.c=1",
		"StudyTime=123456.1234567", "ModalitiesInStudy=CT%5C", "00081032.00080100=x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		params, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		for _, level := range []index.Level{index.StudyLevel, index.SeriesLevel, index.InstanceLevel} {
			s, err := parseSearch(params, level, pathUIDs{}, 1000)
			if err != nil {
				var he *httpError
				if !errors.As(err, &he) || he.status != 400 {
					t.Fatalf("parseSearch(%q) error = %v, want nil or a 400", raw, err)
				}
				continue
			}
			if s.query.Limit < 1 || s.query.Limit > 1000 || s.query.Offset < 0 {
				t.Fatalf("parseSearch(%q) limit/offset = %d/%d out of bounds", raw, s.query.Limit, s.query.Offset)
			}
		}
	})
}
