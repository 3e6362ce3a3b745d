package index

import (
	"context"
	"errors"
	"testing"
)

// FuzzSearch feeds arbitrary query values to every matching key with
// every match kind: Search must answer or reject the value (ErrInvalid),
// never fail in SQL or panic.
func FuzzSearch(f *testing.F) {
	for _, seed := range []string{"doe*", "*", "", "?", "[", "%_\\", "20240101", "1030", "12", "x' OR 1=1 --",
		"Müller^H*", "=山田*", "a\x00b", "\xff"} {
		f.Add(seed, seed)
	}
	db := openTest(f)
	mustPut(f, db, rec("s1", "se1", "i1"))
	tags := []uint32{tagStudyDate, tagStudyTime, tagAccessionNumber, tagModalitiesInStudy,
		tagReferringPhysicianName, tagPatientName, tagPatientID, tagStudyInstanceUID, tagSeriesNumber,
		tagInstanceNumber, tagSOPInstanceUID, tagSeriesTime}
	f.Fuzz(func(t *testing.T, a, b string) {
		for _, tag := range tags {
			for _, fl := range []Filter{
				{Tag: tag, Kind: MatchSingle, Values: []string{a}},
				{Tag: tag, Kind: MatchWildcard, Values: []string{a}},
				{Tag: tag, Kind: MatchList, Values: []string{a, b}},
				{Tag: tag, Kind: MatchRange, Lo: a, Hi: b},
			} {
				for _, fuzzy := range []bool{false, true} {
					q := Query{Level: InstanceLevel, Filters: []Filter{fl}, FuzzyNames: fuzzy, Limit: 5}
					if _, err := db.Search(context.Background(), q); err != nil && !errors.Is(err, ErrInvalid) {
						t.Fatalf("Search(%+v) = %v", q, err)
					}
				}
			}
		}
	})
}
