package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/launch"
	"github.com/virtualaipatient/integration/session"
)

// keepLearnersLong is the learner retention of the tests of purged
// attempts: far longer than the session retention, so the learner stays
// when its sessions go.
const keepLearnersLong = 2000 * 24 * time.Hour

// attemptsWorld is a world whose partner keeps sessions for keepSessions
// and learners for learners, with a registered assignment of
// acs-chest-pain allowing max attempts; it returns the assignment too.
func attemptsWorld(t *testing.T, st PrivacyStore, learners time.Duration, max int) (
	*world, session.Assignment) {
	w := newWorld(t, st)
	w.svc.Policies = session.StaticPolicies{"partner-a": {Retention: session.Retention{
		Sessions: keepSessions, Learners: learners}}}
	a, err := w.svc.PutAssignment(context.Background(), withMax(max))
	require.NoError(t, err)

	return w, a
}

// purgeAt purges with the clock at now and returns what went.
func purgeAt(t *testing.T, w *world, now time.Time) session.PurgeResult {
	w.clock.Set(now)
	res, err := w.svc.Purge(context.Background())
	require.NoError(t, err)

	return res
}

// listPurged returns the records of purged attempts of the partner-a
// learner, read in a transaction.
func listPurged(t *testing.T, st session.Store, learnerID string) []session.PurgedAttempts {
	ctx := context.Background()
	var list []session.PurgedAttempts
	require.NoError(t, st.WithTx(ctx, func(tx session.Tx) error {
		lister, ok := tx.(session.PurgedAttemptLister)
		require.True(t, ok, "transactions implement session.PurgedAttemptLister")
		var err error
		list, err = lister.ListPurgedAttempts(ctx, "partner-a", learnerID)
		return err
	}))

	return list
}

// learnerID returns our id of the partner-a user sub.
func learnerID(t *testing.T, st session.Store, sub string) string {
	l, err := st.GetLearnerBySubject(context.Background(), "partner-a", sub)
	require.NoError(t, err)

	return l.ID
}

// testRetentionKeepsAttempts purges a learner's ended sessions while the
// learner is kept: the next launch carries on the attempt numbers, and
// the purged attempts still count against max attempts.
func testRetentionKeepsAttempts(t *testing.T, st PrivacyStore) {
	ctx := context.Background()
	w, asg := attemptsWorld(t, st, keepLearnersLong, 3)
	now := at(0).Add(90 * 24 * time.Hour)
	endedSession(t, w, "sub-1", now.Add(-keepSessions-2*time.Hour))
	endedSession(t, w, "sub-1", now.Add(-keepSessions-time.Hour))

	res := purgeAt(t, w, now)
	require.Equal(t, 2, res.Sessions)
	require.Zero(t, res.Learners, "the learner is kept")
	require.Empty(t, learnerSessions(t, st, "sub-1"))
	id := learnerID(t, st, "sub-1")
	record := session.PurgedAttempts{PartnerID: "partner-a", LearnerID: id,
		AssignmentID: asg.ID, CaseID: "acs-chest-pain", LastAttempt: 2, Counted: 2,
		Completed: 2}
	assert.Equal(t, []session.PurgedAttempts{record}, listPurged(t, st, id))

	third, err := w.svc.Launch(ctx, newLaunch("sub-1", "acs-chest-pain"))
	require.NoError(t, err)
	assert.Equal(t, 3, third.Session.Attempt, "attempt numbers carry on past the purge")
	_, err = w.svc.Start(ctx, "partner-a", third.Session.ID)
	require.NoError(t, err)
	_, err = w.svc.Complete(ctx, "partner-a", third.Session.ID, session.Completion{})
	require.NoError(t, err)
	_, err = w.svc.Launch(ctx, newLaunch("sub-1", "acs-chest-pain"))
	require.ErrorIs(t, err, session.ErrAttemptsExhausted, "two purged attempts and one kept")

	// The third attempt is purged too: the record adds it up.
	res = purgeAt(t, w, now.Add(keepSessions+time.Hour))
	require.Equal(t, 1, res.Sessions)
	record.LastAttempt, record.Counted, record.Completed = 3, 3, 3
	assert.Equal(t, []session.PurgedAttempts{record}, listPurged(t, st, id))
	_, err = w.svc.Launch(ctx, newLaunch("sub-1", "acs-chest-pain"))
	require.ErrorIs(t, err, session.ErrAttemptsExhausted, "three purged attempts")

	other, err := w.svc.Launch(ctx, newLaunch("sub-1", "heart-failure"))
	require.NoError(t, err)
	assert.Equal(t, 1, other.Session.Attempt, "another case counts on its own")
}

// testRetentionAttemptKinds purges one attempt ended in each way and
// checks what its record counts.
func testRetentionAttemptKinds(t *testing.T, open PrivacyOpener) {
	ctx := context.Background()
	tests := []struct {
		name    string
		preview bool
		end     func(w *world, id string) error
		// want is the record's LastAttempt, Counted and Completed.
		want        [3]int
		wantErr     error
		wantAttempt int
	}{
		{name: "completed", want: [3]int{1, 1, 1}, wantErr: session.ErrAttemptsExhausted,
			end: func(w *world, id string) error {
				_, err := w.svc.Complete(ctx, "partner-a", id, session.Completion{})
				return err
			}},
		{name: "abandoned", want: [3]int{1, 1, 0}, wantErr: session.ErrAttemptsExhausted,
			end: func(w *world, id string) error {
				_, err := w.svc.Abandon(ctx, "partner-a", id, session.EndQuit)
				return err
			}},
		{name: "voided", want: [3]int{1, 0, 0}, wantAttempt: 2,
			end: func(w *world, id string) error {
				_, err := w.svc.Void(ctx, "partner-a", id, session.EndAdmin)
				return err
			}},
		{name: "preview", preview: true, want: [3]int{1, 0, 0}, wantAttempt: 2,
			end: func(w *world, id string) error {
				_, err := w.svc.Complete(ctx, "partner-a", id, session.Completion{})
				return err
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := open(t)
			w, asg := attemptsWorld(t, st, keepLearnersLong, 1)
			now := at(0).Add(90 * 24 * time.Hour)
			w.clock.Set(now.Add(-keepSessions - time.Hour))
			l := newLaunch("sub-1", "acs-chest-pain")
			if tt.preview {
				l.Role = launch.RoleInstructor
			}

			first, err := w.svc.Launch(ctx, l)
			require.NoError(t, err)
			_, err = w.svc.Start(ctx, "partner-a", first.Session.ID)
			require.NoError(t, err)
			require.NoError(t, tt.end(w, first.Session.ID))
			require.Equal(t, 1, purgeAt(t, w, now).Sessions)

			id := learnerID(t, st, "sub-1")
			assert.Equal(t, []session.PurgedAttempts{{PartnerID: "partner-a", LearnerID: id,
				AssignmentID: asg.ID, CaseID: "acs-chest-pain", LastAttempt: tt.want[0],
				Counted: tt.want[1], Completed: tt.want[2]}}, listPurged(t, st, id))

			next, err := w.svc.Launch(ctx, newLaunch("sub-1", "acs-chest-pain"))
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr, "max attempts 1 counts the purged attempt")
				return
			}

			require.NoError(t, err)
			assert.Equal(t, tt.wantAttempt, next.Session.Attempt)
		})
	}
}

// testRetentionKeepsSequence purges the completed first case of a
// sequential case set allowing one attempt per case: the learner goes on
// to the second case instead of being held at the first.
func testRetentionKeepsSequence(t *testing.T, st PrivacyStore) {
	ctx := context.Background()
	w := newWorld(t, st)
	w.svc.Policies = session.StaticPolicies{"partner-a": {Retention: session.Retention{
		Sessions: keepSessions, Learners: keepLearnersLong}}}
	_, err := w.svc.PutAssignment(ctx, session.Assignment{PartnerID: "partner-a",
		CohortID: "cohort-1", CaseSetID: "cardio-block", MaxAttempts: 1})
	require.NoError(t, err)
	now := at(0).Add(90 * 24 * time.Hour)
	w.clock.Set(now.Add(-keepSessions - time.Hour))
	first, err := w.svc.Launch(ctx, newLaunch("sub-1", ""))
	require.NoError(t, err)
	require.Equal(t, "acs-chest-pain", first.Session.CaseID)
	_, err = w.svc.Start(ctx, "partner-a", first.Session.ID)
	require.NoError(t, err)
	_, err = w.svc.Complete(ctx, "partner-a", first.Session.ID, session.Completion{})
	require.NoError(t, err)
	require.Equal(t, 1, purgeAt(t, w, now).Sessions)

	next, err := w.svc.Launch(ctx, newLaunch("sub-1", ""))
	require.NoError(t, err)
	assert.Equal(t, "heart-failure", next.Session.CaseID, "the purged completion counts")
	_, err = w.svc.Void(ctx, "partner-a", next.Session.ID, session.EndAdmin)
	require.NoError(t, err)

	l := newLaunch("sub-1", "acs-chest-pain")
	l.CaseSetID = "cardio-block"
	_, err = w.svc.Launch(ctx, l)
	assert.ErrorIs(t, err, session.ErrAttemptsExhausted, "the purged attempt counts")
}

// testForgetPurgedAttempts checks that the records of purged attempts go
// with their learner, erased or purged: no table holds the learner id
// then but the learner.deleted receipt, and the partner user's next launch
// is a new learner's attempt 1.
func testForgetPurgedAttempts(t *testing.T, open PrivacyOpener, scan Scanner) {
	ctx := context.Background()
	tests := []struct {
		name     string
		learners time.Duration
		// forget removes the learner after its sessions were purged at
		// now, or leaves it to that purge.
		forget func(t *testing.T, w *world)
	}{
		{name: "erased", learners: keepLearnersLong, forget: func(t *testing.T, w *world) {
			r, err := w.svc.DeleteLearner(ctx, "partner-a", "sub-1")
			require.NoError(t, err)
			assert.Equal(t, 1, r.Counts.Learners)
		}},
		{name: "purged", learners: keepLearners, forget: func(*testing.T, *world) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := open(t)
			w, _ := attemptsWorld(t, st, tt.learners, 3)
			now := at(0).Add(90 * 24 * time.Hour)
			endedSession(t, w, "sub-1", now.Add(-keepSessions-time.Hour))
			endedSession(t, w, "someone-else", now.Add(-keepSessions-time.Hour))
			id, otherID := learnerID(t, st, "sub-1"), learnerID(t, st, "someone-else")
			w.clock.Set(now.Add(-keepSessions))
			_, err := w.svc.Launch(ctx, newLaunch("someone-else", "heart-failure"))
			require.NoError(t, err, "someone-else stays: seen since")

			res := purgeAt(t, w, now)
			require.Equal(t, 2, res.Sessions)
			if tt.learners == keepLearners {
				require.Equal(t, 1, res.Learners, "sub-1, unseen for longer than its period")
			} else {
				require.NotEmpty(t, listPurged(t, st, id))
			}

			tt.forget(t, w)
			assert.Empty(t, listPurged(t, st, id), "the records went with the learner")
			assert.Len(t, listPurged(t, st, otherID), 1, "another learner's record stays")
			if scan != nil {
				for col := range scan(t, st, id) {
					assert.Contains(t, []string{"webhook_outbox.stream", "webhook_outbox.payload"},
						col, "only the learner.deleted receipt names the learner id")
				}

				assert.Equal(t, 1, scan(t, st, otherID)["purged_attempts.learner_id"],
					"the scan reads the records")
			}

			again, err := w.svc.Launch(ctx, newLaunch("sub-1", "acs-chest-pain"))
			require.NoError(t, err)
			assert.NotEqual(t, id, again.Learner.ID)
			assert.Equal(t, 1, again.Session.Attempt, "a new learner starts again")
		})
	}
}

// testPurgeRacesLaunch purges a learner's only attempt, allowed two, while
// the learner launches again: the launch sees the purge whole or not at
// all, so it is attempt 2 and neither fails nor lets a third attempt in.
func testPurgeRacesLaunch(t *testing.T, st PrivacyStore) {
	ctx := context.Background()
	w, _ := attemptsWorld(t, st, keepLearnersLong, 2)
	w.svc.Retries = 100
	now := at(0).Add(90 * 24 * time.Hour)
	for round := range EraseRaceRounds {
		sub := fmt.Sprintf("purge-launch-%d", round)
		endedSession(t, w, sub, now.Add(-keepSessions-time.Hour))
		w.clock.Set(now)

		var launched session.LaunchResult
		var launchErr, purgeErr error
		start := make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() {
			<-start
			launched, launchErr = w.svc.Launch(ctx, newLaunch(sub, "acs-chest-pain"))
		})
		wg.Go(func() {
			<-start
			_, purgeErr = w.svc.Purge(ctx)
		})
		close(start)
		wg.Wait()

		require.NoError(t, purgeErr)
		require.NoError(t, launchErr, "round %d: the second attempt is allowed", round)
		assert.Equal(t, 2, launched.Session.Attempt, "round %d", round)
		_, err := w.svc.Start(ctx, "partner-a", launched.Session.ID)
		require.NoError(t, err)
		_, err = w.svc.Complete(ctx, "partner-a", launched.Session.ID, session.Completion{})
		require.NoError(t, err)
		_, err = w.svc.Launch(ctx, newLaunch(sub, "acs-chest-pain"))
		require.ErrorIs(t, err, session.ErrAttemptsExhausted, "round %d: a third attempt", round)
		if t.Failed() {
			return
		}
	}
}

// testRetentionAttemptsInBulk purges, in one batch, the ended sessions of
// more learners than one statement records: every learner gets its
// record.
func testRetentionAttemptsInBulk(t *testing.T, st PrivacyStore) {
	ctx := context.Background()
	w, _ := attemptsWorld(t, st, keepLearnersLong, 0)
	now := at(0).Add(90 * 24 * time.Hour)
	const learners = 150
	ids := make([]string, 0, learners)
	for i := range learners {
		l, err := st.UpsertLearner(ctx, fixtureLearner("partner-a", fmt.Sprintf("bulk-%d", i)))
		require.NoError(t, err)
		s := fixtureSession("partner-a", l.ID, "acs-chest-pain", i%3+1)
		s.Status, s.GradingStatus = session.StatusCompleted, session.GradingPending
		s.EndedAt = now.Add(-keepSessions - time.Hour)
		require.NoError(t, st.InsertSession(ctx, s))
		ids = append(ids, l.ID)
	}

	require.Equal(t, learners, purgeAt(t, w, now).Sessions)
	for i, id := range ids {
		assert.Equal(t, []session.PurgedAttempts{{PartnerID: "partner-a", LearnerID: id,
			AssignmentID: "assignment-1", CaseID: "acs-chest-pain", LastAttempt: i%3 + 1,
			Counted: 1, Completed: 1}}, listPurged(t, st, id), "learner %d", i)
	}
}
