package webhook

import (
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// backoff returns the wait before the next attempt after attempts failed
// ones: base·2^(attempts-1), capped at max, with "equal jitter" (a random
// point in the upper half), so that retries of many events spread out.
func backoff(base, limit time.Duration, attempts int) time.Duration {
	d := base
	for i := 1; i < attempts && d < limit; i++ {
		d *= 2
	}

	d = min(d, limit)
	half := d / 2
	if half <= 0 {
		return d
	}

	return half + rand.N(half+1)
}

// retryAfter reads the Retry-After header of resp, in either form of RFC
// 9110: delay-seconds, or an HTTP-date taken relative to now (the
// dispatcher's clock). The wait is at most limit; it is 0 when the header
// is absent, malformed or names a time not after now.
func retryAfter(resp *http.Response, now time.Time, limit time.Duration) time.Duration {
	if resp == nil {
		return 0
	}

	v := strings.TrimSpace(resp.Header.Get("Retry-After"))
	if v == "" {
		return 0
	}

	secs, err := strconv.ParseUint(v, 10, 64)
	switch {
	case err == nil && secs > uint64(limit/time.Second):
		return limit
	case err == nil:
		return time.Duration(secs) * time.Second
	case errors.Is(err, strconv.ErrRange):
		return limit // more digits than a uint64 holds: as long as allowed
	}

	at, err := http.ParseTime(v)
	if err != nil {
		return 0
	}

	return min(max(at.Sub(now), 0), limit)
}
