package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/launch"
	"github.com/virtualaipatient/integration/session"
)

// clock is a settable clock for services under test.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()

	return c.now
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()

	c.now = t
}

// world is a store seeded through a service: two published cases, a case
// set of both, and cohort "cohort-1" of partner "partner-a".
type world struct {
	st    session.Store
	svc   *session.Service
	clock *clock
}

func newWorld(t *testing.T, st session.Store) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{st: st, clock: &clock{now: at(0)}}
	w.svc = w.service()
	for _, id := range []string{"acs-chest-pain", "heart-failure"} {
		_, err := w.svc.PutCase(ctx, session.Case{ID: id, Title: "Case " + id})
		require.NoError(t, err)
		_, err = w.svc.PublishCaseVersion(ctx, fixtureVersion(id, 1, 0))
		require.NoError(t, err)
	}

	_, err := w.svc.PutCaseSet(ctx, session.CaseSet{ID: "cardio-block", Title: "Cardio",
		Sequencing: session.SequencingSequential,
		Cases:      []session.CaseRef{{CaseID: "acs-chest-pain"}, {CaseID: "heart-failure"}}})
	require.NoError(t, err)
	_, err = w.svc.PutCohort(ctx, session.Cohort{PartnerID: "partner-a", ID: "cohort-1"})
	require.NoError(t, err)

	return w
}

// service returns another service on the same store and clock.
func (w *world) service() *session.Service {
	svc := session.New(w.st)
	svc.Now = w.clock.Now
	return svc
}

func newLaunch(sub, caseID string) launch.Launch {
	return launch.Launch{
		PartnerID: "partner-a", Issuer: "https://lms.example", TokenID: uuid.NewString(),
		ExpiresAt: at(5), Subject: sub, Name: "Dr Example", Role: launch.RoleLearner,
		CohortID: "cohort-1", CaseID: caseID,
	}
}

func testService(t *testing.T, open Opener) {
	t.Run("LaunchLifecycle", func(t *testing.T) { testLaunchLifecycle(t, open) })
	t.Run("LaunchErrors", func(t *testing.T) { testLaunchErrors(t, open) })
	t.Run("Relaunch", func(t *testing.T) { testRelaunch(t, open) })
	t.Run("CaseSet", func(t *testing.T) { testCaseSetLaunch(t, open) })
	t.Run("AdHocYields", func(t *testing.T) { testAdHocYields(t, open) })
	t.Run("Sweep", func(t *testing.T) { testSweep(t, open) })
}

func testLaunchLifecycle(t *testing.T, open Opener) {
	ctx := context.Background()
	w := newWorld(t, open(t))
	res, err := w.svc.Launch(ctx, newLaunch("sub-1", "acs-chest-pain"))
	require.NoError(t, err)
	assert.True(t, res.AssignmentCreated, "ad-hoc assignment by default")
	assert.Empty(t, res.Learner.Name, "names are not stored by default")
	ss := res.Session
	assert.Equal(t, 1, ss.Attempt)
	assert.Equal(t, "1.0", ss.CaseVersion)
	assert.Equal(t, session.StatusCreated, ss.Status)

	steps := []struct {
		name   string
		minute int
		do     func(id string) (session.Session, error)
		want   session.Status
	}{
		{name: "start", minute: 1, want: session.StatusInProgress,
			do: func(id string) (session.Session, error) { return w.svc.Start(ctx, "partner-a", id) }},
		{name: "suspend", minute: 11, want: session.StatusSuspended,
			do: func(id string) (session.Session, error) { return w.svc.Suspend(ctx, "partner-a", id) }},
		{name: "resume", minute: 41, want: session.StatusInProgress,
			do: func(id string) (session.Session, error) { return w.svc.Resume(ctx, "partner-a", id) }},
		{name: "complete", minute: 46, want: session.StatusCompleted,
			do: func(id string) (session.Session, error) {
				in := caseAInput()
				return w.svc.Complete(ctx, "partner-a", id, session.Completion{Input: &in})
			}},
	}
	for i, step := range steps {
		w.clock.Set(at(step.minute))
		got, err := step.do(ss.ID)
		require.NoError(t, err, step.name)
		assert.Equal(t, step.want, got.Status, step.name)
		assert.Equal(t, int64(i+2), got.Revision, step.name)
	}

	got, err := w.st.GetSession(ctx, "partner-a", ss.ID)
	require.NoError(t, err)
	assert.Equal(t, 15*time.Minute, got.ActiveDuration, "suspension excluded")
	assert.Equal(t, session.GradingFullyGraded, got.GradingStatus)
	require.NotNil(t, got.Score)
	assert.InDelta(t, 0.7675, got.Score.Scaled, 1e-9)
	assert.Equal(t, at(46), got.EndedAt)

	_, err = w.svc.Resume(ctx, "partner-a", ss.ID)
	var te *session.TransitionError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, session.StatusCompleted, te.From)
	assert.Equal(t, session.EventResume, te.Event)

	regraded, err := w.svc.Regrade(ctx, "partner-a", ss.ID, session.Completion{Input: ptr(caseAInput())})
	require.NoError(t, err)
	assert.Equal(t, 2, regraded.ScoreRevision)
}

func ptr[T any](v T) *T { return &v }

func testLaunchErrors(t *testing.T, open Opener) {
	ctx := context.Background()
	closed := fixtureAssignment("partner-a", "", "cohort-1", "acs-chest-pain")
	future := closed
	future.OpensAt, future.ClosesAt = at(60), at(120)
	closed.OpensAt, closed.ClosesAt = at(-60), at(-1)
	tests := []struct {
		name    string
		policy  session.Policy
		assign  []session.Assignment
		prior   int
		mutate  func(*launch.Launch)
		wantErr error
	}{
		{name: "unknown cohort", wantErr: session.ErrUnknownCohort,
			mutate: func(l *launch.Launch) { l.CohortID = "cohort-x" }},
		{name: "cohort of other partner", wantErr: session.ErrUnknownCohort,
			mutate: func(l *launch.Launch) { l.PartnerID = "partner-b" }},
		{name: "not assigned, ad-hoc disabled", wantErr: session.ErrNotAssigned,
			policy: session.Policy{AdHocDisabled: true}},
		{name: "unknown case", wantErr: session.ErrUnknownCase,
			mutate: func(l *launch.Launch) { l.CaseID = "no-such-case" }},
		{name: "not open yet", wantErr: session.ErrNotOpen, assign: []session.Assignment{future}},
		{name: "closed", wantErr: session.ErrClosed, assign: []session.Assignment{closed}},
		{name: "no case, no assignment", wantErr: session.ErrChooseCase,
			mutate: func(l *launch.Launch) { l.CaseID = "" }},
		{name: "missing subject", wantErr: session.ErrInvalidLaunch,
			mutate: func(l *launch.Launch) { l.Subject = "" }},
		{name: "attempts exhausted", wantErr: session.ErrAttemptsExhausted, prior: 1,
			assign: []session.Assignment{withMax(1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, open(t))
			w.svc.Policies = session.StaticPolicies{"partner-a": tt.policy}
			for _, a := range tt.assign {
				_, err := w.svc.PutAssignment(ctx, a)
				require.NoError(t, err)
			}

			for range tt.prior {
				quitAttempt(t, w)
			}

			l := newLaunch("sub-1", "acs-chest-pain")
			if tt.mutate != nil {
				tt.mutate(&l)
			}

			before := learnerSessions(t, w.st, "sub-1")
			_, err := w.svc.Launch(ctx, l)
			require.ErrorIs(t, err, tt.wantErr)
			assert.Equal(t, before, learnerSessions(t, w.st, "sub-1"), "no session written")
			if tt.prior == 0 {
				_, err := w.st.GetLearnerBySubject(ctx, "partner-a", "sub-1")
				require.ErrorIs(t, err, session.ErrNotFound, "no learner written")
			}

			if l.Issuer != "" && l.TokenID != "" {
				tok := session.ConsumedToken{Issuer: l.Issuer, TokenID: l.TokenID, ExpiresAt: at(5)}
				require.NoError(t, w.st.ConsumeToken(ctx, tok), "token not consumed")
			}
		})
	}
}

// quitAttempt launches, starts and quits an attempt of sub-1.
func quitAttempt(t *testing.T, w *world) {
	t.Helper()
	ctx := context.Background()
	res, err := w.svc.Launch(ctx, newLaunch("sub-1", "acs-chest-pain"))
	require.NoError(t, err)
	_, err = w.svc.Start(ctx, "partner-a", res.Session.ID)
	require.NoError(t, err)
	_, err = w.svc.Abandon(ctx, "partner-a", res.Session.ID, session.EndQuit)
	require.NoError(t, err)
}

func withMax(n int) session.Assignment {
	a := fixtureAssignment("partner-a", "", "cohort-1", "acs-chest-pain")
	a.OpensAt, a.ClosesAt, a.MaxAttempts = time.Time{}, time.Time{}, n
	return a
}

// learnerSessions returns the ids of the sessions of the partner-a user.
func learnerSessions(t *testing.T, st session.Store, sub string) []string {
	t.Helper()
	ctx := context.Background()
	l, err := st.GetLearnerBySubject(ctx, "partner-a", sub)
	if err != nil {
		require.ErrorIs(t, err, session.ErrNotFound)
		return nil
	}

	list, err := st.ListLearnerSessions(ctx, "partner-a", l.ID)
	require.NoError(t, err)
	return nilIfEmpty(sessionIDs(list))
}

func testRelaunch(t *testing.T, open Opener) {
	ctx := context.Background()
	tests := []struct {
		name         string
		rule         session.RelaunchRule
		wantResumed  bool
		wantAttempt  int
		wantSessions int
	}{
		{name: "resume", rule: session.RelaunchResume, wantResumed: true, wantAttempt: 1,
			wantSessions: 1},
		{name: "supersede", rule: session.RelaunchSupersede, wantAttempt: 2, wantSessions: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, open(t))
			a := withMax(0)
			a.Relaunch = tt.rule
			_, err := w.svc.PutAssignment(ctx, a)
			require.NoError(t, err)

			first, err := w.svc.Launch(ctx, newLaunch("sub-1", "acs-chest-pain"))
			require.NoError(t, err)
			_, err = w.svc.Start(ctx, "partner-a", first.Session.ID)
			require.NoError(t, err)

			second, err := w.svc.Launch(ctx, newLaunch("sub-1", "acs-chest-pain"))
			require.NoError(t, err)
			assert.Equal(t, tt.wantResumed, second.Resumed)
			assert.Equal(t, tt.wantAttempt, second.Session.Attempt)
			assert.Len(t, learnerSessions(t, w.st, "sub-1"), tt.wantSessions)
			if tt.rule != session.RelaunchSupersede {
				return
			}

			old, err := w.st.GetSession(ctx, "partner-a", first.Session.ID)
			require.NoError(t, err)
			assert.Equal(t, session.StatusAbandoned, old.Status)
			assert.Equal(t, session.EndSuperseded, old.EndReason)
			assert.Equal(t, first.Session.ID, second.SupersededID)
		})
	}
}

func testCaseSetLaunch(t *testing.T, open Opener) {
	ctx := context.Background()
	w := newWorld(t, open(t))
	_, err := w.svc.PutAssignment(ctx, session.Assignment{PartnerID: "partner-a",
		CohortID: "cohort-1", CaseSetID: "cardio-block"})
	require.NoError(t, err)

	l := newLaunch("sub-1", "")
	first, err := w.svc.Launch(ctx, l)
	require.NoError(t, err, "the single open assignment")
	assert.Equal(t, "acs-chest-pain", first.Session.CaseID)
	assert.Equal(t, "cardio-block", first.Session.CaseSetID)

	l = newLaunch("sub-1", "heart-failure")
	l.CaseSetID = "cardio-block"
	_, err = w.svc.Launch(ctx, l)
	require.ErrorIs(t, err, session.ErrOutOfSequence)

	_, err = w.svc.Start(ctx, "partner-a", first.Session.ID)
	require.NoError(t, err)
	_, err = w.svc.Complete(ctx, "partner-a", first.Session.ID, session.Completion{})
	require.NoError(t, err)

	second, err := w.svc.Launch(ctx, newLaunch("sub-1", ""))
	require.NoError(t, err)
	assert.Equal(t, "heart-failure", second.Session.CaseID, "next in sequence")
	_, err = w.svc.Void(ctx, "partner-a", second.Session.ID, session.EndAdmin)
	require.NoError(t, err)
}

func testSweep(t *testing.T, open Opener) {
	ctx := context.Background()
	w := newWorld(t, open(t))
	launchAt := func(sub string, minute int, start bool) session.Session {
		w.clock.Set(at(minute))
		res, err := w.svc.Launch(ctx, newLaunch(sub, "acs-chest-pain"))
		require.NoError(t, err)
		if !start {
			return res.Session
		}

		ss, err := w.svc.Start(ctx, "partner-a", res.Session.ID)
		require.NoError(t, err)
		return ss
	}
	idle := launchAt("sub-idle", 0, true)
	busy := launchAt("sub-busy", 0, true)
	unused := launchAt("sub-unused", 0, false)
	fresh := launchAt("sub-fresh", 24*60-10, false)
	w.clock.Set(at(25))
	_, err := w.svc.RecordActivity(ctx, "partner-a", busy.ID)
	require.NoError(t, err)

	w.clock.Set(at(50))
	res, err := w.svc.Sweep(ctx)
	require.NoError(t, err)
	assert.Equal(t, session.SweepResult{Abandoned: 1}, withoutTokens(res))

	w.clock.Set(at(24*60 + 20))
	res, err = w.svc.Sweep(ctx)
	require.NoError(t, err)
	assert.Equal(t, session.SweepResult{Abandoned: 1, Voided: 1}, withoutTokens(res))

	tests := []struct {
		name   string
		id     string
		status session.Status
		reason session.EndReason
		active time.Duration
	}{
		{name: "idle", id: idle.ID, status: session.StatusAbandoned,
			reason: session.EndInactivity},
		{name: "busy until 25", id: busy.ID, status: session.StatusAbandoned,
			reason: session.EndInactivity, active: 25 * time.Minute},
		{name: "unused", id: unused.ID, status: session.StatusVoided,
			reason: session.EndNotStarted},
		{name: "fresh", id: fresh.ID, status: session.StatusCreated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := w.st.GetSession(ctx, "partner-a", tt.id)
			require.NoError(t, err)
			assert.Equal(t, tt.status, got.Status)
			assert.Equal(t, tt.reason, got.EndReason)
			assert.Equal(t, tt.active, got.ActiveDuration)
		})
	}
}

// withoutTokens drops the purge count, which depends on the store being a
// TokenPurger.
func withoutTokens(r session.SweepResult) session.SweepResult {
	r.TokensPurged = 0
	return r
}
