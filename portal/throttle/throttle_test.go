package throttle

import (
	"sync"
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	now := time.Unix(1000, 0)
	l := New(3, 10*time.Minute)
	l.SetClock(func() time.Time { return now })
	for i := 0; i < 3; i++ {
		if ok, _ := l.Allow("a"); !ok {
			t.Fatalf("Allow after %d failures = false, want true", i)
		}
		l.Add("a")
	}
	if ok, wait := l.Allow("a"); ok || wait != 10*time.Minute {
		t.Errorf("Allow after 3 failures = %v, %v, want false, 10m", ok, wait)
	}
	if ok, _ := l.Allow("b"); !ok {
		t.Error("Allow(b) = false, want true: keys are independent")
	}
	now = now.Add(4 * time.Minute)
	if ok, wait := l.Allow("a"); ok || wait != 6*time.Minute {
		t.Errorf("Allow 4m later = %v, %v, want false, 6m", ok, wait)
	}
	now = now.Add(6 * time.Minute)
	if ok, _ := l.Allow("a"); !ok {
		t.Error("Allow after the window = false, want true")
	}
	l.Add("a")
	l.Reset("a")
	if ok, _ := l.Allow("a"); !ok {
		t.Error("Allow after Reset = false, want true")
	}
}

func TestLimiterConcurrent(t *testing.T) {
	l := New(100, time.Hour)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Go(func() {
			for j := 0; j < 50; j++ {
				l.Add("k")
				l.Allow("k")
			}
		})
	}
	wg.Wait()
	if ok, _ := l.Allow("k"); ok {
		t.Error("Allow after 400 concurrent failures = true, want false")
	}
}
