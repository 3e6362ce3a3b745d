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

// studyListQueries are the queries a study list sends (OHIF, Weasis, the
// portal), with whether SQLite may scan the studies table for them.
func studyListQueries() []struct {
	name     string
	q        Query
	mayScan  bool
	sortFree bool // rows come in order from an index: no sort at all
} {
	page := func(fs ...Filter) Query { return Query{Level: StudyLevel, Limit: 101, Filters: fs} }
	return []struct {
		name     string
		q        Query
		mayScan  bool
		sortFree bool
	}{
		{"recent page", page(), true, true},
		{"recent page with offset", Query{Level: StudyLevel, Limit: 101, Offset: 5000}, true, true},
		{"PatientID", page(single(tagPatientID, "P1")), false, false},
		{"PatientName prefix", page(wild(tagPatientName, "doe*")), false, false},
		{"PatientName exact", page(single(tagPatientName, "doe^john")), false, false},
		{"StudyDate range", page(rng(tagStudyDate, "20240101", "20241231")), false, true},
		{"StudyDate single", page(single(tagStudyDate, "20240101")), false, true},
		{"ModalitiesInStudy", page(single(tagModalitiesInStudy, "CT")), false, false},
		{"AccessionNumber", page(single(tagAccessionNumber, "ACC1")), false, false},
		{"StudyInstanceUID list", page(list(tagStudyInstanceUID, "A", "B")), false, false},
		{"PatientName contains", page(wild(tagPatientName, "*doe*")), true, true},
	}
}

// TestStudyListPlans proves with EXPLAIN QUERY PLAN that the study list
// queries use an index: the recent page walks studies_recent and stops at
// LIMIT, the filtered ones search an index rather than scan studies.
//
// SQLite plans from statistics once ANALYZE (or PRAGMA optimize, which
// Open and Close run) has gathered them, so the plans are checked without
// and with statistics of a few thousand studies.
func TestStudyListPlans(t *testing.T) {
	t.Run("fixture", func(t *testing.T) { checkStudyListPlans(t, searchFixture(t)) })
	t.Run("analyzed", func(t *testing.T) {
		db := openTest(t)
		if _, err := db.PutInstances(context.Background(), genStudies(2000)); err != nil {
			t.Fatal(err)
		}
		if _, err := db.w.Exec(`ANALYZE`); err != nil {
			t.Fatal(err)
		}
		checkStudyListPlans(t, db)
	})
}

func checkStudyListPlans(t *testing.T, db *DB) {
	t.Helper()
	for _, tt := range studyListQueries() {
		plan, err := db.explain(context.Background(), tt.q)
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Join(plan, "\n")
		scans := strings.Contains(text, "SCAN st")
		switch {
		case scans && !tt.mayScan:
			t.Errorf("%s: plan scans studies:\n%s", tt.name, text)
		case scans && !strings.Contains(text, "SCAN st USING INDEX studies_recent"):
			t.Errorf("%s: plan scans studies without the recent index:\n%s", tt.name, text)
		case !strings.Contains(text, "USING"):
			t.Errorf("%s: plan uses no index:\n%s", tt.name, text)
		case tt.sortFree && strings.Contains(text, "TEMP B-TREE"):
			t.Errorf("%s: plan sorts:\n%s", tt.name, text)
		}
	}
}

// TestScopePlans checks that the per-study and per-series lookups (WADO-RS
// metadata, QIDO-RS series and instances of a study) use indexes in order.
func TestScopePlans(t *testing.T) {
	db := searchFixture(t)
	ctx := context.Background()
	var plans []string
	for _, q := range []Query{
		{Level: SeriesLevel, StudyInstanceUID: "A"},
		{Level: SeriesLevel, Limit: 10},
		{Level: InstanceLevel, StudyInstanceUID: "A"},
		{Level: InstanceLevel, StudyInstanceUID: "A", SeriesInstanceUID: "A1"},
		{Level: InstanceLevel, Limit: 10},
	} {
		plan, err := db.explain(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		plans = append(plans, strings.Join(plan, "\n"))
	}
	for _, sc := range [][3]string{{"A", "", ""}, {"A", "A1", ""}} {
		where, args, _ := scopeWhere(sc[0], sc[1], sc[2])
		q := "EXPLAIN QUERY PLAN SELECT " + refColumns + ", m.metadata" + scopeFrom +
			" LEFT JOIN instance_metadata m ON m.instance_id = i.id" + where + scopeOrder
		rows, err := db.r.QueryContext(ctx, q, args...)
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			lines = append(lines, detail)
		}
		rows.Close()
		plans = append(plans, strings.Join(lines, "\n"))
	}
	for _, p := range plans {
		if strings.Contains(p, "TEMP B-TREE") || strings.Contains(p, "SCAN se") || strings.Contains(p, "SCAN i") {
			t.Errorf("plan sorts or scans series/instances:\n%s", p)
		}
	}
}
