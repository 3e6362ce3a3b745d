package index

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
)

// TestConcurrentPutAndSearch runs writers and readers together (run it
// with -race): writes serialise, reads see committed studies only, and
// the counters are exact at the end.
func TestConcurrentPutAndSearch(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	const writers, perWriter, readers = 4, 40, 4
	var wg sync.WaitGroup
	errs := make(chan error, writers+readers)
	done := make(chan struct{})
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				// Writers share studies so that upserts collide.
				r := rec(fmt.Sprintf("s%d", i%5), fmt.Sprintf("se%d.%d", i%5, w), fmt.Sprintf("i%d.%d", w, i))
				if _, err := db.PutInstance(ctx, r); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	var rg sync.WaitGroup
	for range readers {
		rg.Add(1)
		go func() {
			defer rg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				ms, err := db.Search(ctx, Query{Level: StudyLevel, Limit: 10})
				if err != nil {
					errs <- err
					return
				}
				for _, m := range ms {
					// A study seen committed always has instances.
					if m.NumberOfStudyRelatedInstances < 1 {
						errs <- fmt.Errorf("study %s with %d instances", m.StudyInstanceUID, m.NumberOfStudyRelatedInstances)
						return
					}
					err := db.ForEachMetadata(ctx, m.StudyInstanceUID, "", "", func(InstanceRef, []byte) error { return nil })
					if err != nil && !errors.Is(err, ErrNotFound) {
						errs <- err
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(done)
	rg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var total int64
	for _, s := range state(t, db) {
		total += s.NumInstances
	}
	if total != writers*perWriter {
		t.Errorf("%d instances indexed, want %d", total, writers*perWriter)
	}
}
