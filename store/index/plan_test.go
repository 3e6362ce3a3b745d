package index

import (
	"context"
	"database/sql"
	"strings"
	"testing"
)

// explain returns SQLite's query plan for a search, one line per step.
func (db *DB) explain(ctx context.Context, q Query) ([]string, error) {
	query, args, err := buildSearch(q)
	if err != nil {
		return nil, err
	}
	rows, err := db.r.QueryContext(ctx, "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, notused int
		var detail sql.NullString
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			return nil, err
		}
		plan = append(plan, detail.String)
	}
	return plan, rows.Err()
}

func TestPlanDump(t *testing.T) {
	db := searchFixture(t)
	for _, q := range []Query{
		{Level: StudyLevel, Limit: 101},
		{Level: StudyLevel, Limit: 101, Offset: 100},
		{Level: StudyLevel, Limit: 101, Filters: []Filter{single(tagPatientID, "P1")}},
		{Level: StudyLevel, Limit: 101, Filters: []Filter{wild(tagPatientName, "doe*")}},
		{Level: StudyLevel, Limit: 101, Filters: []Filter{wild(tagPatientName, "*doe*")}},
		{Level: StudyLevel, Limit: 101, Filters: []Filter{rng(tagStudyDate, "20240101", "20240131")}},
		{Level: StudyLevel, Limit: 101, Filters: []Filter{single(tagModalitiesInStudy, "CT")}},
		{Level: StudyLevel, Limit: 101, Filters: []Filter{single(tagAccessionNumber, "A")}},
		{Level: StudyLevel, Limit: 101, Filters: []Filter{list(tagStudyInstanceUID, "A", "B")}},
		{Level: SeriesLevel, StudyInstanceUID: "A"},
		{Level: SeriesLevel, Filters: []Filter{single(tagPatientID, "P1")}},
		{Level: SeriesLevel, Limit: 10},
		{Level: InstanceLevel, StudyInstanceUID: "A", SeriesInstanceUID: "A1"},
		{Level: InstanceLevel, StudyInstanceUID: "A"},
		{Level: InstanceLevel, Limit: 10},
	} {
		plan, err := db.explain(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%+v\n\t%s", q, strings.Join(plan, "\n\t"))
	}
}
