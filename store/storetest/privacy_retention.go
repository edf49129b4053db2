package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/launch/oidc"
	"github.com/virtualaipatient/integration/reporting"
	"github.com/virtualaipatient/integration/session"
)

// Retention periods of the retention tests.
const (
	keepSessions   = 30 * 24 * time.Hour
	keepLearners   = 7 * 24 * time.Hour
	keepDeliveries = 24 * time.Hour
)

// endedSession launches sub and completes the session at end.
func endedSession(t *testing.T, w *world, sub string, end time.Time) string {
	ctx := context.Background()
	w.clock.Set(end.Add(-time.Minute))
	res, err := w.svc.Launch(ctx, newLaunch(sub, "acs-chest-pain"))
	require.NoError(t, err)
	_, err = w.svc.Start(ctx, "partner-a", res.Session.ID)
	require.NoError(t, err)
	w.clock.Set(end)
	_, err = w.svc.Complete(ctx, "partner-a", res.Session.ID, session.Completion{})
	require.NoError(t, err)

	return res.Session.ID
}

// seenLearner stores a learner without sessions last seen at seen.
func seenLearner(t *testing.T, st session.Store, sub string, seen time.Time) {
	l := fixtureLearner("partner-a", sub)
	l.CreatedAt, l.LastSeenAt = seen, seen
	_, err := st.UpsertLearner(context.Background(), l)
	require.NoError(t, err)
}

func consumeToken(t *testing.T, st session.Store, expires time.Time) string {
	id := uuid.NewString()
	require.NoError(t, st.ConsumeToken(context.Background(), session.ConsumedToken{
		Issuer: "https://lms.example", TokenID: id, PartnerID: "partner-a",
		ExpiresAt: expires, ConsumedAt: expires.Add(-time.Minute)}))
	return id
}

// testRetention checks each period with a fixed clock: data one second
// inside its period stays, data one second outside goes.
func testRetention(t *testing.T, st PrivacyStore) {
	ctx := context.Background()
	w := newWorld(t, st)
	w.svc.Policies = session.StaticPolicies{"partner-a": {Retention: session.Retention{
		Sessions: keepSessions, Learners: keepLearners, Deliveries: keepDeliveries}}}
	now := at(0).Add(90 * 24 * time.Hour)
	sec := time.Second

	oldSession := endedSession(t, w, "sub-old", now.Add(-keepSessions-sec))
	newSession := endedSession(t, w, "sub-new", now.Add(-keepSessions+sec))
	appendEvents(t, st, outboxEvent("partner-a", "stream-x", 1, 0))
	require.Len(t, drain(t, st, now.Add(-keepDeliveries-sec)), 5, "4 session events, 1 more")
	appendEvents(t, st, outboxEvent("partner-a", "stream-x", 2, 0))
	require.Len(t, drain(t, st, now.Add(-keepDeliveries+sec)), 1)
	seenLearner(t, st, "idle-old", now.Add(-keepLearners-sec))
	seenLearner(t, st, "idle-new", now.Add(-keepLearners+sec))
	grace := session.DefaultTokenGrace
	consumeToken(t, st, now.Add(-grace-sec))
	keptToken := consumeToken(t, st, now.Add(-grace+sec))

	w.clock.Set(now)
	res, err := w.svc.Purge(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, res.Sessions)
	assert.Equal(t, 2, res.Learners, "idle-old, and sub-old once its session went")
	assert.Equal(t, 3, res.Tokens, "the two launches' tokens and the old one")
	assert.Equal(t, 3, res.Deliveries,
		"the new session's 2 and stream-x's first; the old session's went with it")

	_, err = st.GetSession(ctx, "partner-a", oldSession)
	assert.ErrorIs(t, err, session.ErrNotFound, "one second outside the period")
	_, err = st.GetSession(ctx, "partner-a", newSession)
	assert.NoError(t, err, "one second inside the period")
	for sub, kept := range map[string]bool{"idle-old": false, "idle-new": true,
		"sub-old": false, "sub-new": true} {
		_, err = st.GetLearnerBySubject(ctx, "partner-a", sub)
		assert.Equal(t, kept, err == nil, sub)
	}

	err = st.ConsumeToken(ctx, session.ConsumedToken{Issuer: "https://lms.example",
		TokenID: keptToken, PartnerID: "partner-a", ExpiresAt: now})
	assert.Error(t, err, "a token inside its grace is still remembered")

	again, err := w.svc.Purge(ctx)
	require.NoError(t, err)
	assert.Zero(t, again, "a second purge finds nothing")
}

// testRetentionBatches purges more rows than one batch holds, and leaves
// other partners to their own periods.
func testRetentionBatches(t *testing.T, st PrivacyStore) {
	ctx := context.Background()
	w := newWorld(t, st)
	w.svc.PurgeBatch = 2
	w.svc.Policies = session.StaticPolicies{"partner-a": {Retention: session.Retention{
		Learners: keepLearners}}}
	now := at(0).Add(60 * 24 * time.Hour)
	for i := range 5 {
		seenLearner(t, st, "a-"+uuid.NewString(), now.Add(-keepLearners-time.Duration(i+1)*time.Hour))
	}

	other := fixtureLearner("partner-b", "b-user")
	other.CreatedAt, other.LastSeenAt = now.Add(-keepLearners-time.Hour),
		now.Add(-keepLearners-time.Hour)
	_, err := st.UpsertLearner(ctx, other)
	require.NoError(t, err)

	w.clock.Set(now)
	res, err := w.svc.Purge(ctx)
	require.NoError(t, err)
	assert.Equal(t, 5, res.Learners, "in batches of two")
	_, err = st.GetLearnerBySubject(ctx, "partner-b", "b-user")
	assert.NoError(t, err, "partner-b keeps learners for the default period")

	partners, err := st.RetentionPartners(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{"partner-b"}, partners)
}

// keepUndelivered is the undelivered retention of the retention tests.
const keepUndelivered = 10 * 24 * time.Hour

// testRetentionUndelivered checks that events never delivered, pending or
// dead, go once they occurred longer than Retention.Undelivered ago, the
// learner.deleted receipt of a partner without a webhook endpoint
// included, and that delivered events are left to their own period.
func testRetentionUndelivered(t *testing.T, st PrivacyStore) {
	ctx := context.Background()
	w := privacyWorld(t, st, false)
	w.svc.Policies = session.StaticPolicies{"partner-a": {StoreLearnerNames: true,
		Retention: session.Retention{Undelivered: keepUndelivered}}}
	now := at(0).Add(60 * 24 * time.Hour)
	old, recent := now.Add(-keepUndelivered-time.Second), now.Add(-keepUndelivered+time.Second)

	// Nobody receives the receipt: it stays pending, naming the learner.
	w.clock.Set(old)
	playSessions(t, w, privacySubject)
	r, err := w.svc.DeleteLearner(ctx, "partner-a", privacySubject)
	require.NoError(t, err)
	require.Equal(t, 1, r.Counts.Learners)

	events := map[string]session.OutboxEvent{}
	for name, occurred := range map[string]time.Time{"pending-old": old,
		"pending-new": recent, "dead-old": old, "dead-new": recent, "delivered-old": old} {
		e := outboxEvent("partner-a", name, 1, 0)
		e.OccurredAt = occurred
		events[name] = e
		appendEvents(t, st, e)
	}

	// One claim round: the dead ones die, the delivered one is delivered,
	// the pending ones (and the receipt) fail and wait.
	later := now.Add(24 * time.Hour)
	claimed := claim(t, st, "d1", recent, 10)
	require.Len(t, claimed, 6)
	for _, d := range claimed {
		res := session.AttemptResult{At: recent, NextAttemptAt: later, Status: 503}
		switch d.Event.Stream {
		case "dead-old", "dead-new":
			res = session.AttemptResult{At: recent, Dead: true, Status: 410}
		case "delivered-old":
			res = session.AttemptResult{At: now.Add(-time.Hour), Delivered: true}
		}

		record(t, st, d, res)
	}

	w.clock.Set(now)
	res, err := w.svc.Purge(ctx)
	require.NoError(t, err)
	assert.Equal(t, 3, res.Undelivered, "the receipt, pending-old and dead-old")
	assert.Zero(t, res.Deliveries, "delivered-old is inside the delivery period")

	dead, err := st.ListDeadDeliveries(ctx, session.DeadQuery{})
	require.NoError(t, err)
	assert.Equal(t, []string{events["dead-new"].ID}, ids(dead))
	pending := claim(t, st, "d2", later, 10)
	assert.Equal(t, []string{events["pending-new"].ID}, ids(pending),
		"the receipt went with the other old undelivered events")
	delivered, err := st.PurgeDelivered(ctx, later)
	require.NoError(t, err)
	assert.Equal(t, 1, delivered, "the delivered event was left to its own period")
}

// testRetentionFlowsAndCodes checks that expired sign-in flows and
// one-time codes go, and live ones stay. The clock is set a year ahead
// of the wall clock, so that no store drops the codes on its own first.
func testRetentionFlowsAndCodes(t *testing.T, st PrivacyStore) {
	ctx := context.Background()
	w := newWorld(t, st)
	now := time.Now().UTC().Add(365 * 24 * time.Hour).Truncate(time.Second)
	sec := time.Second
	for state, expires := range map[string]time.Time{"flow-expired": now.Add(-sec),
		"flow-live": now.Add(sec)} {
		require.NoError(t, st.SaveFlow(ctx, oidc.Flow{State: state, PartnerID: "partner-a",
			Nonce: "n", Verifier: "v", ExpiresAt: expires}))
	}

	wantCodes := 0
	if codes, ok := st.(reporting.CodeStore); ok {
		for _, expires := range []time.Time{now.Add(sec), now.Add(-sec)} {
			_, err := codes.Issue(ctx, reporting.CodeGrant{SessionID: uuid.NewString(),
				PartnerID: "partner-a"}, expires)
			require.NoError(t, err)
		}

		wantCodes = 1
	}

	w.clock.Set(now)
	res, err := w.svc.Purge(ctx)
	require.NoError(t, err)
	assert.Equal(t, session.PurgeResult{Flows: 1, Codes: wantCodes}, res)

	_, err = st.TakeFlow(ctx, "flow-live", now)
	assert.NoError(t, err, "a live flow stays")
	_, err = st.TakeFlow(ctx, "flow-expired", now.Add(-time.Minute))
	assert.ErrorIs(t, err, oidc.ErrFlowNotFound, "the expired flow is gone")
}
