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
}

// NewLimiter returns a limiter allowing max failures per window; now is the
// clock (time.Now when nil).
func NewLimiter(max int, window time.Duration, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{Max: max, Window: window, now: now, failures: map[string][]time.Time{}}
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

// Allow reports whether addr may try to log in now, and if not, how long
// until it may.
func (l *Limiter) Allow(addr string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	fs := l.recent(addr, now)
	if len(fs) < l.Max {
		return true, 0
	}
	return false, fs[len(fs)-l.Max].Add(l.Window).Sub(now)
}

// Fail records a failed login from addr.
func (l *Limiter) Fail(addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.failures) > 10000 {
		// Forget addresses whose failures are all old.
		for a := range l.failures {
			l.recent(a, now)
		}
	}
	l.failures[addr] = append(l.recent(addr, now), now)
}
