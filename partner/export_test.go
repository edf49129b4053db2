package partner

import (
	"context"
	"time"
)

// SetSleep replaces the client's wait between retries, so that tests can
// record the delays instead of waiting.
func SetSleep(c *Client, sleep func(ctx context.Context, d time.Duration) error) {
	c.sleep = sleep
}

// ParseRetryAfter exposes retryAfter to tests.
func ParseRetryAfter(v string, now time.Time) time.Duration { return retryAfter(v, now) }

// FormScript exposes the launch form's script to tests.
const FormScript = formScript

// Backoff exposes the backoff of a policy with its defaults.
func Backoff(p RetryPolicy, n int) time.Duration { return p.withDefaults().backoff(n) }
