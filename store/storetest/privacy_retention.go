package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
