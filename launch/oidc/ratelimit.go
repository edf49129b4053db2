package oidc

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"golang.org/x/time/rate"
)

// RateLimit is a token bucket: PerSecond sign-ins a second on average, in
// bursts of up to Burst.
type RateLimit struct {
	// PerSecond is the sustained rate, finite and not negative. Zero
	// takes the default's.
	PerSecond float64
	// Burst is the bucket size, not negative. Zero takes the default's.
	Burst int
}

// DefaultSignInRate is the default HandlerConfig.SignInRate: per partner,
// 20 sign-ins a second in bursts of 100, so that a class of a hundred
// starting at the same minute passes at once and a cohort of 300 within
// ten seconds.
var DefaultSignInRate = RateLimit{PerSecond: 20, Burst: 100}

// withDefaults fills zero fields from DefaultSignInRate and checks the
// rest.
func (l RateLimit) withDefaults() (RateLimit, error) {
	if math.IsNaN(l.PerSecond) || math.IsInf(l.PerSecond, 0) || l.PerSecond < 0 ||
		l.Burst < 0 {
		return l, errorf(ErrConfig, "sign-in rate must be finite, burst and rate not negative")
	}

	if l.PerSecond == 0 {
		l.PerSecond = DefaultSignInRate.PerSecond
	}

	if l.Burst == 0 {
		l.Burst = DefaultSignInRate.Burst
	}

	return l, nil
}

// limiter returns a full bucket of l.
func (l RateLimit) limiter() *rate.Limiter {
	return rate.NewLimiter(rate.Limit(l.PerSecond), l.Burst)
}

// admit takes one sign-in from the bucket at now. When the bucket is
// empty it takes nothing and returns how long until it may.
func admit(l *rate.Limiter, now time.Time) time.Duration {
	res := l.ReserveN(now, 1)
	if !res.OK() {
		return time.Minute
	}

	d := res.DelayFrom(now)
	if d > 0 {
		res.CancelAt(now)
	}

	return d
}

// retryError is a refusal that tells the browser when to try again.
type retryError struct {
	err   error
	after time.Duration
}

func (e *retryError) Error() string { return e.err.Error() }

func (e *retryError) Unwrap() error { return e.err }

// setRetryAfter sets Retry-After to d in whole seconds, rounded up, at
// least 1.
func setRetryAfter(w http.ResponseWriter, d time.Duration) {
	secs := max(int64(math.Ceil(d.Seconds())), 1)
	w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
}
