package index

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func single(tag uint32, v string) Filter {
	return Filter{Tag: tag, Kind: MatchSingle, Values: []string{v}}
}
func wild(tag uint32, v string) Filter {
	return Filter{Tag: tag, Kind: MatchWildcard, Values: []string{v}}
}
func list(tag uint32, vs ...string) Filter {
	return Filter{Tag: tag, Kind: MatchList, Values: vs}
}
func rng(tag uint32, lo, hi string) Filter { return Filter{Tag: tag, Kind: MatchRange, Lo: lo, Hi: hi} }

// ids returns the UIDs of the query level of each match.
func ids(level Level, ms []Match) []string {
	out := []string{}
	for _, m := range ms {
		switch level {
		case StudyLevel:
			out = append(out, m.StudyInstanceUID)
		case SeriesLevel:
			out = append(out, m.SeriesInstanceUID)
		default:
			out = append(out, m.SOPInstanceUID)
		}
	}
	return out
}

func TestSearch(t *testing.T) {
	db := searchFixture(t)
	type tc struct {
		name    string
		q       Query
		want    []string
		wantErr error
	}
	study := func(name string, want []string, fs ...Filter) tc {
		return tc{name: name, q: Query{Level: StudyLevel, Filters: fs}, want: want}
	}
	fuzzy := func(name string, want []string, fs ...Filter) tc {
		return tc{name: name, q: Query{Level: StudyLevel, Filters: fs, FuzzyNames: true}, want: want}
	}
	fails := func(name string, err error, l Level, fs ...Filter) tc {
		return tc{name: name, q: Query{Level: l, Filters: fs}, wantErr: err}
	}
	none := []string{}
	tests := []tc{
		study("all, newest first, undated last", []string{"A", "D", "B", "C", "F", "E"}),
		study("PatientID", []string{"A", "D"}, single(tagPatientID, "P1")),
		study("PatientID is case-sensitive", none, single(tagPatientID, "p1")),
		study("PatientID universal", []string{"A", "D", "B", "C", "F", "E"}, wild(tagPatientID, "*")),
		study("PatientID injection is a value", none, single(tagPatientID, "x' OR '1'='1")),
		study("PatientName exact, any case", []string{"A"}, single(tagPatientName, "DOE^JOHN")),
		study("PatientName trailing delimiters", []string{"A"}, single(tagPatientName, "Doe^John^^")),
		study("PatientName prefix", []string{"A", "D", "F"}, wild(tagPatientName, "doe*")),
		study("PatientName contains", []string{"B"}, wild(tagPatientName, "*HANS*")),
		study("PatientName one character", []string{"A"}, wild(tagPatientName, "Doe^J?hn")),
		study("PatientName non-ASCII case", []string{"B", "C"}, wild(tagPatientName, "müller*")),
		study("PatientName accents matter without fuzzy", none, wild(tagPatientName, "muller*")),
		study("PatientName ideographic group", []string{"C"}, wild(tagPatientName, "=ミュラー*")),
		study("PatientName hostile wildcard", none, wild(tagPatientName, "*'; DROP TABLE studies;--*")),
		fuzzy("fuzzy folds accents", []string{"B", "C"}, single(tagPatientName, "muller")),
		fuzzy("fuzzy given name", []string{"B"}, single(tagPatientName, "HANS")),
		fuzzy("fuzzy is component start", none, single(tagPatientName, "ans")),
		fuzzy("fuzzy several components", []string{"B"}, single(tagPatientName, "Muller^H")),
		fuzzy("fuzzy wildcard", []string{"A", "D", "F"}, wild(tagPatientName, "j*n")), // jan(e)
		fuzzy("fuzzy one character", []string{"A", "F"}, wild(tagPatientName, "jo?n")),
		fuzzy("fuzzy phonetic group", []string{"C"}, single(tagPatientName, "gurete")),
		fuzzy("fuzzy ideographic group", []string{"C"}, single(tagPatientName, "グレ")),
		fuzzy("fuzzy leaves other keys exact", none, single(tagPatientID, "p1")),
		study("ReferringPhysicianName", []string{"A"}, single(tagReferringPhysicianName, "smith^anna")),
		fuzzy("ReferringPhysicianName fuzzy", []string{"B"}, single(tagReferringPhysicianName, "doc")),
		study("ReferringPhysicianName unstored group", []string{"A"}, single(tagReferringPhysicianName, "=ANNA")),
		study("StudyDate", []string{"A", "D"}, single(tagStudyDate, "20240110")),
		study("StudyDate ACR-NEMA form", []string{"A", "D"}, single(tagStudyDate, "2024.01.10")),
		study("StudyDate closed range", []string{"A", "D", "B"}, rng(tagStudyDate, "20240101", "20240131")),
		study("StudyDate open start", []string{"C", "F"}, rng(tagStudyDate, "", "20231231")),
		study("StudyDate open end", []string{"A", "D"}, rng(tagStudyDate, "20240106", "")),
		study("StudyDate list", []string{"B", "F"}, list(tagStudyDate, "20240105", "20220601")),
		study("StudyTime range", []string{"D", "B"}, rng(tagStudyTime, "0800", "0930")),
		study("StudyTime end names its minute", []string{"D", "B"}, rng(tagStudyTime, "", "0900")),
		study("StudyTime single minute", []string{"A"}, single(tagStudyTime, "1015")),
		study("StudyTime stored short", []string{"C"}, single(tagStudyTime, "233000")),
		study("StudyTime stored hour only", []string{"F"}, rng(tagStudyTime, "1200", "1200")),
		study("StudyTime fraction", []string{"A"}, rng(tagStudyTime, "101459.5", "101500.000001")),
		study("AccessionNumber", []string{"A"}, single(tagAccessionNumber, "ACC1")),
		study("AccessionNumber case-sensitive", none, single(tagAccessionNumber, "acc1")),
		study("AccessionNumber literal underscore", []string{"B"}, single(tagAccessionNumber, "ACC_2")),
		study("AccessionNumber underscore in wildcard", []string{"B"}, wild(tagAccessionNumber, "ACC_*")),
		study("AccessionNumber percent in wildcard", []string{"C"}, wild(tagAccessionNumber, "ACC%*")),
		study("AccessionNumber question mark", []string{"D", "B"}, wild(tagAccessionNumber, "ACC?2")),
		study("StudyDescription contains percent", []string{"B"}, wild(tagStudyDescription, "*100%")),
		study("StudyDescription prefix", []string{"A", "D"}, wild(tagStudyDescription, "CT*")),
		study("ModalitiesInStudy", []string{"A", "D", "C"}, single(tagModalitiesInStudy, "CT")),
		study("ModalitiesInStudy second modality", []string{"C"}, single(tagModalitiesInStudy, "PT")),
		study("ModalitiesInStudy list", []string{"A", "D", "B", "C"}, list(tagModalitiesInStudy, "CT", "MR")),
		study("ModalitiesInStudy wildcard", []string{"B"}, wild(tagModalitiesInStudy, "M?")),
		study("StudyInstanceUID list", []string{"A", "C"}, list(tagStudyInstanceUID, "C", "A", "Z")),
		study("StudyID", []string{"A"}, single(tagStudyID, "S1")),
		study("PatientBirthDate range", []string{"B"}, rng(tagPatientBirthDate, "19750101", "19791231")),
		study("PatientSex", []string{"B"}, single(tagPatientSex, "F")),
		study("all keys must match", []string{"A", "D"}, single(tagPatientID, "P1"),
			single(tagStudyDate, "20240110"), single(tagModalitiesInStudy, "CT")),
		{name: "study scope", q: Query{Level: StudyLevel, StudyInstanceUID: "B"}, want: []string{"B"}},
		fails("series key at study level", ErrUnsupportedKey, StudyLevel, single(tagModality, "CT")),
		fails("instance key at series level", ErrUnsupportedKey, SeriesLevel, single(tagSOPClassUID, ctImage)),
		fails("unknown key", ErrUnsupportedKey, InstanceLevel, single(0x00100021, "x")),
		fails("range on text", ErrInvalid, StudyLevel, rng(tagPatientID, "A", "B")),
		fails("malformed date", ErrInvalid, StudyLevel, single(tagStudyDate, "2024")),
		fails("malformed date bound", ErrInvalid, StudyLevel, rng(tagStudyDate, "20240101", "x")),
		fails("malformed time", ErrInvalid, StudyLevel, single(tagStudyTime, "25")),
		fails("non-numeric IS", ErrInvalid, SeriesLevel, single(tagSeriesNumber, "x")),
		fails("wildcard on a date", ErrInvalid, StudyLevel, wild(tagStudyDate, "2024*")),
		fails("bad level", ErrInvalid, Level(9)),

		// Series level.
		{name: "series across studies by a study key", q: Query{Level: SeriesLevel,
			Filters: []Filter{single(tagPatientID, "P1")}}, want: []string{"A1", "A2", "D1"}},
		{name: "series of a study", q: Query{Level: SeriesLevel, StudyInstanceUID: "A"},
			want: []string{"A1", "A2"}},
		{name: "series of a missing study", q: Query{Level: SeriesLevel, StudyInstanceUID: "Z"}, want: none},
		{name: "Modality", q: Query{Level: SeriesLevel, Filters: []Filter{single(tagModality, "CT")}},
			want: []string{"A1", "D1", "C1"}},
		{name: "SeriesNumber numeric", q: Query{Level: SeriesLevel, Filters: []Filter{single(tagSeriesNumber, " 03")}},
			want: []string{"B1"}},
		{name: "SeriesDescription bracket", q: Query{Level: SeriesLevel,
			Filters: []Filter{wild(tagSeriesDescription, "*[sag]")}}, want: []string{"B1"}},
		{name: "SeriesDate", q: Query{Level: SeriesLevel, Filters: []Filter{single(tagSeriesDate, "20240110")}},
			want: []string{"A1"}},
		{name: "SeriesTime", q: Query{Level: SeriesLevel, Filters: []Filter{rng(tagSeriesTime, "1016", "")}},
			want: []string{"A1"}},
		{name: "PPS start", q: Query{Level: SeriesLevel, Filters: []Filter{
			rng(tagPPSStartDate, "20240101", "20241231"), single(tagPPSStartTime, "1015")}}, want: []string{"A1"}},
		{name: "BodyPartExamined", q: Query{Level: SeriesLevel, Filters: []Filter{single(tagBodyPartExamined, "CHEST")}},
			want: []string{"A1"}},
		{name: "SeriesInstanceUID list", q: Query{Level: SeriesLevel,
			Filters: []Filter{list(tagSeriesInstanceUID, "C2", "A1")}}, want: []string{"A1", "C2"}},

		// Instance level.
		{name: "instances of a series, numeric order", q: Query{Level: InstanceLevel, StudyInstanceUID: "A",
			SeriesInstanceUID: "A1"}, want: []string{"A1.1", "A1.2", "A1.10"}},
		{name: "instances of a study", q: Query{Level: InstanceLevel, StudyInstanceUID: "A"},
			want: []string{"A1.1", "A1.2", "A1.10", "A2.1"}},
		{name: "InstanceNumber", q: Query{Level: InstanceLevel, Filters: []Filter{single(tagInstanceNumber, "10")}},
			want: []string{"A1.10"}},
		{name: "InstanceNumber range is numeric", q: Query{Level: InstanceLevel, StudyInstanceUID: "A",
			Filters: []Filter{rng(tagInstanceNumber, "2", "10")}}, want: []string{"A1.2", "A1.10"}},
		{name: "SOPClassUID across studies", q: Query{Level: InstanceLevel,
			Filters: []Filter{single(tagSOPClassUID, srDoc)}}, want: []string{"A2.1"}},
		{name: "SOPInstanceUID list", q: Query{Level: InstanceLevel,
			Filters: []Filter{list(tagSOPInstanceUID, "F1.1", "B1.1")}}, want: []string{"B1.1", "F1.1"}},
		{name: "instances by study and series keys", q: Query{Level: InstanceLevel, Filters: []Filter{
			single(tagPatientID, "P1"), single(tagModality, "CT")}}, want: []string{"A1.1", "A1.2", "A1.10", "D1.1"}},
		{name: "instances scoped by series only to that series", q: Query{Level: InstanceLevel,
			StudyInstanceUID: "B", SeriesInstanceUID: "A1"}, want: none},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.Search(context.Background(), tt.q)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("Search() error = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr != nil {
				return
			}
			if diff := cmp.Diff(tt.want, ids(tt.q.Level, got)); diff != "" {
				t.Errorf("Search() (-want +got):\n%s", diff)
			}
		})
	}
	if got, err := db.Search(context.Background(), Query{Level: StudyLevel}); err != nil || len(got) != 6 {
		t.Errorf("after hostile values: %d studies, %v; want 6", len(got), err)
	}
}

func TestSearchComputedAttributes(t *testing.T) {
	db := searchFixture(t)
	ctx := context.Background()
	got, err := db.Search(ctx, Query{Level: StudyLevel, StudyInstanceUID: "A"})
	if err != nil {
		t.Fatal(err)
	}
	want := []Match{{StudyInstanceUID: "A", StudyAttrs: []byte(`{"study":"A"}`),
		ModalitiesInStudy: []string{"CT", "SR"}, NumberOfStudyRelatedSeries: 2, NumberOfStudyRelatedInstances: 4}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("study match (-want +got):\n%s", diff)
	}
	got, err = db.Search(ctx, Query{Level: SeriesLevel, StudyInstanceUID: "A", Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	want = []Match{{StudyInstanceUID: "A", SeriesInstanceUID: "A1", StudyAttrs: []byte(`{"study":"A"}`),
		SeriesAttrs: []byte(`{"series":"A1"}`), NumberOfSeriesRelatedInstances: 3}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("series match (-want +got):\n%s", diff)
	}
	got, err = db.Search(ctx, Query{Level: InstanceLevel, Filters: []Filter{single(tagSOPInstanceUID, "A2.1")}})
	if err != nil {
		t.Fatal(err)
	}
	want = []Match{{StudyInstanceUID: "A", SeriesInstanceUID: "A2", SOPInstanceUID: "A2.1",
		StudyAttrs: []byte(`{"study":"A"}`), SeriesAttrs: []byte(`{"series":"A2"}`),
		InstanceAttrs: []byte(`{"sop":"A2.1"}`)}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("instance match (-want +got):\n%s", diff)
	}
}

// TestSearchPaging checks that pages concatenate to the full ordered
// result, without duplicates, at every level.
func TestSearchPaging(t *testing.T) {
	db := searchFixture(t)
	ctx := context.Background()
	for _, level := range []Level{StudyLevel, SeriesLevel, InstanceLevel} {
		all, err := db.Search(ctx, Query{Level: level})
		if err != nil {
			t.Fatal(err)
		}
		for _, size := range []int{1, 2, 3, 5} {
			var paged []Match
			for off := 0; ; off += size {
				page, err := db.Search(ctx, Query{Level: level, Limit: size, Offset: off})
				if err != nil {
					t.Fatal(err)
				}
				if len(page) > size {
					t.Fatalf("level %d: page of %d with limit %d", level, len(page), size)
				}
				paged = append(paged, page...)
				if len(page) < size {
					break
				}
			}
			if diff := cmp.Diff(ids(level, all), ids(level, paged)); diff != "" {
				t.Errorf("level %d, pages of %d (-all +paged):\n%s", level, size, diff)
			}
		}
	}
}

func TestSupports(t *testing.T) {
	for _, tt := range []struct {
		level Level
		tag   uint32
		want  bool
	}{
		{StudyLevel, tagPatientName, true},
		{StudyLevel, tagModality, false},
		{SeriesLevel, tagPatientID, true},
		{SeriesLevel, tagModality, true},
		{SeriesLevel, tagInstanceNumber, false},
		{InstanceLevel, tagStudyDate, true},
		{InstanceLevel, 0x7FE00010, false},
		{Level(0), tagPatientID, false},
	} {
		if got := Supports(tt.level, tt.tag); got != tt.want {
			t.Errorf("Supports(%d, %08X) = %v, want %v", tt.level, tt.tag, got, tt.want)
		}
	}
}
