package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/reporting/webhook"
	"github.com/virtualaipatient/integration/session"
)

// OutboxStore is a store with the webhook outbox: its transactions
// implement session.OutboxWriter and it implements webhook.DeliveryStore,
// webhook.ClaimReleaser and webhook.DeliveredPurger.
type OutboxStore interface {
	session.Store
	webhook.DeliveryStore
	webhook.ClaimReleaser
	webhook.DeliveredPurger
}

// OutboxOpener returns a new, empty outbox store for one test.
type OutboxOpener func(t *testing.T) OutboxStore

// RunOutbox runs the conformance suite of the outbox and its delivery
// state against stores made by open.
func RunOutbox(t *testing.T, open OutboxOpener) {
	t.Helper()

	groups := []struct {
		name string
		run  func(t *testing.T, st OutboxStore)
	}{
		{name: "AppendCommitRollback", run: testOutboxAppend},
		{name: "ServiceEvents", run: testOutboxService},
		{name: "StreamOrder", run: testOutboxOrder},
		{name: "Lease", run: testOutboxLease},
		{name: "Release", run: testOutboxRelease},
		{name: "DeadReplay", run: testOutboxDead},
		{name: "Partners", run: testOutboxPartners},
		{name: "Purge", run: testOutboxPurge},
		{name: "ConcurrentClaims", run: func(t *testing.T, st OutboxStore) {
			ClaimRace(t, st, st)
		}},
		{name: "ConcurrentReleases", run: func(t *testing.T, st OutboxStore) {
			ReleaseRace(t, st, st)
		}},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) { g.run(t, open(t)) })
	}
}

func outboxEvent(partner, stream string, rev int64, minute int) session.OutboxEvent {
	id := uuid.NewString()
	return session.OutboxEvent{ID: id, Type: session.EventTypeSessionStarted,
		PartnerID: partner, Stream: stream, SessionID: stream, Revision: rev,
		OccurredAt: at(minute), Payload: []byte(`{"id":"` + id + `", "x": 1}` + "\n")}
}

// appendEvents writes events in one transaction.
func appendEvents(t *testing.T, st session.Store, events ...session.OutboxEvent) {
	t.Helper()
	err := st.WithTx(context.Background(), func(tx session.Tx) error {
		w, ok := tx.(session.OutboxWriter)
		require.True(t, ok, "transaction must implement session.OutboxWriter")
		return w.AppendEvents(context.Background(), events)
	})
	require.NoError(t, err)
}

func claim(t *testing.T, st OutboxStore, owner string, now time.Time,
	limit int) []session.Delivery {
	t.Helper()
	list, err := st.ClaimDeliveries(context.Background(), session.ClaimQuery{Owner: owner,
		Partners: []string{"partner-a"}, Now: now, LeaseUntil: now.Add(time.Minute),
		Limit: limit})
	require.NoError(t, err)

	return list
}

func ids(list []session.Delivery) []string {
	out := make([]string, 0, len(list))
	for _, d := range list {
		out = append(out, d.Event.ID)
	}

	return out
}

func record(t *testing.T, st OutboxStore, d session.Delivery, r session.AttemptResult) {
	t.Helper()
	r.EventID, r.Owner = d.Event.ID, d.LeaseOwner
	require.NoError(t, st.RecordAttempt(context.Background(), r))
}

func testOutboxAppend(t *testing.T, st OutboxStore) {
	ctx := context.Background()
	a, b := outboxEvent("partner-a", "s1", 2, 1), outboxEvent("partner-a", "s2", 3, 1)
	err := st.WithTx(ctx, func(tx session.Tx) error {
		w, ok := tx.(session.OutboxWriter)
		require.True(t, ok)
		require.NoError(t, w.AppendEvents(ctx, []session.OutboxEvent{a}))
		return ErrInjected
	})
	require.ErrorIs(t, err, ErrInjected)
	assert.Empty(t, claim(t, st, "d1", at(10), 10), "rolled back events are gone")

	appendEvents(t, st, a, b)
	got := claim(t, st, "d1", at(10), 10)
	require.Len(t, got, 2)
	assert.Less(t, got[0].Event.Seq, got[1].Event.Seq)
	want := a
	want.Seq = got[0].Event.Seq
	assert.Equal(t, want, got[0].Event, "round trip, payload bytes exact")
	assert.Equal(t, 1, got[0].Attempts)
	assert.Equal(t, "d1", got[0].LeaseOwner)
	assert.Equal(t, at(11), got[0].LeaseUntil)
	assert.Equal(t, at(1), got[0].NextAttemptAt, "due at once")
}

func testOutboxService(t *testing.T, st OutboxStore) {
	ctx := context.Background()
	w := newWorld(t, st)
	res, err := w.svc.Launch(ctx, newLaunch("sub-1", "acs-chest-pain"))
	require.NoError(t, err)
	id := res.Session.ID
	_, err = w.svc.Start(ctx, "partner-a", id)
	require.NoError(t, err)
	first := claim(t, st, "d1", at(1), 10)
	require.Len(t, first, 1, "a launch alone sends nothing")
	record(t, st, first[0], session.AttemptResult{At: at(1), Delivered: true})

	bad := caseAInput()
	bad.Points["history_taking"] = 99
	_, err = w.svc.Complete(ctx, "partner-a", id, session.Completion{Input: &bad})
	require.ErrorIs(t, err, session.ErrInvalid)
	assert.Empty(t, claim(t, st, "d1", at(1), 10), "a refused change writes no event")

	_, err = w.svc.Complete(ctx, "partner-a", id, session.Completion{Input: ptr(caseAInput())})
	require.NoError(t, err)
	_, err = w.svc.Regrade(ctx, "partner-a", id, session.Completion{Input: ptr(caseAInput())})
	require.NoError(t, err)
	_, err = w.svc.Void(ctx, "partner-a", id, session.EndAdmin)
	require.NoError(t, err)

	events := drain(t, st, at(2))
	events = append([]session.OutboxEvent{first[0].Event}, events...)
	wantTypes := []session.EventType{session.EventTypeSessionStarted,
		session.EventTypeSessionCompleted, session.EventTypeSessionScored,
		session.EventTypeSessionScored, session.EventTypeSessionVoided}
	wantRevs := []int64{2, 3, 3, 4, 5}
	require.Len(t, events, len(wantTypes))
	for i, e := range events {
		assert.Equal(t, wantTypes[i], e.Type, "event %d", i)
		assert.Equal(t, wantRevs[i], e.Revision, "event %d", i)
		assert.Equal(t, id, e.Stream)
		var body struct {
			ID       string `json:"id"`
			Type     string `json:"type"`
			Revision int64  `json:"revision"`
		}
		require.NoError(t, json.Unmarshal(e.Payload, &body))
		assert.Equal(t, e.ID, body.ID)
		assert.Equal(t, string(e.Type), body.Type)
		assert.Equal(t, e.Revision, body.Revision, "body fixed at its own revision")
	}
}

// drain claims and delivers every pending event of partner-a, in order.
func drain(t *testing.T, st OutboxStore, now time.Time) []session.OutboxEvent {
	t.Helper()
	var out []session.OutboxEvent
	for range 100 {
		list := claim(t, st, "drain", now, 10)
		if len(list) == 0 {
			return out
		}

		for _, d := range list {
			out = append(out, d.Event)
			record(t, st, d, session.AttemptResult{At: now, Delivered: true})
		}
	}

	t.Fatal("outbox never drained")
	return nil
}

func testOutboxOrder(t *testing.T, st OutboxStore) {
	a1, a2 := outboxEvent("partner-a", "a", 2, 0), outboxEvent("partner-a", "a", 3, 0)
	b1 := outboxEvent("partner-a", "b", 2, 0)
	appendEvents(t, st, a1)
	appendEvents(t, st, a2, b1)

	got := claim(t, st, "d1", at(1), 10)
	assert.Equal(t, []string{a1.ID, b1.ID}, ids(got), "one event per stream, the earliest")
	record(t, st, got[0], session.AttemptResult{At: at(1), Status: 500, Error: "boom",
		NextAttemptAt: at(5)})
	record(t, st, got[1], session.AttemptResult{At: at(1), Delivered: true})
	assert.Empty(t, claim(t, st, "d1", at(2), 10), "a2 waits for a1, a1 for its retry")

	got = claim(t, st, "d1", at(5), 10)
	require.Equal(t, []string{a1.ID}, ids(got))
	assert.Equal(t, 2, got[0].Attempts)
	assert.Equal(t, 500, got[0].LastStatus)
	assert.Equal(t, "boom", got[0].LastError)
	record(t, st, got[0], session.AttemptResult{At: at(5), Dead: true, Error: "gave up"})

	got = claim(t, st, "d1", at(6), 10)
	assert.Equal(t, []string{a2.ID}, ids(got), "a dead event does not hold back its stream")
}

func testOutboxLease(t *testing.T, st OutboxStore) {
	ctx := context.Background()
	e := outboxEvent("partner-a", "s", 2, 0)
	appendEvents(t, st, e)
	first := claim(t, st, "d1", at(1), 10)
	require.Len(t, first, 1)
	assert.Empty(t, claim(t, st, "d2", at(1), 10), "leased to d1")

	second := claim(t, st, "d2", at(3), 10)
	require.Len(t, second, 1, "the lease ran out")
	assert.Equal(t, 2, second[0].Attempts)

	r := session.AttemptResult{EventID: e.ID, Owner: "d1", At: at(3), Delivered: true}
	require.ErrorIs(t, st.RecordAttempt(ctx, r), session.ErrLeaseLost)
	r.Owner = "d2"
	require.NoError(t, st.RecordAttempt(ctx, r))
	require.ErrorIs(t, st.RecordAttempt(ctx, r), session.ErrLeaseLost, "already delivered")
	r.EventID = uuid.NewString()
	require.ErrorIs(t, st.RecordAttempt(ctx, r), session.ErrNotFound)
	assert.Empty(t, claim(t, st, "d1", at(10), 10))
}

func testOutboxRelease(t *testing.T, st OutboxStore) {
	ctx := context.Background()
	e1, e2 := outboxEvent("partner-a", "s1", 2, 0), outboxEvent("partner-a", "s1", 3, 0)
	e3 := outboxEvent("partner-a", "s2", 2, 0)
	appendEvents(t, st, e1, e2, e3)
	first := claim(t, st, "d1", at(1), 10)
	require.Equal(t, []string{e1.ID, e3.ID}, ids(first))
	held := first[0]

	tests := []struct {
		name    string
		id      string
		owner   string
		until   time.Time
		wantErr error
	}{
		{name: "another owner", id: e1.ID, owner: "d2", until: held.LeaseUntil,
			wantErr: session.ErrLeaseLost},
		{name: "no owner", id: e1.ID, until: held.LeaseUntil, wantErr: session.ErrLeaseLost},
		{name: "another lease", id: e1.ID, owner: "d1", until: held.LeaseUntil.Add(time.Second),
			wantErr: session.ErrLeaseLost},
		{name: "no lease", id: e1.ID, owner: "d1", wantErr: session.ErrLeaseLost},
		{name: "unclaimed event", id: e2.ID, owner: "d1", until: held.LeaseUntil,
			wantErr: session.ErrLeaseLost},
		{name: "unknown event", id: uuid.NewString(), owner: "d1", until: held.LeaseUntil,
			wantErr: session.ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := st.ReleaseClaim(ctx, tc.id, tc.owner, tc.until)
			assert.ErrorIs(t, err, tc.wantErr)
		})
	}

	assert.Empty(t, claim(t, st, "d2", at(1), 10), "a refused release writes nothing")

	require.NoError(t, st.ReleaseClaim(ctx, e1.ID, "d1", held.LeaseUntil))
	again := claim(t, st, "d2", at(1), 10)
	require.Equal(t, []string{e1.ID}, ids(again), "due at once, still ahead of its stream")
	assert.Equal(t, 1, again[0].Attempts, "the released claim was not counted")
	assert.Equal(t, "d2", again[0].LeaseOwner)
	assert.ErrorIs(t, st.ReleaseClaim(ctx, e1.ID, "d1", held.LeaseUntil), session.ErrLeaseLost,
		"d2 holds it now")
	assert.Empty(t, claim(t, st, "d3", at(1), 10), "d2's lease survives the stale release")

	record(t, st, again[0], session.AttemptResult{At: at(1), Status: 500, Error: "boom",
		NextAttemptAt: at(2)})
	require.NoError(t, st.ReleaseClaim(ctx, e3.ID, "d1", first[1].LeaseUntil))
	third := claim(t, st, "d2", at(2), 10)
	require.Equal(t, []string{e1.ID, e3.ID}, ids(third))
	assert.Equal(t, 2, third[0].Attempts, "one recorded attempt and this claim")
	assert.Equal(t, 1, third[1].Attempts)
	record(t, st, third[0], session.AttemptResult{At: at(2), Delivered: true})
	assert.ErrorIs(t, st.ReleaseClaim(ctx, e1.ID, "d2", third[0].LeaseUntil),
		session.ErrLeaseLost, "delivered")

	record(t, st, third[1], session.AttemptResult{At: at(2), Dead: true, Error: "gone"})
	assert.ErrorIs(t, st.ReleaseClaim(ctx, e3.ID, "d2", third[1].LeaseUntil),
		session.ErrLeaseLost, "dead")
	dead, err := st.ListDeadDeliveries(ctx, session.DeadQuery{})
	require.NoError(t, err)
	require.Equal(t, []string{e3.ID}, ids(dead))
	assert.Equal(t, 1, dead[0].Attempts, "a refused release takes back nothing")
	assert.Equal(t, []string{e2.ID}, ids(claim(t, st, "d1", at(3), 10)), "e2 after e1")
}

func testOutboxDead(t *testing.T, st OutboxStore) {
	ctx := context.Background()
	e1, e2 := outboxEvent("partner-a", "s1", 2, 0), outboxEvent("partner-a", "s2", 2, 0)
	e3 := outboxEvent("partner-b", "s3", 2, 0)
	appendEvents(t, st, e1, e2, e3)
	for _, d := range claim(t, st, "d1", at(1), 10) {
		record(t, st, d, session.AttemptResult{At: at(1), Dead: true, Status: 410, Error: "gone"})
	}

	list, err := st.ClaimDeliveries(ctx, session.ClaimQuery{Owner: "d1",
		Partners: []string{"partner-b"}, Now: at(1), LeaseUntil: at(2), Limit: 10})
	require.NoError(t, err)
	require.Len(t, list, 1)
	record(t, st, list[0], session.AttemptResult{At: at(1), Dead: true, Error: "gone"})

	tests := []struct {
		name string
		q    session.DeadQuery
		want []string
	}{
		{name: "all", want: []string{e1.ID, e2.ID, e3.ID}},
		{name: "partner", q: session.DeadQuery{PartnerID: "partner-a"}, want: []string{e1.ID, e2.ID}},
		{name: "limit", q: session.DeadQuery{Limit: 1}, want: []string{e1.ID}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := st.ListDeadDeliveries(ctx, tc.q)
			require.NoError(t, err)
			assert.Equal(t, tc.want, ids(got))
		})
	}

	dead, err := st.ListDeadDeliveries(ctx, session.DeadQuery{})
	require.NoError(t, err)
	require.Len(t, dead, 3)
	assert.Equal(t, 410, dead[0].LastStatus)
	assert.Equal(t, at(1), dead[0].DeadAt)
	after, err := st.ListDeadDeliveries(ctx, session.DeadQuery{AfterSeq: dead[0].Event.Seq})
	require.NoError(t, err)
	assert.Equal(t, []string{e2.ID, e3.ID}, ids(after), "paging")

	n, err := st.ReplayDeliveries(ctx, []string{e1.ID, uuid.NewString()}, at(5))
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Empty(t, claim(t, st, "d1", at(4), 10), "due from the replay time")
	got := claim(t, st, "d1", at(5), 10)
	require.Equal(t, []string{e1.ID}, ids(got))
	assert.Equal(t, 1, got[0].Attempts, "attempts start again")
	assert.True(t, got[0].DeadAt.IsZero())
}

func testOutboxPartners(t *testing.T, st OutboxStore) {
	appendEvents(t, st, outboxEvent("partner-b", "s", 2, 0))
	assert.Empty(t, claim(t, st, "d1", at(1), 10), "another partner's event")
	list, err := st.ClaimDeliveries(context.Background(), session.ClaimQuery{Owner: "d1",
		Now: at(1), LeaseUntil: at(2), Limit: 10})
	require.NoError(t, err)
	assert.Empty(t, list, "no partner claims nothing")
}

func testOutboxPurge(t *testing.T, st OutboxStore) {
	ctx := context.Background()
	e1, e2 := outboxEvent("partner-a", "s1", 2, 0), outboxEvent("partner-a", "s2", 2, 0)
	appendEvents(t, st, e1, e2)
	got := claim(t, st, "d1", at(1), 10)
	require.Len(t, got, 2)
	record(t, st, got[0], session.AttemptResult{At: at(1), Delivered: true})
	record(t, st, got[1], session.AttemptResult{At: at(1), NextAttemptAt: at(2)})

	n, err := st.PurgeDelivered(ctx, at(2))
	require.NoError(t, err)
	assert.Equal(t, 1, n, "only the delivered event")
	assert.Equal(t, []string{e2.ID}, ids(claim(t, st, "d1", at(3), 10)))
}

// ClaimRace appends 60 events on 20 streams through a and has 4 claimers,
// alternating between a and b (two handles on one database, or the same
// store twice), claim and deliver them concurrently. Every event must be
// claimed exactly once (leases outlast the test) and each stream's events
// delivered in order.
func ClaimRace(t *testing.T, a, b OutboxStore) {
	t.Helper()
	var all []session.OutboxEvent
	for rev := range 3 {
		for s := range 20 {
			all = append(all, outboxEvent("partner-a", fmt.Sprintf("s%02d", s), int64(rev+2), 0))
		}
	}

	appendEvents(t, a, all...)
	var (
		mu     sync.Mutex
		got    = map[string]int{}
		orders = map[string][]int64{}
		wg     sync.WaitGroup
	)
	for i := range 4 {
		st := []OutboxStore{a, b}[i%2]
		wg.Go(func() {
			owner := fmt.Sprintf("claimer-%d", i)
			for range 200 {
				list, err := st.ClaimDeliveries(context.Background(), session.ClaimQuery{
					Owner: owner, Partners: []string{"partner-a"}, Now: at(1),
					LeaseUntil: at(60), Limit: 5})
				if !assert.NoError(t, err) {
					return
				}

				for _, d := range list {
					mu.Lock()
					got[d.Event.ID]++
					orders[d.Event.Stream] = append(orders[d.Event.Stream], d.Event.Revision)
					mu.Unlock()
					r := session.AttemptResult{EventID: d.Event.ID, Owner: owner, At: at(1),
						Delivered: true}
					assert.NoError(t, st.RecordAttempt(context.Background(), r))
				}

				mu.Lock()
				finished := len(got) == len(all)
				mu.Unlock()
				if finished {
					return
				}
			}
		})
	}

	wg.Wait()
	require.Len(t, got, len(all), "every event claimed")
	for id, n := range got {
		assert.Equal(t, 1, n, "event %s claimed more than once", id)
	}

	for stream, revs := range orders {
		assert.Equal(t, []int64{2, 3, 4}, revs, "stream %s in order", stream)
	}
}

// ReleaseRace appends 20 events on 20 streams through a and has 4
// claimers, alternating between a and b, claim them concurrently and give
// each back twice before delivering it. No event may be held by two
// claimers at once, every release must find its lease (leases outlast the
// test), and every event must be delivered once, claimed with Attempts 1
// each time: a release takes back its claim's attempt.
func ReleaseRace(t *testing.T, a, b OutboxStore) {
	t.Helper()
	var all []session.OutboxEvent
	for s := range 20 {
		all = append(all, outboxEvent("partner-a", fmt.Sprintf("s%02d", s), 2, 0))
	}

	appendEvents(t, a, all...)
	var (
		mu        sync.Mutex
		held      = map[string]string{}
		released  = map[string]int{}
		delivered = map[string]int{}
		wg        sync.WaitGroup
	)
	for i := range 4 {
		st := []OutboxStore{a, b}[i%2]
		wg.Go(func() {
			owner := fmt.Sprintf("claimer-%d", i)
			for range 400 {
				list, err := st.ClaimDeliveries(context.Background(), session.ClaimQuery{
					Owner: owner, Partners: []string{"partner-a"}, Now: at(1),
					LeaseUntil: at(60), Limit: 3})
				if !assert.NoError(t, err) {
					return
				}

				for _, d := range list {
					raceStep(t, st, d, &mu, held, released, delivered)
				}

				mu.Lock()
				finished := len(delivered) == len(all)
				mu.Unlock()
				if finished {
					return
				}
			}
		})
	}

	wg.Wait()
	require.Len(t, delivered, len(all), "every event delivered")
	for id, n := range delivered {
		assert.Equal(t, 1, n, "event %s delivered more than once", id)
		assert.Equal(t, 2, released[id], "event %s given back twice", id)
	}
}

// raceStep handles one claim of ReleaseRace: it gives the event back
// until it was given back twice, then delivers it.
func raceStep(t *testing.T, st OutboxStore, d session.Delivery, mu *sync.Mutex,
	held map[string]string, released, delivered map[string]int) {
	id := d.Event.ID
	mu.Lock()
	other, taken := held[id]
	held[id] = d.LeaseOwner
	release := released[id] < 2
	if release {
		released[id]++
	}
	mu.Unlock()

	assert.False(t, taken, "event %s claimed by %s while %s holds it", id, d.LeaseOwner, other)
	assert.Equal(t, 1, d.Attempts, "event %s: released claims are not counted", id)

	// Forget the holder before the store does: once the release or the
	// record commits, another claimer may take the event.
	mu.Lock()
	delete(held, id)
	if !release {
		delivered[id]++
	}
	mu.Unlock()

	if release {
		assert.NoError(t, st.ReleaseClaim(context.Background(), id, d.LeaseOwner, d.LeaseUntil))
		return
	}

	r := session.AttemptResult{EventID: id, Owner: d.LeaseOwner, At: at(1), Delivered: true}
	assert.NoError(t, st.RecordAttempt(context.Background(), r))
}
