package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// query is one QIDO-RS study-list request.
type query struct {
	id, label, params string
}

// ohif is the query string OHIF's study list sends (with the filters
// typed into it appended).
const ohif = "limit=101&offset=%d&fuzzymatching=false&includefield=00081030,00080060"

// queries are the study-list requests measured at an archive of the given
// number of studies.
func (b *bench) queries(studies int) []query {
	q := b.arch.queries
	first := fmt.Sprintf(ohif, 0)
	qs := []query{
		{"recent", "latest studies (OHIF list: limit=101, includefield)", first},
		{"page2", "second page (offset=101)", fmt.Sprintf(ohif, 101)},
		// Modality (0008,0060) is a series attribute OHIF asks for at study
		// level: this row shows what answering it costs.
		{"recent-no-modality", "latest studies, includefield=00081030 only", "limit=101&offset=0&fuzzymatching=false&includefield=00081030"},
	}
	if deep := 101 * (studies * 9 / 10 / 101); deep > 101 {
		qs = append(qs, query{"deep", fmt.Sprintf("deep page (offset=%d of %d studies)", deep, studies), fmt.Sprintf(ohif, deep)})
	}
	return append(qs,
		query{"name-contains", "PatientName=*" + q.nameContains + "*", first + "&PatientName=*" + q.nameContains + "*"},
		query{"name-prefix", "PatientName=" + q.namePrefix + "*", first + "&PatientName=" + q.namePrefix + "*"},
		query{"patient-id", "PatientID (one patient)", first + "&PatientID=" + q.patientID},
		query{"date-range", "StudyDate=" + q.dateFrom + "-" + q.dateTo, first + "&StudyDate=" + q.dateFrom + "-" + q.dateTo},
		query{"modality", "ModalitiesInStudy=CT", first + "&ModalitiesInStudy=CT"},
	)
}

func qidoRow(target int, size int, q query) row {
	million := target >= 1e6
	return row{id: fmt.Sprintf("qido-%d-%s", target, q.id), kind: kindLatency,
		label:  fmt.Sprintf("QIDO-RS at %s instances, p50 / p95 / p99: %s", sizeLabel(size), q.label),
		target: map[bool]string{false: "p95 ≤ Orthanc's / 5", true: "p95 ≤ Orthanc's / 5 and < 20 ms"}[million],
		meets:  qidoTarget(million), cpuUnit: "ms/query"}
}

// qidoAll measures every study-list query at the archive's current size.
func (b *bench) qidoAll(ctx context.Context, s *server, name string, target, size, studies int) error {
	hdr := map[string]string{"Accept": "application/dicom+json", "Accept-Encoding": "gzip, deflate"}
	for _, q := range b.queries(studies) {
		rw := qidoRow(target, size, q)
		err := b.latencyRuns(ctx, s, name, rw, s.base+"/studies?"+q.params, hdr, func(r response) (string, error) {
			n, err := jsonArrayLen(r)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("(%d results)", n), nil
		})
		if err != nil {
			return fmt.Errorf("QIDO-RS %s: %w", q.label, err)
		}
	}
	b.logf("%s: QIDO-RS at %d instances (%d studies) done", name, size, studies)
	return nil
}

// qidoNotLoaded marks a size the server was not loaded to.
func (b *bench) qidoNotLoaded(name string, target int) {
	why := "not loaded"
	if v := b.res.vals[name]["ingest-4"]; v.ok() {
		why = fmt.Sprintf("not loaded (STOW-RS at the measured %.0f inst/s would take %.0f min)",
			v.primary(kindIngest), float64(target)/v.primary(kindIngest)/60)
	}
	for _, rw := range b.res.rows {
		if strings.HasPrefix(rw.id, fmt.Sprintf("qido-%d-", target)) {
			b.res.notAvailable(name, *rw, why)
		}
	}
}

// latencyRuns times GET url cfg.repeats times, each run up to cfg.samples
// sequential requests (at least 5, then stopping at cfg.budget), after one
// untimed request whose answer verify checks. A first answer other than
// 200 is recorded as not available rather than failing the benchmark.
func (b *bench) latencyRuns(ctx context.Context, s *server, name string, rw row, url string, hdr map[string]string,
	verify func(response) (string, error)) error {
	r, err := get(ctx, b.hc, url, hdr, true)
	if err != nil {
		return err
	}
	if r.status != http.StatusOK {
		b.res.notAvailable(name, rw, fmt.Sprintf("answered %d", r.status))
		b.logf("%s: %s: answered %d: %.200s", name, rw.label, r.status, r.body)
		return nil
	}
	note, err := verify(r)
	if err != nil {
		return err
	}
	for range b.cfg.repeats {
		var ds []time.Duration
		cpu0, t0 := s.cpu(), time.Now()
		for len(ds) < b.cfg.samples && (len(ds) < 5 || time.Since(t0) < b.cfg.budget) {
			r, err := get(ctx, b.hc, url, hdr, false)
			if err != nil {
				return err
			}
			if r.status != http.StatusOK {
				return fmt.Errorf("GET %s: answered %d after answering 200", url, r.status)
			}
			ds = append(ds, r.dur)
		}
		cpu := s.cpu() - cpu0
		b.res.add(name, rw, percentiles(ds), float64(cpu.Microseconds())/1000/float64(len(ds)))
	}
	b.res.value(name, rw).note = note
	return nil
}
