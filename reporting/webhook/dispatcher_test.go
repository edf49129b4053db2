package webhook_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/partner"
	"github.com/virtualaipatient/integration/reporting"
	"github.com/virtualaipatient/integration/reporting/webhook"
	"github.com/virtualaipatient/integration/session"
)

var base = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// wantPerSession is what every session of world.session sends, in order.
var wantPerSession = []string{"session.started/2", "session.completed/3",
	"session.scored/3", "session.scored/4"}

// pump makes passes, advancing the clock by step after each, until the
// receiver accepted want distinct events or rounds passes were made.
func pump(t *testing.T, d *webhook.Dispatcher, r *receiver, clock *fakeClock,
	step time.Duration, want, rounds int) {
	t.Helper()
	for range rounds {
		_, err := d.DeliverDue(context.Background())
		require.NoError(t, err)
		if len(distinct(r.accepted())) >= want {
			return
		}

		clock.Advance(step)
	}
}

func distinct(list []*partner.WebhookEvent) []*partner.WebhookEvent {
	seen := map[string]bool{}
	var out []*partner.WebhookEvent
	for _, e := range list {
		if !seen[e.ID] {
			seen[e.ID] = true
			out = append(out, e)
		}
	}

	return out
}

// bySession returns "type/revision" of the accepted events per session.
func bySession(list []*partner.WebhookEvent) map[string][]string {
	out := map[string][]string{}
	for _, e := range distinct(list) {
		if e.Summary == nil {
			continue
		}

		key := e.Summary.SessionID
		out[key] = append(out[key], e.Type+"/"+itoa(e.Revision))
	}

	return out
}

func itoa(n int64) string {
	return strconv.FormatInt(n, 10)
}

func TestSignedAttemptsStableBytes(t *testing.T) {
	clock := &fakeClock{now: base}
	st := newMemory()
	w := newWorld(t, st, clock)
	id := w.session("sub-1")
	r := newReceiver(t, clock.Now, secretOld)
	d := newDispatcher(t, st, r, clock, nil)

	r.setMode(answer500)
	for range 3 {
		_, err := d.DeliverDue(context.Background())
		require.NoError(t, err)
		clock.Advance(10 * time.Minute)
	}

	r.setMode(answerOK)
	pump(t, d, r, clock, time.Minute, 4, 50)

	list := r.snapshot()
	require.GreaterOrEqual(t, len(list), 4+3, "three failed attempts, then four deliveries")
	stamps := map[string][]int64{}
	for _, a := range list {
		assert.NoError(t, a.verifyErr, "every attempt verifies")
		stamps[a.id] = append(stamps[a.id], unix(a.timestamp))
	}

	for evID, same := range sameBytes(list) {
		assert.True(t, same, "event %s: same body on every attempt", evID)
	}

	first := list[0].id
	assert.Len(t, stamps[first], 4, "the first event was tried four times")
	assert.Less(t, stamps[first][0], stamps[first][3], "each attempt signed afresh")
	assert.Equal(t, map[string][]string{id: wantPerSession}, bySession(r.accepted()))

	got := distinct(r.accepted())
	require.NotNil(t, got[3].Summary.Score)
	assert.Equal(t, 2, got[3].Summary.Score.ScoreRevision)
	assert.Equal(t, "Chest pain 1.0", got[3].Summary.CaseTitle)
	assert.Equal(t, 1, got[2].Summary.Score.ScoreRevision,
		"an earlier event keeps the summary of its own revision")
}

func TestFaultsThenRecovery(t *testing.T) {
	tests := []struct {
		name string
		mode mode
		step time.Duration
		down time.Duration
	}{
		{name: "server error", mode: answer500, step: time.Minute, down: 10 * time.Minute},
		{name: "timeout", mode: answerHang, step: time.Minute, down: 3 * time.Minute},
		{name: "down for an hour", mode: answerDown, step: time.Minute, down: time.Hour},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock := &fakeClock{now: base}
			st := newMemory()
			w := newWorld(t, st, clock)
			ids := []string{w.session("sub-1"), w.session("sub-2"), w.session("sub-3")}
			r := newReceiver(t, clock.Now, secretOld)
			d := newDispatcher(t, st, r, clock, func(c *webhook.Config) {
				c.Timeout, c.BackoffMax = 200*time.Millisecond, 30*time.Minute
			})

			r.setMode(tc.mode)
			for elapsed := time.Duration(0); elapsed < tc.down; elapsed += tc.step {
				_, err := d.DeliverDue(context.Background())
				require.NoError(t, err)
				clock.Advance(tc.step)
			}

			assert.Empty(t, r.accepted(), "nothing accepted while failing")
			r.setMode(answerOK)
			pump(t, d, r, clock, time.Minute, 12, 200)

			want := map[string][]string{}
			for _, id := range ids {
				want[id] = wantPerSession
			}

			assert.Equal(t, want, bySession(r.accepted()), "all events, in order per session")
			dead, err := d.ListDead(context.Background(), session.DeadQuery{})
			require.NoError(t, err)
			assert.Zero(t, len(dead), "no event parked as dead")
		})
	}
}

func TestKillAndRestart(t *testing.T) {
	clock := &fakeClock{now: base}
	st := newMemory()
	w := newWorld(t, st, clock)
	ids := []string{w.session("sub-1"), w.session("sub-2")}
	r := newReceiver(t, clock.Now, secretOld)
	r.setMode(answerHang)
	first := newDispatcher(t, st, r, clock, func(c *webhook.Config) { c.Owner = "first" })

	// Kill the first dispatcher while its attempts hang.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = first.DeliverDue(ctx)
	}()
	require.Eventually(t, func() bool { return len(r.inFlightIDs()) == 2 },
		5*time.Second, time.Millisecond)
	cancel()
	<-done

	r.setMode(answerOK)
	second := newDispatcher(t, st, r, clock, func(c *webhook.Config) { c.Owner = "second" })
	n, err := second.DeliverDue(context.Background())
	require.NoError(t, err)
	assert.Zero(t, n, "the killed dispatcher's leases still hold")

	clock.Advance(10 * time.Minute)
	pump(t, second, r, clock, time.Minute, 8, 50)
	assert.Equal(t, map[string][]string{ids[0]: wantPerSession, ids[1]: wantPerSession},
		bySession(r.accepted()), "nothing lost")
}

func (r *receiver) inFlightIDs() []string {
	r.mu.Lock()
	defer r.mu.Unlock()

	var out []string
	for id, n := range r.inFlight {
		if n > 0 {
			out = append(out, id)
		}
	}

	return out
}

func TestDeadAndReplay(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{now: base}
	st := newMemory()
	w := newWorld(t, st, clock)
	w.session("sub-1")
	r := newReceiver(t, clock.Now, secretOld)
	r.setMode(answer500)
	d := newDispatcher(t, st, r, clock, func(c *webhook.Config) { c.MaxAttempts = 2 })

	for range 20 {
		_, err := d.DeliverDue(ctx)
		require.NoError(t, err)
		clock.Advance(10 * time.Minute)
	}

	dead, err := d.ListDead(ctx, session.DeadQuery{PartnerID: "partner-a"})
	require.NoError(t, err)
	require.Len(t, dead, 4, "every event parked after two attempts")
	assert.Equal(t, 2, dead[0].Attempts)
	assert.Equal(t, 500, dead[0].LastStatus)
	assert.Len(t, r.snapshot(), 8)

	r.setMode(answerOK)
	var ids []string
	for _, del := range dead {
		ids = append(ids, del.Event.ID)
	}

	n, err := d.Replay(ctx, ids...)
	require.NoError(t, err)
	assert.Equal(t, 4, n)
	pump(t, d, r, clock, time.Minute, 4, 20)
	assert.Len(t, distinct(r.accepted()), 4)
	for _, a := range r.snapshot() {
		assert.NoError(t, a.verifyErr)
	}
}

func TestMaxAge(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{now: base}
	st := newMemory()
	w := newWorld(t, st, clock)
	w.session("sub-1")
	r := newReceiver(t, clock.Now, secretOld)
	r.setMode(answer500)
	d := newDispatcher(t, st, r, clock, func(c *webhook.Config) { c.MaxAge = time.Hour })

	clock.Advance(2 * time.Hour)
	_, err := d.DeliverDue(ctx)
	require.NoError(t, err)
	dead, err := d.ListDead(ctx, session.DeadQuery{})
	require.NoError(t, err)
	assert.Len(t, dead, 1, "too old after one failure")
}

func TestRotationSignsWithBoth(t *testing.T) {
	tests := []struct {
		name    string
		secrets []string
	}{
		{name: "partner still on the old secret", secrets: []string{secretOld}},
		{name: "partner moved to the new secret", secrets: []string{secretNew}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock := &fakeClock{now: base}
			st := newMemory()
			newWorld(t, st, clock).session("sub-1")
			r := newReceiver(t, clock.Now, tc.secrets...)
			d := newDispatcher(t, st, r, clock, func(c *webhook.Config) {
				c.Endpoints = webhook.StaticEndpoints{{PartnerID: "partner-a",
					URL: r.srv.URL, Secrets: []string{secretNew, secretOld}}}
			})
			pump(t, d, r, clock, time.Minute, 4, 20)
			list := r.snapshot()
			require.Len(t, list, 4)
			for _, a := range list {
				assert.NoError(t, a.verifyErr)
			}
		})
	}
}

// badEndpoints are endpoints no attempt may be sent to, without
// InsecureAllowHTTP.
func badEndpoints(url string) []struct {
	name string
	e    webhook.Endpoint
} {
	return []struct {
		name string
		e    webhook.Endpoint
	}{
		{name: "http", e: webhook.Endpoint{PartnerID: "partner-a", URL: "http://x.example",
			Secrets: []string{secretOld}}},
		{name: "http on a name ending in localhost", e: webhook.Endpoint{PartnerID: "partner-a",
			URL: "http://evil-localhost.example", Secrets: []string{secretOld}}},
		{name: "relative", e: webhook.Endpoint{PartnerID: "partner-a", URL: "/hooks",
			Secrets: []string{secretOld}}},
		{name: "no secret", e: webhook.Endpoint{PartnerID: "partner-a", URL: url}},
		{name: "bad secret", e: webhook.Endpoint{PartnerID: "partner-a", URL: url,
			Secrets: []string{"whsec_short"}}},
		{name: "no prefix", e: webhook.Endpoint{PartnerID: "partner-a", URL: url,
			Secrets: []string{secretOld[6:]}}},
		{name: "no partner", e: webhook.Endpoint{URL: url, Secrets: []string{secretOld}}},
	}
}

// TestNewRefusesStaticEndpoint checks that a bad entry of StaticEndpoints
// fails New, instead of a dispatcher that logs it on every pass while the
// partner's events stay pending.
func TestNewRefusesStaticEndpoint(t *testing.T) {
	for _, tc := range badEndpoints("https://hooks.example/vap") {
		t.Run(tc.name, func(t *testing.T) {
			_, err := webhook.New(webhook.Config{Store: newMemory(),
				Endpoints: webhook.StaticEndpoints{
					{PartnerID: "partner-z", URL: "https://z.example", Secrets: []string{secretNew}},
					tc.e,
				}})

			require.Error(t, err)
			assert.ErrorIs(t, err, webhook.ErrConfig)
			assert.ErrorIs(t, err, webhook.ErrEndpoint)
			var ee *webhook.EndpointError
			require.ErrorAs(t, err, &ee)
			assert.Equal(t, tc.e.PartnerID, ee.PartnerID)
			assert.Equal(t, 1, ee.Index)
			assert.Contains(t, err.Error(), fmt.Sprintf("(partner %q)", tc.e.PartnerID))
			for _, secret := range tc.e.Secrets {
				assert.NotContains(t, err.Error(), secret)
				assert.NotContains(t, err.Error(), strings.TrimPrefix(secret, "whsec_"))
			}
		})
	}
}

// TestLoopbackHTTP checks that plain http is accepted on a loopback host
// without InsecureAllowHTTP, as the partner client and the JWKS fetch
// accept it, and that events are delivered there.
func TestLoopbackHTTP(t *testing.T) {
	for _, url := range []string{"http://localhost:9/hooks", "http://127.0.0.1:9/hooks",
		"http://[::1]:9/hooks", "http://127.0.0.2/hooks"} {
		t.Run(url, func(t *testing.T) {
			_, err := webhook.New(webhook.Config{Store: newMemory(),
				Endpoints: webhook.StaticEndpoints{
					{PartnerID: "partner-a", URL: url, Secrets: []string{secretOld}},
				}})
			assert.NoError(t, err)
		})
	}

	t.Run("delivery", func(t *testing.T) {
		clock := &fakeClock{now: base}
		st := newMemory()
		newWorld(t, st, clock).session("sub-1")
		var got atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			got.Add(1)
			w.WriteHeader(http.StatusNoContent)
		}))
		t.Cleanup(srv.Close)
		require.True(t, strings.HasPrefix(srv.URL, "http://127.0.0.1:"), srv.URL)

		d, err := webhook.New(webhook.Config{Store: st, Now: clock.Now,
			Endpoints: webhook.StaticEndpoints{
				{PartnerID: "partner-a", URL: srv.URL, Secrets: []string{secretOld}},
			}})
		require.NoError(t, err)
		n, err := d.DeliverDue(context.Background())
		require.NoError(t, err)
		assert.Positive(t, n)
		assert.Positive(t, got.Load())
	})
}

// endpointFunc is an EndpointSource other than StaticEndpoints, whose
// endpoints New cannot check.
type endpointFunc func() []webhook.Endpoint

func (f endpointFunc) Endpoints(context.Context) ([]webhook.Endpoint, error) {
	return f(), nil
}

// logLines is a slog handler's output, safe for the dispatcher's goroutines.
type logLines struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()

	return l.buf.Write(p)
}

func (l *logLines) count(s string) int {
	l.mu.Lock()
	defer l.mu.Unlock()

	return strings.Count(l.buf.String(), s)
}

// TestDynamicEndpointSkipped checks that an invalid endpoint of a dynamic
// source leaves its partner's events pending and is logged once per ten
// minutes, not on every pass.
func TestDynamicEndpointSkipped(t *testing.T) {
	r := newReceiver(t, func() time.Time { return base }, secretOld)
	for _, tc := range badEndpoints(r.srv.URL) {
		t.Run(tc.name, func(t *testing.T) {
			clock := &fakeClock{now: base}
			st := newMemory()
			newWorld(t, st, clock).session("sub-1")
			logs := &logLines{}
			d := newDispatcher(t, st, r, clock, func(c *webhook.Config) {
				c.Endpoints = endpointFunc(func() []webhook.Endpoint {
					return []webhook.Endpoint{tc.e}
				})
				c.Logger = slog.New(slog.NewTextHandler(logs, nil))
			})
			passes := func(k int, step time.Duration) {
				for range k {
					n, err := d.DeliverDue(context.Background())
					require.NoError(t, err)
					assert.Zero(t, n, "events stay pending")
					clock.Advance(step)
				}
			}

			passes(20, 29*time.Second) // passes until 9m11s, the clock then at 9m40s
			assert.Equal(t, 1, logs.count("endpoint skipped"), "logged once")
			clock.Advance(20 * time.Second)
			passes(2, 0)
			assert.Equal(t, 2, logs.count("endpoint skipped"), "logged again after ten minutes")
			for _, secret := range tc.e.Secrets {
				assert.Zero(t, logs.count(strings.TrimPrefix(secret, "whsec_")))
			}
		})
	}

	assert.Empty(t, r.snapshot())
}

// TestDynamicEndpointRepaired checks that an endpoint fixed and broken
// again is logged again at once, and that a repaired endpoint delivers.
func TestDynamicEndpointRepaired(t *testing.T) {
	clock := &fakeClock{now: base}
	st := newMemory()
	newWorld(t, st, clock).session("sub-1")
	r := newReceiver(t, clock.Now, secretOld)
	good := webhook.Endpoint{PartnerID: "partner-a", URL: r.srv.URL, Secrets: []string{secretOld}}
	bad := good
	bad.Secrets = nil
	var mu sync.Mutex
	current := bad
	set := func(e webhook.Endpoint) { mu.Lock(); current = e; mu.Unlock() }
	logs := &logLines{}
	d := newDispatcher(t, st, r, clock, func(c *webhook.Config) {
		c.Endpoints = endpointFunc(func() []webhook.Endpoint {
			mu.Lock()
			defer mu.Unlock()

			return []webhook.Endpoint{current}
		})
		c.Logger = slog.New(slog.NewTextHandler(logs, nil))
	})
	pass := func() int {
		n, err := d.DeliverDue(context.Background())
		require.NoError(t, err)

		return n
	}

	assert.Zero(t, pass())
	assert.Zero(t, pass())
	assert.Equal(t, 1, logs.count("endpoint skipped"))

	set(good)
	assert.Positive(t, pass(), "the repaired endpoint delivers")

	set(bad)
	pass()
	assert.Equal(t, 2, logs.count("endpoint skipped"), "broken again: logged at once")

	bad.URL = "http://x.example"
	set(bad)
	pass()
	assert.Equal(t, 3, logs.count("endpoint skipped"), "another fault: logged at once")
}

func TestNewRefusesConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  webhook.Config
	}{
		{name: "no store", cfg: webhook.Config{Endpoints: webhook.StaticEndpoints{}}},
		{name: "no endpoints", cfg: webhook.Config{Store: newMemory()}},
		{name: "negative", cfg: webhook.Config{Store: newMemory(),
			Endpoints: webhook.StaticEndpoints{}, MaxAttempts: -1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := webhook.New(tc.cfg)
			assert.ErrorIs(t, err, webhook.ErrConfig)
		})
	}
}

func TestRunStopsWithContext(t *testing.T) {
	clock := &fakeClock{now: base}
	st := newMemory()
	id := newWorld(t, st, clock).session("sub-1")
	r := newReceiver(t, clock.Now, secretOld)
	d := newDispatcher(t, st, r, clock, func(c *webhook.Config) {
		c.PollInterval = 5 * time.Millisecond
	})

	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- d.Run(ctx) }()
	require.Eventually(t, func() bool { return len(distinct(r.accepted())) == 4 },
		10*time.Second, time.Millisecond)
	cancel()
	assert.True(t, errors.Is(<-errc, context.Canceled))
	assert.Equal(t, map[string][]string{id: wantPerSession}, bySession(r.accepted()))
}

func TestPurgeDelivered(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{now: base}
	st := newMemory()
	newWorld(t, st, clock).session("sub-1")
	r := newReceiver(t, clock.Now, secretOld)
	d := newDispatcher(t, st, r, clock, nil)
	pump(t, d, r, clock, time.Minute, 4, 10)
	n, err := d.PurgeDelivered(ctx, clock.Now().Add(time.Second))
	require.NoError(t, err)
	assert.Equal(t, 4, n)
}

func TestDeletionEvent(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{now: base}
	st := newMemory()
	w := newWorld(t, st, clock)
	err := st.WithTx(ctx, func(tx session.Tx) error {
		return w.svc.AppendDeletionEvent(ctx, tx, session.DeletionReceipt{
			PartnerID: "partner-a", LearnerID: "learner-1", PartnerUserID: "sub-1",
			SessionIDs: []string{"s-1"}})
	})
	require.NoError(t, err)
	r := newReceiver(t, clock.Now, secretOld)
	pump(t, newDispatcher(t, st, r, clock, nil), r, clock, time.Minute, 1, 5)
	got := r.accepted()
	require.Len(t, got, 1)
	assert.Equal(t, reporting.WebhookLearnerDeleted, got[0].Type)
	require.NotNil(t, got[0].Deletion)
	assert.Equal(t, []string{"s-1"}, got[0].Deletion.SessionIDs)
	assert.Equal(t, base, got[0].Deletion.DeletedAt.Time)
}

// cancelAfter is a transport that cancels the dispatcher's context once a
// response has arrived, as a host stopping at that instant would.
type cancelAfter struct {
	next   http.RoundTripper
	cancel context.CancelFunc
}

func (c cancelAfter) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(req)
	if err == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		c.cancel()
	}

	return resp, err
}

// TestStopAfterAnswerRecords stops the dispatcher just after an endpoint
// answered: the delivery is still recorded, so a restart does not send
// the event again.
func TestStopAfterAnswerRecords(t *testing.T) {
	clock := &fakeClock{now: base}
	st := newMemory()
	newWorld(t, st, clock).session("sub-1")
	r := newReceiver(t, clock.Now, secretOld)

	ctx, cancel := context.WithCancel(context.Background())
	stopping := newDispatcher(t, st, r, clock, func(c *webhook.Config) {
		client := *r.srv.Client()
		client.Transport = cancelAfter{next: client.Transport, cancel: cancel}
		c.Client = &client
		c.Concurrency = 1
	})
	_, _ = stopping.DeliverDue(ctx)
	first := r.snapshot()
	require.NotEmpty(t, first)

	clock.Advance(10 * time.Minute)
	restarted := newDispatcher(t, st, r, clock, nil)
	pump(t, restarted, r, clock, time.Minute, 4, 20)
	seen := map[string]int{}
	for _, a := range r.snapshot() {
		seen[a.id]++
	}

	for _, a := range first {
		assert.Equal(t, 1, seen[a.id], "an answered event is never sent again")
	}
}
