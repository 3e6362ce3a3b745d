// Package throttle counts failures (wrong passwords, sign-ups, call-back
// requests) per key, an account or an address, and says when a key has had
// enough for a while. Counts live in memory: a restart forgets them, which
// only gives an attacker one more window.
package throttle

import (
	"sync"
	"time"
)

// maxKeys bounds memory under a flood of distinct keys; past it, new keys
// are refused until old windows expire, which fails safe.
const maxKeys = 100_000

// Limiter allows Max events per key in a window that starts at the key's
// first event. Safe for concurrent use.
type Limiter struct {
	max    int
	window time.Duration
	now    func() time.Time

	mu     sync.Mutex
	keys   map[string]*entry
	pruned time.Time
}

type entry struct {
	start time.Time
	n     int
}

// New returns a limiter of max events per window.
func New(max int, window time.Duration) *Limiter {
	return &Limiter{max: max, window: window, now: time.Now, keys: map[string]*entry{}}
}

// SetClock replaces time.Now, for tests.
func (l *Limiter) SetClock(now func() time.Time) { l.now = now }

// Allow reports whether key may try again, and if not, for how long it
// must wait.
func (l *Limiter) Allow(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.prune(now)
	e, ok := l.keys[key]
	if !ok {
		return len(l.keys) < maxKeys, l.window
	}
	if now.Sub(e.start) >= l.window {
		delete(l.keys, key)
		return true, 0
	}
	if e.n >= l.max {
		return false, e.start.Add(l.window).Sub(now)
	}
	return true, 0
}

// Add counts one event for key.
func (l *Limiter) Add(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	e, ok := l.keys[key]
	if !ok || now.Sub(e.start) >= l.window {
		if len(l.keys) >= maxKeys {
			return
		}
		e = &entry{start: now}
		l.keys[key] = e
	}
	e.n++
}

// Reset forgets key's events (after a successful login).
func (l *Limiter) Reset(key string) {
	l.mu.Lock()
	delete(l.keys, key)
	l.mu.Unlock()
}

// prune drops expired keys, at most once a minute.
func (l *Limiter) prune(now time.Time) {
	if now.Sub(l.pruned) < time.Minute {
		return
	}
	l.pruned = now
	for k, e := range l.keys {
		if now.Sub(e.start) >= l.window {
			delete(l.keys, k)
		}
	}
}
