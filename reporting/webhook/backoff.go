package webhook

import (
	"math/rand/v2"
	"net/http"
	"strconv"
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

// retryAfter reads a Retry-After header given in seconds; 0 when absent
// or not a number of seconds.
func retryAfter(resp *http.Response) time.Duration {
	if resp == nil {
		return 0
	}

	secs, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	if err != nil || secs <= 0 {
		return 0
	}

	return time.Duration(secs) * time.Second
}
