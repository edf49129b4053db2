package reporting

import (
	"crypto/sha256"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// RateLimit is a token bucket per partner, or per learner: PerSecond calls
// a second on average, bursts of up to Burst.
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
	// DefaultLearnerLaunchRate is the default launch rate of one learner
	// (one partner's subject): 10 a minute, bursts of 5.
	DefaultLearnerLaunchRate = RateLimit{PerSecond: 10.0 / 60, Burst: 5}
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
	_, d := l.reserve(partnerID, now)

	return d
}

// reserve takes one call of the partner's budget at now. It returns the
// reservation, which the caller may cancel, or how long to wait when the
// call is refused.
func (l *limiters) reserve(partnerID string, now time.Time) (*rate.Reservation, time.Duration) {
	l.mu.Lock()
	lim, ok := l.m[partnerID]
	if !ok {
		lim = rate.NewLimiter(rate.Limit(l.limit.PerSecond), l.limit.Burst)
		l.m[partnerID] = lim
	}
	l.mu.Unlock()

	return reserveAt(lim, now)
}

// reserveAt takes one token of lim at now, or takes none and returns how
// long to wait.
func reserveAt(lim *rate.Limiter, now time.Time) (*rate.Reservation, time.Duration) {
	res := lim.ReserveN(now, 1)
	if !res.OK() {
		return nil, time.Hour
	}

	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return nil, d
	}

	return res, 0
}

// Bounds of the learner limiters' memory.
const (
	// learnerSweepEvery is how long after a sweep of idle learner
	// limiters the next new learner's launch sweeps again.
	learnerSweepEvery = time.Minute
	// maxLearnerLimiters caps the learner limiters held at once. When a
	// sweep leaves that many, half are dropped at random: a dropped
	// learner starts again with a full bucket, and the partner's limit
	// still applies.
	maxLearnerLimiters = 100_000
	// minLearnerSweep is the map size below which only time starts a
	// sweep.
	minLearnerSweep = 1024
)

// learnerLimiters holds one limiter per (partner, subject) that launched
// recently. Keys are hashes, so no partner user id stays in memory, and a
// limiter is dropped once idle: its bucket full again, it holds nothing
// that a new one would not.
type learnerLimiters struct {
	limit     RateLimit
	mu        sync.Mutex
	m         map[[sha256.Size]byte]*rate.Limiter
	swept     time.Time
	nextSweep int
}

func newLearnerLimiters(l RateLimit) *learnerLimiters {
	return &learnerLimiters{limit: l, m: make(map[[sha256.Size]byte]*rate.Limiter),
		nextSweep: minLearnerSweep}
}

// learnerKey hashes a partner and one of its subjects; the NUL between
// them cannot occur in either.
func learnerKey(partnerID, subject string) [sha256.Size]byte {
	return sha256.Sum256([]byte(partnerID + "\x00" + subject))
}

// reserve takes one launch of the learner's budget at now and returns it,
// or takes none and returns how long to wait.
func (l *learnerLimiters) reserve(
	partnerID, subject string, now time.Time,
) (*rate.Reservation, time.Duration) {
	key := learnerKey(partnerID, subject)
	l.mu.Lock()
	defer l.mu.Unlock()

	lim, ok := l.m[key]
	if !ok {
		l.sweep(now)
		lim = rate.NewLimiter(rate.Limit(l.limit.PerSecond), l.limit.Burst)
		l.m[key] = lim
	}

	// Under the lock, so that no sweep drops the limiter between the look
	// up and the reservation.
	return reserveAt(lim, now)
}

// sweep drops idle limiters when the map has doubled since the last sweep
// or a minute has passed, so that sweeping costs O(1) a launch on average;
// then it enforces maxLearnerLimiters. l.mu is held.
func (l *learnerLimiters) sweep(now time.Time) {
	if len(l.m) < l.nextSweep && now.Sub(l.swept) < learnerSweepEvery {
		return
	}

	full := float64(l.limit.Burst)
	for k, lim := range l.m {
		if lim.TokensAt(now) >= full {
			delete(l.m, k)
		}
	}

	if len(l.m) >= maxLearnerLimiters {
		for k := range l.m {
			delete(l.m, k)
			if len(l.m) <= maxLearnerLimiters/2 {
				break
			}
		}
	}

	l.swept = now
	l.nextSweep = min(max(2*len(l.m), minLearnerSweep), maxLearnerLimiters)
}

// retryProblem is the 429 problem; writeProblem adds Retry-After in whole
// seconds, rounded up.
func retryProblem(d time.Duration) *Problem {
	p := newProblem(http.StatusTooManyRequests, CodeRateLimited,
		"slow down and retry after the number of seconds in Retry-After")
	p.retryAfter = d

	return p
}
