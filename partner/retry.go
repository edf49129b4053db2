package partner

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"time"
)

// Retry defaults.
const (
	// DefaultMaxAttempts is RetryPolicy.MaxAttempts when it is 0.
	DefaultMaxAttempts = 4
	// DefaultMaxElapsed is RetryPolicy.MaxElapsed when it is 0.
	DefaultMaxElapsed = 30 * time.Second
	// DefaultBaseDelay is RetryPolicy.BaseDelay when it is 0.
	DefaultBaseDelay = 250 * time.Millisecond
	// DefaultMaxDelay is RetryPolicy.MaxDelay when it is 0.
	DefaultMaxDelay = 5 * time.Second
)

// RetryPolicy bounds the retries of idempotent calls (GET, PUT, DELETE)
// after a 429, a 503 or a network error. The wait before a retry is the
// server's Retry-After when it sends one, else an exponential backoff with
// jitter. A retry is never started once the context is done or when its
// wait would end past MaxElapsed; the call then returns the last error. A
// Retry-After too large to represent counts as the largest wait (24 hours),
// which ends the retries as too long. When the context ends during a wait,
// or its deadline would fall before the wait ends (the wait is then not
// started), the call returns the last error joined with the context's: an
// *APIError still matches ErrRateLimited or ErrUnavailable, and
// context.DeadlineExceeded or context.Canceled matches too.
// A launch is retried only after a failure known to come before any byte
// of the request was sent: a DNS or dial failure, or a server certificate
// refused during the TLS handshake. Any other failure may have reached VAP
// and ends the launch with ErrLaunchOutcomeUnknown.
type RetryPolicy struct {
	// MaxAttempts counts every attempt, the first included. Default
	// DefaultMaxAttempts; 1 disables retries.
	MaxAttempts int
	// MaxElapsed bounds the time from the first attempt to the start of
	// the last one. Default DefaultMaxElapsed.
	MaxElapsed time.Duration
	// BaseDelay is the backoff before the first retry, doubled for each
	// further one. Default DefaultBaseDelay.
	BaseDelay time.Duration
	// MaxDelay caps the backoff (not a Retry-After). Default
	// DefaultMaxDelay.
	MaxDelay time.Duration
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = DefaultMaxAttempts
	}

	p.MaxElapsed = orDefault(p.MaxElapsed, DefaultMaxElapsed)
	p.BaseDelay = orDefault(p.BaseDelay, DefaultBaseDelay)
	p.MaxDelay = orDefault(p.MaxDelay, DefaultMaxDelay)

	return p
}

// backoff returns the wait before retry n (1-based): a random duration in
// [d/2, d] where d doubles from BaseDelay up to MaxDelay.
func (p RetryPolicy) backoff(n int) time.Duration {
	d := p.BaseDelay
	for i := 1; i < n && d < p.MaxDelay; i++ {
		d *= 2
	}

	d = min(d, p.MaxDelay)
	half := d / 2

	return half + rand.N(d-half+1)
}

// retryDelay decides whether the failed attempt number attempt of call is
// retried, and after how long.
func (c *Client) retryDelay(ctx context.Context, call apiCall, err error, reached bool,
	attempt int, started time.Time) (time.Duration, bool) {
	if ctx.Err() != nil || attempt >= c.retry.MaxAttempts {
		return 0, false
	}

	var delay time.Duration
	var apiErr *APIError
	switch {
	case call.once && reached:
		return 0, false
	case errors.As(err, &apiErr):
		if !retryableStatus(apiErr.Status) {
			return 0, false
		}

		delay = apiErr.RetryAfter
	case errors.Is(err, ErrResponse), errors.Is(err, ErrConfig), errors.Is(err, ErrCredential):
		return 0, false
	}

	if delay == 0 {
		delay = c.retry.backoff(attempt)
	}

	if c.now().Add(delay).Sub(started) > c.retry.MaxElapsed {
		return 0, false
	}

	return delay, true
}

// retryableStatus reports the statuses worth another attempt of an
// idempotent call: VAP's 429 and 503, and the 502 and 504 a proxy or load
// balancer in front of VAP answers while an instance restarts.
func retryableStatus(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable, http.StatusBadGateway,
		http.StatusGatewayTimeout:
		return true
	}

	return false
}

// sleepContext waits for d or until ctx is done.
func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()

	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
