package webhook_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/reporting/webhook"
)

// TestRetryAfterHonoured checks that a 503's Retry-After, in either form,
// sets the next attempt, capped by BackoffMax (5 minutes here).
func TestRetryAfterHonoured(t *testing.T) {
	tests := []struct {
		name  string
		value func(now time.Time) string
		want  time.Duration
	}{
		{name: "delay seconds", want: 2 * time.Minute,
			value: func(time.Time) string { return "120" }},
		{name: "http date", want: 3 * time.Minute,
			value: func(now time.Time) string {
				return now.Add(3 * time.Minute).Format(http.TimeFormat)
			}},
		{name: "delay seconds beyond the cap", want: 5 * time.Minute,
			value: func(time.Time) string { return "86400" }},
		{name: "more digits than fit", want: 5 * time.Minute,
			value: func(time.Time) string { return "999999999999999999999999" }},
		{name: "http date beyond the cap", want: 5 * time.Minute,
			value: func(now time.Time) string {
				return now.Add(2 * time.Hour).Format(http.TimeFormat)
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			clock := &fakeClock{now: base}
			st := newMemory()
			newWorld(t, st, clock).session("sub-1")
			r := newReceiver(t, clock.Now, secretOld)
			r.setMode(answerBusy)
			r.setRetryAfter(tc.value(clock.Now()))
			d := newDispatcher(t, st, r, clock, nil)

			n, err := d.DeliverDue(ctx)
			require.NoError(t, err)
			require.Equal(t, 1, n, "the first event was tried")

			// Backoff alone (BackoffBase 1 s) would allow a retry within a
			// second; the server asked for want.
			r.setMode(answerOK)
			clock.Advance(tc.want - time.Second)
			n, err = d.DeliverDue(ctx)
			require.NoError(t, err)
			assert.Zero(t, n, "not due before Retry-After")

			clock.Advance(time.Second)
			n, err = d.DeliverDue(ctx)
			require.NoError(t, err)
			assert.Equal(t, 1, n, "due once Retry-After has passed")
			assert.Len(t, r.accepted(), 1)
		})
	}
}

// TestAttemptLeavesRoomForClockSkew checks that an attempt starts only if
// Timeout plus ClockSkew remain of the lease: a dispatcher whose clock is
// ahead by up to ClockSkew must not see the lease expire mid-attempt.
func TestAttemptLeavesRoomForClockSkew(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{now: base}
	st := newMemory()
	w := newWorld(t, st, clock)
	w.session("sub-1")
	w.session("sub-2")
	r := newReceiver(t, clock.Now, secretOld)
	const timeout, skew = 2 * time.Second, 30 * time.Second
	d := newDispatcher(t, st, r, clock, func(c *webhook.Config) {
		c.Timeout, c.ClockSkew, c.Concurrency = timeout, skew, 1
		c.Lease = 2*timeout + skew
	})

	// Each attempt takes 3 s on the dispatcher's clock: after the first,
	// 31 s of the 34 s lease remain, less than Timeout + ClockSkew.
	r.setOnRequest(func() { clock.Advance(3 * time.Second) })
	n, err := d.DeliverDue(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, n, "both sessions' first events claimed")
	assert.Len(t, r.snapshot(), 1, "the second attempt was not started")

	// The unstarted event waits for its lease to expire, then goes out.
	r.setOnRequest(nil)
	n, err = d.DeliverDue(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n, "the next event of the delivered session only")

	clock.Advance(2*timeout + skew)
	pump(t, d, r, clock, time.Minute, 8, 20)
	assert.Len(t, distinct(r.accepted()), 8)
}

func TestNewRefusesShortLease(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(*webhook.Config)
		wantErr error
	}{
		{name: "defaults", edit: func(*webhook.Config) {}},
		{name: "lease at the minimum", edit: func(c *webhook.Config) {
			c.Timeout, c.ClockSkew, c.Lease = 10*time.Second, 30*time.Second, 50*time.Second
		}},
		{name: "lease below two timeouts and the skew", wantErr: webhook.ErrLeaseTooShort,
			edit: func(c *webhook.Config) {
				c.Timeout, c.ClockSkew, c.Lease = 10*time.Second, 30*time.Second,
					50*time.Second-time.Millisecond
			}},
		{name: "lease shorter than the default skew", wantErr: webhook.ErrLeaseTooShort,
			edit: func(c *webhook.Config) { c.Lease = 20 * time.Second }},
		{name: "long timeout outgrows an explicit lease", wantErr: webhook.ErrLeaseTooShort,
			edit: func(c *webhook.Config) { c.Timeout, c.Lease = time.Minute, time.Minute }},
		{name: "negative skew", wantErr: webhook.ErrConfig,
			edit: func(c *webhook.Config) { c.ClockSkew = -time.Second }},
		{name: "negative lease", wantErr: webhook.ErrConfig,
			edit: func(c *webhook.Config) { c.Lease = -time.Second }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := webhook.Config{Store: newMemory(), Endpoints: webhook.StaticEndpoints{}}
			tc.edit(&cfg)
			d, err := webhook.New(cfg)
			if tc.wantErr == nil {
				require.NoError(t, err)
				assert.NotNil(t, d)

				return
			}

			assert.ErrorIs(t, err, tc.wantErr)
			assert.ErrorIs(t, err, webhook.ErrConfig)
		})
	}
}
