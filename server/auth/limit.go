package auth

import (
	"sync"
	"time"
)

// Limiter limits failed logins per client address: after Max failures
// within Window, further attempts are refused until the oldest of them is
// Window old. Successful logins are not counted. Methods are safe for
// concurrent use.
type Limiter struct {
	Max    int
	Window time.Duration
	now    func() time.Time

	mu       sync.Mutex
	failures map[string][]time.Time // per address, oldest first
	pending  map[string]int         // attempts being checked, per address
}

// NewLimiter returns a limiter allowing max failures per window; now is the
// clock (time.Now when nil).
func NewLimiter(max int, window time.Duration, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{Max: max, Window: window, now: now, failures: map[string][]time.Time{}, pending: map[string]int{}}
}

// recent returns the failures of addr still inside the window; l.mu held.
func (l *Limiter) recent(addr string, now time.Time) []time.Time {
	fs := l.failures[addr]
	i := 0
	for i < len(fs) && now.Sub(fs[i]) >= l.Window {
		i++
	}
	fs = fs[i:]
	if len(fs) == 0 {
		delete(l.failures, addr)
	} else {
		l.failures[addr] = fs
	}
	return fs
}

// Try reserves a login attempt for addr. It refuses (ok false, with how
// long to wait) when the failures of addr within the window, plus its
// attempts still being checked, reach Max: parallel guesses cannot overtake
// the limit. After an accepted attempt, call done with whether it failed.
func (l *Limiter) Try(addr string) (ok bool, wait time.Duration, done func(failed bool)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	fs := l.recent(addr, now)
	if len(fs) >= l.Max {
		return false, fs[len(fs)-l.Max].Add(l.Window).Sub(now), nil
	}
	if len(fs)+l.pending[addr] >= l.Max {
		return false, time.Second, nil // attempts in progress may still succeed
	}
	l.pending[addr]++
	var once sync.Once
	return true, 0, func(failed bool) {
		once.Do(func() { l.end(addr, failed) })
	}
}

// end closes an attempt of Try.
func (l *Limiter) end(addr string, failed bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.pending[addr]--; l.pending[addr] <= 0 {
		delete(l.pending, addr)
	}
	if !failed {
		return
	}
	now := l.now()
	if len(l.failures) > 10000 {
		// Forget addresses whose failures are all old.
		for a := range l.failures {
			l.recent(a, now)
		}
	}
	l.failures[addr] = append(l.recent(addr, now), now)
}
