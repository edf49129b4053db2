package session_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/launch"
	"github.com/virtualaipatient/integration/scoring"
	"github.com/virtualaipatient/integration/session"
	"github.com/virtualaipatient/integration/store/memory"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func referenceRubric() scoring.Rubric {
	hurdle := 0.5
	return scoring.Rubric{
		Domains: []scoring.Domain{
			{Code: "history_taking", MaxPoints: 20, Weight: 30},
			{Code: "physical_exam", MaxPoints: 10, Weight: 15},
			{Code: "diagnostic_reasoning", MaxPoints: 8, Weight: 25},
			{Code: "management", MaxPoints: 10, Weight: 20},
			{Code: "communication", MaxPoints: 12, Weight: 10, Minimum: &hurdle},
		},
		Threshold: 0.7,
		Critical:  scoring.CriticalRule{Action: scoring.CriticalCap, Cap: 0.5},
	}
}

func caseA() *scoring.Input {
	return &scoring.Input{Points: map[string]float64{
		"history_taking": 16, "physical_exam": 7, "diagnostic_reasoning": 6,
		"management": 8, "communication": 9,
	}}
}

// newService returns a service on st with one published case and cohort.
func newService(t testing.TB, st session.Store) *session.Service {
	t.Helper()
	ctx := context.Background()
	svc := session.New(st)
	svc.Now = func() time.Time { return t0 }
	_, err := svc.PutCase(ctx, session.Case{ID: "acs-chest-pain", Title: "Chest pain"})
	require.NoError(t, err)
	_, err = svc.PublishCaseVersion(ctx, session.CaseVersion{
		CaseID: "acs-chest-pain", Major: 1, Rubric: referenceRubric()})
	require.NoError(t, err)
	_, err = svc.PutCohort(ctx, session.Cohort{PartnerID: "partner-a", ID: "cohort-1"})
	require.NoError(t, err)

	return svc
}

func learnerLaunch(sub string) launch.Launch {
	return launch.Launch{
		PartnerID: "partner-a", Issuer: "https://lms.example", TokenID: uuid.NewString(),
		ExpiresAt: t0.Add(5 * time.Minute), Subject: sub, Name: "Dr Example",
		Role: launch.RoleLearner, CohortID: "cohort-1", CaseID: "acs-chest-pain",
	}
}

// staleStore makes the first n UpdateSession calls inside transactions fail
// with ErrStaleRevision, as if a concurrent update had won.
type staleStore struct {
	session.Store
	left atomic.Int32
}

func (s *staleStore) WithTx(ctx context.Context, fn func(tx session.Tx) error) error {
	return s.Store.WithTx(ctx, func(tx session.Tx) error {
		return fn(staleTx{Tx: tx, s: s})
	})
}

type staleTx struct {
	session.Tx
	s *staleStore
}

func (t staleTx) UpdateSession(ctx context.Context, ss session.Session, prev int64) error {
	if t.s.left.Add(-1) >= 0 {
		return session.ErrStaleRevision
	}

	return t.Tx.UpdateSession(ctx, ss, prev)
}

func TestServiceRetriesStaleRevision(t *testing.T) {
	tests := []struct {
		name    string
		stale   int32
		wantErr error
	}{
		{name: "no conflict", stale: 0},
		{name: "two conflicts retried", stale: 2},
		{name: "conflicts beyond retries", stale: 100, wantErr: session.ErrConflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			st := &staleStore{Store: memory.New()}
			svc := newService(t, st)
			res, err := svc.Launch(ctx, learnerLaunch("sub-1"))
			require.NoError(t, err)

			st.left.Store(tt.stale)
			got, err := svc.Start(ctx, "partner-a", res.Session.ID)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				stored, err := st.GetSession(ctx, "partner-a", res.Session.ID)
				require.NoError(t, err)
				assert.Equal(t, session.StatusCreated, stored.Status)
				return
			}

			require.NoError(t, err)
			assert.Equal(t, session.StatusInProgress, got.Status)
			assert.Equal(t, int64(2), got.Revision, "one change, one revision")
		})
	}
}

func TestServiceTransitionErrors(t *testing.T) {
	ctx := context.Background()
	st := memory.New()
	svc := newService(t, st)
	res, err := svc.Launch(ctx, learnerLaunch("sub-1"))
	require.NoError(t, err)
	id := res.Session.ID

	tests := []struct {
		name    string
		do      func() (session.Session, error)
		wantErr error
	}{
		{name: "suspend created", wantErr: session.ErrInvalidTransition,
			do: func() (session.Session, error) { return svc.Suspend(ctx, "partner-a", id) }},
		{name: "complete created", wantErr: session.ErrInvalidTransition,
			do: func() (session.Session, error) {
				return svc.Complete(ctx, "partner-a", id, session.Completion{})
			}},
		{name: "abandon created", wantErr: session.ErrInvalidTransition,
			do: func() (session.Session, error) {
				return svc.Abandon(ctx, "partner-a", id, session.EndQuit)
			}},
		{name: "bad abandon reason", wantErr: session.ErrInvalid,
			do: func() (session.Session, error) {
				return svc.Abandon(ctx, "partner-a", id, session.EndAdmin)
			}},
		{name: "bad void reason", wantErr: session.ErrInvalid,
			do: func() (session.Session, error) {
				return svc.Void(ctx, "partner-a", id, session.EndQuit)
			}},
		{name: "other partner", wantErr: session.ErrNotFound,
			do: func() (session.Session, error) { return svc.Start(ctx, "partner-b", id) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.do()
			require.ErrorIs(t, err, tt.wantErr)
			stored, err := st.GetSession(ctx, "partner-a", id)
			require.NoError(t, err)
			assert.Equal(t, res.Session.Revision, stored.Revision, "nothing written")
		})
	}
}

func TestServiceGrading(t *testing.T) {
	bad := &scoring.Input{Points: map[string]float64{"history_taking": 21}}
	tests := []struct {
		name    string
		c       session.Completion
		want    session.GradingStatus
		scored  bool
		wantErr error
	}{
		{name: "scored", c: session.Completion{Input: caseA()},
			want: session.GradingFullyGraded, scored: true},
		{name: "manual review", c: session.Completion{Input: caseA(), ManualReview: true},
			want: session.GradingPendingManual, scored: true},
		{name: "no input", want: session.GradingPending},
		{name: "failed", c: session.Completion{Failed: true}, want: session.GradingFailed},
		{name: "failed with input", c: session.Completion{Failed: true, Input: caseA()},
			wantErr: session.ErrInvalid},
		{name: "input rejected by rubric", c: session.Completion{Input: bad},
			wantErr: scoring.ErrPointsRange},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			svc := newService(t, memory.New())
			res, err := svc.Launch(ctx, learnerLaunch("sub-1"))
			require.NoError(t, err)
			started, err := svc.Start(ctx, "partner-a", res.Session.ID)
			require.NoError(t, err)

			got, err := svc.Complete(ctx, "partner-a", started.ID, tt.c)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				stored, err := svc.GetSession(ctx, "partner-a", started.ID)
				require.NoError(t, err)
				assert.Equal(t, session.StatusInProgress, stored.Status)
				return
			}

			require.NoError(t, err)
			assert.Equal(t, tt.want, got.GradingStatus)
			assert.Equal(t, tt.scored, got.Score != nil)
			assert.Equal(t, session.EndCompleted, got.EndReason)
		})
	}
}

func TestServicePreviewAndNames(t *testing.T) {
	ctx := context.Background()
	svc := newService(t, memory.New())
	svc.Policies = session.StaticPolicies{"partner-a": {StoreLearnerNames: true}}
	_, err := svc.PutAssignment(ctx, session.Assignment{PartnerID: "partner-a",
		CohortID: "cohort-1", CaseID: "acs-chest-pain", MaxAttempts: 1,
		OpensAt: t0.Add(time.Hour), Relaunch: session.RelaunchSupersede})
	require.NoError(t, err)

	_, err = svc.Launch(ctx, learnerLaunch("sub-1"))
	require.ErrorIs(t, err, session.ErrNotOpen)

	for i := range 3 {
		l := learnerLaunch("teacher-1")
		l.Role = launch.RoleInstructor
		res, err := svc.Launch(ctx, l)
		require.NoError(t, err, "instructors bypass the window and attempts")
		assert.True(t, res.Session.Preview)
		assert.Equal(t, i+1, res.Session.Attempt)
		assert.Equal(t, "Dr Example", res.Learner.Name, "name kept when opted in")
	}

	l := learnerLaunch("sub-1")
	l.Role = "admin"
	_, err = svc.Launch(ctx, l)
	require.ErrorIs(t, err, session.ErrInvalidLaunch)
}

func TestServiceRegistration(t *testing.T) {
	ctx := context.Background()
	svc := newService(t, memory.New())
	tests := []struct {
		name      string
		do        func() error
		wantErr   error
		wantField string
	}{
		{name: "bad case id", wantErr: session.ErrInvalid, wantField: "case.id",
			do: func() error { _, err := svc.PutCase(ctx, session.Case{ID: "Bad_ID", Title: "x"}); return err }},
		{name: "bad rubric", wantErr: scoring.ErrNoDomains, wantField: "case_version.rubric",
			do: func() error {
				_, err := svc.PublishCaseVersion(ctx, session.CaseVersion{CaseID: "acs-chest-pain", Major: 2})
				return err
			}},
		{name: "published version with another rubric", wantErr: session.ErrInvalid,
			wantField: "case_version.version",
			do: func() error {
				other := referenceRubric()
				other.Threshold = 0.8
				_, err := svc.PublishCaseVersion(ctx, session.CaseVersion{CaseID: "acs-chest-pain",
					Major: 1, Rubric: other})
				return err
			}},
		{name: "published version with another title", wantErr: session.ErrInvalid,
			wantField: "case_version.version",
			do: func() error {
				_, err := svc.PublishCaseVersion(ctx, session.CaseVersion{CaseID: "acs-chest-pain",
					Major: 1, Title: "Renamed", Rubric: referenceRubric()})
				return err
			}},
		{name: "unknown case", wantErr: session.ErrUnknownCase,
			do: func() error {
				_, err := svc.PublishCaseVersion(ctx, session.CaseVersion{CaseID: "other-case",
					Major: 1, Rubric: referenceRubric()})
				return err
			}},
		{name: "set with unknown case", wantErr: session.ErrUnknownCase,
			do: func() error {
				_, err := svc.PutCaseSet(ctx, session.CaseSet{ID: "set-1",
					Cases: []session.CaseRef{{CaseID: "other-case"}}})
				return err
			}},
		{name: "set n_of_m too large", wantErr: session.ErrInvalid, wantField: "case_set.required_count",
			do: func() error {
				_, err := svc.PutCaseSet(ctx, session.CaseSet{ID: "set-1", Completion: session.CompletionNOfM,
					RequiredCount: 2, Cases: []session.CaseRef{{CaseID: "acs-chest-pain"}}})
				return err
			}},
		{name: "assignment to unknown cohort", wantErr: session.ErrUnknownCohort,
			do: func() error {
				_, err := svc.PutAssignment(ctx, session.Assignment{PartnerID: "partner-a",
					CohortID: "cohort-x", CaseID: "acs-chest-pain"})
				return err
			}},
		{name: "assignment with two targets", wantErr: session.ErrInvalid, wantField: "assignment.target",
			do: func() error {
				_, err := svc.PutAssignment(ctx, session.Assignment{PartnerID: "partner-a",
					CohortID: "cohort-1", CaseID: "acs-chest-pain", CaseSetID: "set-1"})
				return err
			}},
		{name: "assignment closes before it opens", wantErr: session.ErrInvalid,
			wantField: "assignment.closes_at",
			do: func() error {
				_, err := svc.PutAssignment(ctx, session.Assignment{PartnerID: "partner-a",
					CohortID: "cohort-1", CaseID: "acs-chest-pain", OpensAt: t0, ClosesAt: t0})
				return err
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.do()
			require.ErrorIs(t, err, tt.wantErr)
			if tt.wantField == "" {
				return
			}

			var ve *session.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tt.wantField, ve.Field)
		})
	}
}

func TestServiceAssignmentTargetUnique(t *testing.T) {
	ctx := context.Background()
	svc := newService(t, memory.New())
	a, err := svc.PutAssignment(ctx, session.Assignment{PartnerID: "partner-a",
		CohortID: "cohort-1", CaseID: "acs-chest-pain"})
	require.NoError(t, err)
	assert.Equal(t, []session.CaseRef{{CaseID: "acs-chest-pain", Version: "1.0"}}, a.Cases)

	_, err = svc.PutAssignment(ctx, session.Assignment{PartnerID: "partner-a",
		CohortID: "cohort-1", CaseID: "acs-chest-pain"})
	require.ErrorIs(t, err, session.ErrTargetAssigned)

	a.MaxAttempts = 2
	updated, err := svc.PutAssignment(ctx, a)
	require.NoError(t, err)
	assert.Equal(t, a.CreatedAt, updated.CreatedAt)

	require.NoError(t, svc.DeleteAssignment(ctx, "partner-a", a.ID))
	require.ErrorIs(t, svc.DeleteAssignment(ctx, "partner-a", a.ID), session.ErrNotFound)
}

// TestPublishCaseVersionAgain publishes the same version at every start,
// as a host registering its catalog does: the first publication stands.
func TestPublishCaseVersionAgain(t *testing.T) {
	ctx := context.Background()
	svc := newService(t, memory.New())
	first, err := svc.PublishCaseVersion(ctx, session.CaseVersion{CaseID: "acs-chest-pain",
		Major: 1, Minor: 1, Rubric: referenceRubric()})
	require.NoError(t, err)

	svc.Now = func() time.Time { return t0.Add(time.Hour) }
	again, err := svc.PublishCaseVersion(ctx, session.CaseVersion{CaseID: "acs-chest-pain",
		Major: 1, Minor: 1, Rubric: referenceRubric()})
	require.NoError(t, err, "the same content is published once")
	assert.Equal(t, first.PublishedAt, again.PublishedAt)

	_, err = svc.PublishCaseVersion(ctx, session.CaseVersion{CaseID: "acs-chest-pain",
		Major: 1, Minor: 0, Rubric: referenceRubric()})
	require.NoError(t, err, "an older version with its own content is still recognised")

	_, err = svc.PublishCaseVersion(ctx, session.CaseVersion{CaseID: "acs-chest-pain",
		Major: 1, Minor: 2, Title: "Chest pain", Rubric: referenceRubric()})
	require.NoError(t, err)

	_, err = svc.PublishCaseVersion(ctx, session.CaseVersion{CaseID: "acs-chest-pain",
		Major: 0, Minor: 9, Rubric: referenceRubric()})
	assert.ErrorIs(t, err, session.ErrInvalid)
}
