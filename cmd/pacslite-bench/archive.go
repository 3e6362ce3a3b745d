package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/pacslite/pacslite/dicomweb/stowclient"
)

// archiveConfig sizes the archive that is sent to each server over STOW-RS.
type archiveConfig struct {
	ingestRuns      int // chunks of studies, one per timed ingest run
	ingestStudies   int // studies per chunk, each one CT series
	ingestPerSeries int // instances per ingest series
	ctMatrix        int // rows = columns of the ingest and large CT series
	large, small    int // instances of the two series whose metadata is timed
	size            int // total instances, topped up with studies from the mix
}

// archive is the synthetic archive as files, with the studies each
// workload uses.
type archive struct {
	ingest  [][]*study // one chunk per ingest run
	large   *series    // series metadata, large; its study is retrieved, its frames fetched
	small   *series    // series metadata, small
	fill    []*study
	all     []*study
	queries queryValues
	files   map[*series][]stowclient.File
	bytes   int64
}

// queryValues are the values the QIDO-RS queries look for, taken from
// studies of the archive so that they match at every archive size.
type queryValues struct {
	patientID, nameContains, namePrefix, dateFrom, dateTo string
}

func (a *archive) instances() int {
	n := 0
	for _, st := range a.all {
		n += st.instances()
	}
	return n
}

// filesOf lists the files of studies in order.
func (a *archive) filesOf(studies ...*study) []stowclient.File {
	var out []stowclient.File
	for _, st := range studies {
		for _, se := range st.series {
			out = append(out, a.files[se]...)
		}
	}
	return out
}

// planArchive draws the studies of the archive.
func planArchive(g *generator, c archiveConfig) *archive {
	a := &archive{files: map[*series][]stowclient.File{}}
	ct := seriesKind{"CT", "CHEST", ctT, "", nil, [2]int{1, 1}, [2]int{0, 0}, c.ctMatrix}
	for range c.ingestRuns {
		var chunk []*study
		for range c.ingestStudies {
			st := g.newStudy("CT CHEST W CONTRAST")
			g.addSeries(st, ct, "AXIAL 1MM", c.ingestPerSeries)
			chunk = append(chunk, st)
			a.all = append(a.all, st)
		}
		a.ingest = append(a.ingest, chunk)
	}
	st := g.newStudy("CT ANGIO CHEST ABDOMEN")
	a.large = g.addSeries(st, ct, "AXIAL 0.625MM", c.large)
	a.all = append(a.all, st)

	mr := mix[4].kinds[0]
	st = g.newStudy("MR BRAIN W WO CONTRAST")
	g.addSeries(st, mr, "T1 SAG", 30)
	a.small = g.addSeries(st, mr, "T2 AX", c.small)
	g.addSeries(st, mr, "FLAIR AX", 30)
	a.all = append(a.all, st)

	for n := a.instances(); n < c.size; {
		st := g.randomStudy()
		n += st.instances()
		a.fill = append(a.fill, st)
		a.all = append(a.all, st)
	}
	a.queries = pickQueries(g, a.fill)
	return a
}

// pickQueries chooses query values from random studies: a patient ID, a
// piece of one patient's family name, the start of another's, and the
// month of a third study.
func pickQueries(g *generator, from []*study) queryValues {
	if len(from) == 0 {
		from = []*study{g.newStudy("none")}
	}
	st := func() *study { return from[g.rng.IntN(len(from))] }
	family := func() string {
		n := st().patient.name
		for i := range n {
			if n[i] == '^' {
				return n[:i]
			}
		}
		return n
	}
	var q queryValues
	q.patientID = st().patient.id
	f := family()
	mid := len(f) / 3
	q.nameContains = f[mid:min(mid+4, len(f))]
	q.namePrefix = family()[:3]
	d, _ := time.Parse("20060102", st().date)
	q.dateFrom = d.Format("200601") + "01"
	q.dateTo = d.AddDate(0, 1, -d.Day()).Format("20060102") // last day of the month
	return q
}

// writeFiles renders every instance of studies into dir, in parallel.
func (a *archive) writeFiles(ctx context.Context, dir string, studies []*study) error {
	type job struct {
		se *series
		i  int
	}
	for _, st := range studies { // the map is only read once workers run
		for _, se := range st.series {
			a.files[se] = make([]stowclient.File, len(se.sops))
		}
	}
	jobs := make(chan job)
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for j := range jobs {
				p := filepath.Join(dir, j.se.uid, strconv.Itoa(j.i+1)+".dcm")
				n, err := writeInstance(p, j.se, j.i)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				a.files[j.se][j.i] = stowclient.File{Path: p, Size: n}
				a.bytes += n
				mu.Unlock()
			}
		})
	}
	for _, st := range studies {
		for _, se := range st.series {
			if err := os.MkdirAll(filepath.Join(dir, se.uid), 0o755); err != nil {
				close(jobs)
				wg.Wait()
				return err
			}
			for i := range se.sops {
				select {
				case jobs <- job{se, i}:
				case <-ctx.Done():
					close(jobs)
					wg.Wait()
					return ctx.Err()
				}
			}
		}
	}
	close(jobs)
	wg.Wait()
	return firstErr
}

func writeInstance(path string, se *series, i int) (int64, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	n, err := se.render(f, i)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, fmt.Errorf("write %s: %w", path, err)
	}
	return n, nil
}
