package webhook_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/reporting/webhook"
	"github.com/virtualaipatient/integration/session"
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

	// The unstarted event was given back: it is due at once and starts
	// first.
	r.setOnRequest(nil)
	n, err = d.DeliverDue(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, n, "the given-back event and the next of the delivered session")
	list := r.snapshot()
	require.Len(t, list, 3)
	assert.NotEqual(t, list[0].event.Summary.SessionID, list[1].event.Summary.SessionID,
		"the given-back event went first")

	clock.Advance(2*timeout + skew)
	pump(t, d, r, clock, time.Minute, 8, 20)
	assert.Len(t, distinct(r.accepted()), 8)
}

// TestUnstartedClaimGivenBack is a reviewer's case: attempts that overrun
// (3 s on the dispatcher's clock) leave too little of the lease for the
// pass's second claim. That claim is given back without counting as an
// attempt and starts first in the next pass, so that each session gets
// every other pass and an event is parked as dead after MaxAttempts real
// attempts, not after claims that sent nothing.
func TestUnstartedClaimGivenBack(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{now: base}
	st := newMemory()
	w := newWorld(t, st, clock)
	sessions := []string{w.session("sub-1"), w.session("sub-2")}
	r := newReceiver(t, clock.Now, secretOld)
	d := newDispatcher(t, st, r, clock, func(c *webhook.Config) {
		c.Timeout, c.ClockSkew, c.Concurrency, c.MaxAttempts = 2*time.Second,
			30*time.Second, 1, 2
		c.Lease = 2*c.Timeout + c.ClockSkew
	})
	r.setMode(answer500)
	r.setOnRequest(func() { clock.Advance(3 * time.Second) })
	for range 12 {
		n, err := d.DeliverDue(ctx)
		require.NoError(t, err)
		assert.Equal(t, 2, n, "one event of each session claimed")
		clock.Advance(10 * time.Minute)
	}

	list := r.snapshot()
	require.Len(t, list, 12, "one attempt a pass")
	sent := map[string]int{}
	var turns []string
	for _, a := range list {
		require.NoError(t, a.verifyErr)
		sent[a.id]++
		turns = append(turns, a.event.Summary.SessionID)
	}

	for i := 1; i < len(turns); i++ {
		assert.NotEqual(t, turns[i-1], turns[i], "pass %d: the sessions take turns", i+1)
	}

	dead, err := d.ListDead(ctx, session.DeadQuery{})
	require.NoError(t, err)
	require.Len(t, dead, 6, "twelve attempts, two for each dead event")
	perSession := map[string]int{}
	for _, del := range dead {
		assert.Equal(t, 2, del.Attempts, "event %s: stored attempts", del.Event.ID)
		assert.Equal(t, 2, sent[del.Event.ID], "event %s: attempts sent", del.Event.ID)
		perSession[del.Event.SessionID]++
	}

	assert.Equal(t, map[string]int{sessions[0]: 3, sessions[1]: 3}, perSession)
}

// TestStopGivesBackUnstarted stops a pass during its first attempt: the
// event in flight keeps its lease, as the endpoint may have it, while the
// claim not yet started is given back, so that another dispatcher sends
// it at once, counted as its first attempt.
func TestStopGivesBackUnstarted(t *testing.T) {
	clock := &fakeClock{now: base}
	st := newMemory()
	w := newWorld(t, st, clock)
	w.session("sub-1")
	w.session("sub-2")
	r := newReceiver(t, clock.Now, secretOld)
	ctx, cancel := context.WithCancel(context.Background())
	r.setOnRequest(cancel)
	stopping := newDispatcher(t, st, r, clock, func(c *webhook.Config) {
		c.Owner, c.Concurrency = "stopping", 1
	})
	n, err := stopping.DeliverDue(ctx)
	require.NoError(t, err)
	require.Equal(t, 2, n)
	first := r.snapshot()
	require.Len(t, first, 1, "the second claim was not started")

	r.setOnRequest(nil)
	r.setMode(answer500)
	other := newDispatcher(t, st, r, clock, func(c *webhook.Config) {
		c.Owner, c.MaxAttempts = "other", 1
	})
	// The first attempt was under way when the pass stopped: whether its
	// answer was recorded, or the stop cut it off and it is due again,
	// depends on timing. The given-back event is due at once either way.
	n, err = other.DeliverDue(context.Background())
	require.NoError(t, err)
	list := r.snapshot()
	require.Len(t, list, 1+n)
	// The given-back event is the other session's first; the stopped
	// attempt's session may have its next event delivered too.
	require.NotNil(t, first[0].event)
	stopped := first[0].event.Summary.SessionID
	var givenBack string
	for _, a := range list[1:] {
		require.NotNil(t, a.event)
		if a.event.Summary.SessionID != stopped {
			givenBack = a.id
		}
	}
	require.NotEmpty(t, givenBack, "the given-back event was delivered by the other dispatcher")

	dead, err := other.ListDead(context.Background(), session.DeadQuery{})
	require.NoError(t, err)
	var found bool
	for _, d := range dead {
		if d.Event.ID == givenBack {
			found = true
			assert.Equal(t, 1, d.Attempts, "the given-back claim was not counted")
		}
	}
	assert.True(t, found, "the given-back event is parked after MaxAttempts 1")
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

// TestStoreWithoutReleaser checks the fallback for a store that is not a
// ClaimReleaser: a claim the pass could not start keeps its lease until
// it expires, and then goes out.
func TestStoreWithoutReleaser(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{now: base}
	st := newMemory()
	w := newWorld(t, st, clock)
	w.session("sub-1")
	w.session("sub-2")
	r := newReceiver(t, clock.Now, secretOld)
	plain := struct{ webhook.DeliveryStore }{st}
	d := newDispatcher(t, plain, r, clock, func(c *webhook.Config) {
		c.Concurrency, c.Lease = 1, 2*c.Timeout+webhook.DefaultClockSkew
	})

	r.setOnRequest(func() { clock.Advance(3 * time.Second) })
	n, err := d.DeliverDue(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	assert.Len(t, r.snapshot(), 1, "the second attempt was not started")

	r.setOnRequest(nil)
	n, err = d.DeliverDue(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n, "the unstarted claim still holds its lease")

	clock.Advance(time.Minute)
	pump(t, d, r, clock, time.Minute, 8, 20)
	assert.Len(t, distinct(r.accepted()), 8)
}
