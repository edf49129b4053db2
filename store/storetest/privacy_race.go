package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/session"
)

// EraseRaceRounds is how many deletions testEraseRace runs, each racing
// launches and a completion of the same learner. Raise it (run the test
// with -count) to hunt a rare interleaving.
const EraseRaceRounds = 25

// testEraseRace deletes a learner while, at the same moment, the learner
// launches into the other case (a new session), relaunches into the first
// (the open session resumed) and completes the first session (outbox
// events naming the learner). Odd rounds keep anonymous aggregates.
//
// The invariant, checked once every call has returned: the learner record
// the deletion found is gone, and every session or pending outbox event
// that names the partner user id belongs to a learner record created after
// the deletion took its lock, that is, one with a different id that is
// still stored. A launch that commits before the deletion is erased with
// the learner; one that waits for it creates a fresh learner. The only
// other event naming the partner user id is the learner.deleted receipt.
func testEraseRace(t *testing.T, st PrivacyStore) {
	w := privacyWorld(t, st, false)
	w.svc.Retries = 100
	for round := range EraseRaceRounds {
		w.svc.Policies = session.StaticPolicies{"partner-a": {StoreLearnerNames: true,
			KeepAnonymousAggregates: round%2 == 1}}
		sub := fmt.Sprintf("race-%d-%s", round, privacySubject)
		eraseRaceRound(t, w, st, sub)
		if t.Failed() {
			return
		}
	}
}

// eraseRaceRound runs one deletion against concurrent work of sub and
// checks the invariant of testEraseRace.
func eraseRaceRound(t *testing.T, w *world, st PrivacyStore, sub string) {
	ctx := context.Background()
	first, err := w.svc.Launch(ctx, newLaunch(sub, "acs-chest-pain"))
	require.NoError(t, err)
	_, err = w.svc.Start(ctx, "partner-a", first.Session.ID)
	require.NoError(t, err)

	var receipt session.DeletionReceipt
	var eraseErr error
	calls := []func() error{
		func() error {
			receipt, eraseErr = w.svc.DeleteLearner(ctx, "partner-a", sub)
			return nil
		},
		func() error {
			_, err := w.svc.Launch(ctx, newLaunch(sub, "heart-failure"))
			return err
		},
		func() error {
			_, err := w.svc.Launch(ctx, newLaunch(sub, "acs-chest-pain"))
			return err
		},
		func() error {
			_, err := w.svc.Complete(ctx, "partner-a", first.Session.ID,
				session.Completion{Input: ptr(caseAInput())})
			return err
		},
	}

	errs := make([]error, len(calls))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, call := range calls {
		wg.Go(func() {
			<-start
			errs[i] = call()
		})
	}
	close(start)
	wg.Wait()

	require.NoError(t, eraseErr, "the deletion never fails")
	for _, err := range errs {
		if err != nil && !errors.Is(err, session.ErrNotFound) &&
			!errors.Is(err, session.ErrConflict) {
			t.Errorf("%s: unexpected error: %v", sub, err)
		}
	}

	checkEraseRace(t, st, sub, first.Learner.ID, receipt)
}

// checkEraseRace checks the invariant of testEraseRace after one round.
func checkEraseRace(t *testing.T, st PrivacyStore, sub, erased string,
	receipt session.DeletionReceipt) {
	ctx := context.Background()
	assert.Equal(t, erased, receipt.LearnerID, "%s: the deletion found the learner", sub)
	live := ""
	if l, err := st.GetLearnerBySubject(ctx, "partner-a", sub); err == nil {
		live = l.ID
	} else {
		require.ErrorIs(t, err, session.ErrNotFound)
	}

	assert.NotEqual(t, erased, live, "%s: the erased learner record is gone", sub)
	mine := map[string]bool{}
	for _, s := range allSessions(t, st) {
		assert.NotEqual(t, erased, s.LearnerID, "%s: session %s of the erased learner",
			sub, s.ID)
		if s.PartnerUserID != sub {
			continue
		}

		assert.Equal(t, live, s.LearnerID,
			"%s: session %s names the partner user id without a learner", sub, s.ID)
		mine[s.ID] = true
	}

	for _, e := range drain(t, st, at(1)) {
		if !bytes.Contains(e.Payload, []byte(sub)) ||
			e.Type == session.EventTypeLearnerDeleted {
			continue
		}

		assert.True(t, mine[e.SessionID], "%s: %s event of session %s outlived the deletion",
			sub, e.Type, e.SessionID)
	}
}

// testPurgeRace purges ended sessions while they are regraded: once the
// purge has deleted a session, no outbox event of it survives (a regrade
// committed first has its event deleted with the session; one that comes
// later fails).
func testPurgeRace(t *testing.T, st PrivacyStore) {
	ctx := context.Background()
	w := privacyWorld(t, st, false)
	w.svc.Retries = 100
	w.svc.Policies = session.StaticPolicies{"partner-a": {Retention: session.Retention{
		Sessions: keepSessions}}}
	now := at(0).Add(90 * 24 * time.Hour)
	for round := range EraseRaceRounds {
		w.clock.Set(now.Add(-keepSessions - time.Hour))
		res, err := w.svc.Launch(ctx, newLaunch(fmt.Sprintf("purge-race-%d", round),
			"acs-chest-pain"))
		require.NoError(t, err)
		_, err = w.svc.Start(ctx, "partner-a", res.Session.ID)
		require.NoError(t, err)
		_, err = w.svc.Complete(ctx, "partner-a", res.Session.ID,
			session.Completion{Input: ptr(caseAInput())})
		require.NoError(t, err)
		drain(t, st, w.clock.Now())

		w.clock.Set(now)
		var regradeErr, purgeErr error
		start := make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() {
			<-start
			_, regradeErr = w.svc.Regrade(ctx, "partner-a", res.Session.ID,
				session.Completion{Input: ptr(caseAInput())})
		})
		wg.Go(func() {
			<-start
			_, purgeErr = w.svc.Purge(ctx)
		})
		close(start)
		wg.Wait()

		require.NoError(t, purgeErr)
		if regradeErr != nil {
			require.ErrorIs(t, regradeErr, session.ErrNotFound)
		}

		_, err = st.GetSession(ctx, "partner-a", res.Session.ID)
		require.ErrorIs(t, err, session.ErrNotFound, "the session is purged")
		for _, e := range drain(t, st, now) {
			assert.NotEqual(t, res.Session.ID, e.SessionID,
				"round %d: %s event of a purged session", round, e.Type)
		}

		if t.Failed() {
			return
		}
	}
}
