package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/launch/oidc"
	"github.com/virtualaipatient/integration/reporting"
	"github.com/virtualaipatient/integration/session"
)

// PrivacyStore is an outbox store that also deletes learners
// (session.LearnerEraser on its transactions), purges old data
// (session.RetentionStore) and keeps sign-in flows (oidc.FlowStore),
// whose expired ones the purge deletes.
type PrivacyStore interface {
	OutboxStore
	session.RetentionStore
	oidc.FlowStore
}

// PrivacyOpener returns a new, empty privacy store for one test.
type PrivacyOpener func(t *testing.T) PrivacyStore

// Scanner counts, for every table and column of a store's database, the
// rows whose value (read as text) contains needle, and returns the
// non-zero counts keyed "table.column". SQL adapters enumerate their
// tables and columns from the database catalog, so a table added later is
// scanned too.
type Scanner func(t *testing.T, st PrivacyStore, needle string) map[string]int

// RunPrivacy runs the conformance suite of learner deletion and retention
// against stores made by open. With a scan, it also proves that after a
// deletion no table holds the learner's partner user id or name, except
// the learner.deleted receipt until it is delivered and purged.
func RunPrivacy(t *testing.T, open PrivacyOpener, scan Scanner) {
	t.Helper()

	groups := []struct {
		name string
		run  func(t *testing.T, st PrivacyStore)
	}{
		{name: "EraseDeletes", run: testEraseDeletes},
		{name: "EraseAnonymises", run: testEraseAnonymises},
		{name: "EraseRollback", run: testEraseRollback},
		{name: "EraseLeavesNoTrace", run: func(t *testing.T, st PrivacyStore) {
			testEraseNoTrace(t, st, scan)
		}},
		{name: "EraseRacesLaunches", run: testEraseRace},
		{name: "PurgeRacesRegrade", run: testPurgeRace},
		{name: "Retention", run: testRetention},
		{name: "RetentionBatches", run: testRetentionBatches},
		{name: "RetentionUndelivered", run: testRetentionUndelivered},
		{name: "RetentionFlowsAndCodes", run: testRetentionFlowsAndCodes},
		{name: "RetentionKeepsAttempts", run: testRetentionKeepsAttempts},
		{name: "RetentionKeepsSequence", run: testRetentionKeepsSequence},
		{name: "RetentionAttemptsInBulk", run: testRetentionAttemptsInBulk},
		{name: "PurgeRacesLaunch", run: testPurgeRacesLaunch},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) { g.run(t, open(t)) })
	}

	t.Run("RetentionAttemptKinds", func(t *testing.T) { testRetentionAttemptKinds(t, open) })
	t.Run("ForgetPurgedAttempts", func(t *testing.T) {
		testForgetPurgedAttempts(t, open, scan)
	})
}

// Personal data of the learner the privacy tests delete.
const (
	privacySubject = "erase-me-7f3a9c"
	privacyName    = "Dr Erasable Zygmunt"
)

// privacyWorld is a world whose partner stores names, with the webhook
// encoder that puts partner user ids in event bodies.
func privacyWorld(t *testing.T, st PrivacyStore, keep bool) *world {
	w := newWorld(t, st)
	w.svc.Policies = session.StaticPolicies{"partner-a": {StoreLearnerNames: true,
		KeepAnonymousAggregates: keep}}
	w.svc.Events = reporting.WebhookEncoder{}
	return w
}

// playSessions launches sub into both cases; the first is completed and
// scored, the second started. It returns the session ids.
func playSessions(t *testing.T, w *world, sub string) []string {
	ctx := context.Background()
	var ids []string
	for i, caseID := range []string{"acs-chest-pain", "heart-failure"} {
		l := newLaunch(sub, caseID)
		l.Name = "Dr Other Learner"
		if sub == privacySubject {
			l.Name = privacyName
		}
		res, err := w.svc.Launch(ctx, l)
		require.NoError(t, err)
		_, err = w.svc.Start(ctx, "partner-a", res.Session.ID)
		require.NoError(t, err)
		if i == 0 {
			_, err = w.svc.Complete(ctx, "partner-a", res.Session.ID,
				session.Completion{Input: ptr(caseAInput())})
			require.NoError(t, err)
		}

		ids = append(ids, res.Session.ID)
	}

	return ids
}

// allSessions returns every stored session of every partner.
func allSessions(t *testing.T, st session.Store) []session.Session {
	list, err := st.ListIdleSessions(context.Background(), session.IdleQuery{
		Statuses: []session.Status{session.StatusCreated, session.StatusInProgress,
			session.StatusSuspended, session.StatusCompleted, session.StatusAbandoned,
			session.StatusVoided},
		Before: base.Add(100 * 365 * 24 * time.Hour)})
	require.NoError(t, err)
	return list
}

// pendingTypes drains the pending events of partner-a and returns their
// types by stream.
func pendingTypes(t *testing.T, st PrivacyStore, now time.Time) map[string][]session.EventType {
	out := map[string][]session.EventType{}
	for _, e := range drain(t, st, now) {
		out[e.Stream] = append(out[e.Stream], e.Type)
	}

	return out
}

func testEraseDeletes(t *testing.T, st PrivacyStore) {
	ctx := context.Background()
	w := privacyWorld(t, st, false)
	mine := playSessions(t, w, privacySubject)
	other := playSessions(t, w, "someone-else")

	r, err := w.svc.DeleteLearner(ctx, "partner-a", privacySubject)
	require.NoError(t, err)
	assert.Equal(t, session.ErasureCounts{Learners: 1, SessionsDeleted: 2,
		OutboxEvents: 4}, r.Counts, "started, completed, scored, started")
	assert.ElementsMatch(t, mine, r.SessionIDs)
	assert.Equal(t, privacySubject, r.PartnerUserID)
	assert.Equal(t, at(0), r.DeletedAt)

	_, err = st.GetLearnerBySubject(ctx, "partner-a", privacySubject)
	assert.ErrorIs(t, err, session.ErrNotFound)
	for _, id := range mine {
		_, err = st.GetSession(ctx, "partner-a", id)
		assert.ErrorIs(t, err, session.ErrNotFound)
	}

	for _, id := range other {
		_, err = st.GetSession(ctx, "partner-a", id)
		assert.NoError(t, err, "another learner's session is kept")
	}

	pending := pendingTypes(t, st, at(1))
	assert.Equal(t, []session.EventType{session.EventTypeLearnerDeleted},
		pending["learner:"+r.LearnerID])
	assert.Len(t, pending, 3, "the receipt and the other learner's two sessions")

	again, err := w.svc.DeleteLearner(ctx, "partner-a", privacySubject)
	require.NoError(t, err, "deleting twice is harmless")
	assert.Zero(t, again.Counts)
	assert.Empty(t, again.SessionIDs)
	assert.Empty(t, drain(t, st, at(2)), "no second receipt event")
}

func testEraseAnonymises(t *testing.T, st PrivacyStore) {
	ctx := context.Background()
	w := privacyWorld(t, st, true)
	mine := playSessions(t, w, privacySubject)
	playSessions(t, w, "someone-else")

	r, err := w.svc.DeleteLearner(ctx, "partner-a", privacySubject)
	require.NoError(t, err)
	assert.Equal(t, session.ErasureCounts{Learners: 1, SessionsAnonymised: 2,
		OutboxEvents: 4}, r.Counts)

	var kept []session.Session
	for _, s := range allSessions(t, st) {
		assert.NotEqual(t, privacySubject, s.PartnerUserID)
		assert.NotContains(t, mine, s.ID, "anonymised sessions get new ids")
		assert.NotEqual(t, r.LearnerID, s.LearnerID)
		if s.PartnerUserID == "" {
			kept = append(kept, s)
		}
	}

	require.Len(t, kept, 2)
	assert.Equal(t, kept[0].LearnerID, kept[1].LearnerID, "one tombstone per learner")
	assert.ElementsMatch(t, []session.Status{session.StatusCompleted,
		session.StatusInProgress}, []session.Status{kept[0].Status, kept[1].Status})
	for _, s := range kept {
		_, err = st.GetSession(ctx, "partner-a", s.ID)
		assert.NoError(t, err)
	}

	// The open anonymised session ends by the inactivity sweep, and the
	// partner is never told: an event would tie its new id to the erased
	// one by its case and times.
	drain(t, st, at(1))
	w.clock.Set(at(24*60 + 20))
	res, err := w.svc.Sweep(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, res.Abandoned, "both learners' open sessions")
	for _, e := range drain(t, st, at(24*60+21)) {
		for _, s := range kept {
			assert.NotEqual(t, s.ID, e.Stream, "an event about an anonymised session")
		}
	}
}

func testEraseRollback(t *testing.T, st PrivacyStore) {
	ctx := context.Background()
	w := privacyWorld(t, st, false)
	mine := playSessions(t, w, privacySubject)

	errStop := assert.AnError
	err := st.WithTx(ctx, func(tx session.Tx) error {
		eraser, ok := tx.(session.LearnerEraser)
		require.True(t, ok, "transactions implement session.LearnerEraser")
		er, err := eraser.EraseLearner(ctx, "partner-a", privacySubject, session.ErasePolicy{})
		require.NoError(t, err)
		require.Equal(t, 1, er.Counts.Learners)
		return errStop
	})
	require.ErrorIs(t, err, errStop)

	l, err := st.GetLearnerBySubject(ctx, "partner-a", privacySubject)
	require.NoError(t, err, "a rolled-back erasure leaves the learner")
	assert.Equal(t, privacyName, l.Name)
	for _, id := range mine {
		_, err = st.GetSession(ctx, "partner-a", id)
		assert.NoError(t, err)
	}

	assert.Equal(t, 4, len(drain(t, st, at(1))), "the events are still there")
}

// testEraseNoTrace scans every table for the partner user id and the name
// before and after a deletion.
func testEraseNoTrace(t *testing.T, st PrivacyStore, scan Scanner) {
	if scan == nil {
		t.Skip("no table scanner for this store")
	}

	ctx := context.Background()
	w := privacyWorld(t, st, false)
	mine := playSessions(t, w, privacySubject)
	playSessions(t, w, "someone-else")
	codes := issueCodes(t, st, mine)

	before := scan(t, st, privacySubject)
	require.Equal(t, 1, before["learners.subject"])
	require.Equal(t, 1, scan(t, st, privacyName)["learners.name"])

	r, err := w.svc.DeleteLearner(ctx, "partner-a", privacySubject)
	require.NoError(t, err)
	assert.Equal(t, before["learners.subject"], r.Counts.Learners)
	assert.Equal(t, before["sessions.partner_user_id"], r.Counts.SessionsDeleted)
	assert.Equal(t, before["webhook_outbox.payload"], r.Counts.OutboxEvents)
	assert.Equal(t, codes, r.Counts.LaunchCodes)

	assert.Empty(t, scan(t, st, privacyName), "the name is nowhere")
	assert.Equal(t, map[string]int{"webhook_outbox.payload": 1}, scan(t, st, privacySubject),
		"only the receipt, which the partner needs to match, names the learner")

	// Once delivered and past the delivery retention, the receipt goes too.
	drain(t, st, at(1))
	w.clock.Set(at(1).Add(session.DefaultDeliveryRetention + time.Minute))
	_, err = w.svc.Purge(ctx)
	require.NoError(t, err)
	assert.Empty(t, scan(t, st, privacySubject), "the partner user id is nowhere")
}

// issueCodes issues one-time launch codes for the sessions when the store
// keeps them, and returns how many it issued.
func issueCodes(t *testing.T, st PrivacyStore, sessionIDs []string) int {
	codes, ok := st.(reporting.CodeStore)
	if !ok {
		return 0
	}

	for _, id := range sessionIDs {
		_, err := codes.Issue(context.Background(),
			reporting.CodeGrant{SessionID: id, PartnerID: "partner-a"}, time.Now().Add(time.Hour))
		require.NoError(t, err)
	}

	return len(sessionIDs)
}
