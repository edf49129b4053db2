package reporting

import (
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// RateLimit is a token bucket per partner: PerSecond calls a second on
// average, bursts of up to Burst.
type RateLimit struct {
	// PerSecond is the sustained rate.
	PerSecond float64
	// Burst is the bucket size.
	Burst int
}

// Default rate limits.
var (
	// DefaultLaunchRate is the default per-partner launch rate.
	DefaultLaunchRate = RateLimit{PerSecond: 50, Burst: 100}
	// DefaultReportingRate is the default per-partner reporting call rate.
	DefaultReportingRate = RateLimit{PerSecond: 20, Burst: 40}
)

// limiters holds one limiter per partner. Partners come from the verifier's
// registry, so the map stays small.
type limiters struct {
	limit RateLimit
	mu    sync.Mutex
	m     map[string]*rate.Limiter
}

func newLimiters(l RateLimit) *limiters {
	return &limiters{limit: l, m: make(map[string]*rate.Limiter)}
}

// wait returns 0 when the partner may call now, else how long to wait.
func (l *limiters) wait(partnerID string, now time.Time) time.Duration {
	l.mu.Lock()
	lim, ok := l.m[partnerID]
	if !ok {
		lim = rate.NewLimiter(rate.Limit(l.limit.PerSecond), l.limit.Burst)
		l.m[partnerID] = lim
	}
	l.mu.Unlock()

	res := lim.ReserveN(now, 1)
	if !res.OK() {
		return time.Hour
	}

	d := res.DelayFrom(now)
	if d > 0 {
		res.CancelAt(now)
	}

	return d
}

// retryProblem is the 429 problem; writeProblem adds Retry-After in whole
// seconds, rounded up.
func retryProblem(d time.Duration) *Problem {
	p := newProblem(http.StatusTooManyRequests, CodeRateLimited,
		"slow down and retry after the number of seconds in Retry-After")
	p.retryAfter = d

	return p
}
