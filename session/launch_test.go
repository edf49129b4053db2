package session_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/launch"
	"github.com/virtualaipatient/integration/scoring"
	"github.com/virtualaipatient/integration/session"
	"github.com/virtualaipatient/integration/store/memory"
)

const (
	caseChest  = "acs-chest-pain"
	caseSepsis = "sepsis-early"
	caseSet    = "core-block"
)

// newSetService is newService with a second case and a sequential case set
// of both.
func newSetService(t *testing.T) (*session.Service, *memory.Store) {
	t.Helper()
	ctx := context.Background()
	st := memory.New()
	svc := newService(t, st)
	_, err := svc.PutCase(ctx, session.Case{ID: caseSepsis, Title: "Sepsis"})
	require.NoError(t, err)
	_, err = svc.PublishCaseVersion(ctx, session.CaseVersion{CaseID: caseSepsis, Major: 1,
		Rubric: referenceRubric()})
	require.NoError(t, err)
	_, err = svc.PutCaseSet(ctx, session.CaseSet{ID: caseSet, Title: "Core",
		Sequencing: session.SequencingSequential,
		Cases:      []session.CaseRef{{CaseID: caseChest}, {CaseID: caseSepsis}}})
	require.NoError(t, err)

	return svc, st
}

func caseLaunch(sub, caseID string) launch.Launch {
	l := learnerLaunch(sub)
	l.CaseID = caseID
	return l
}

func previewLaunch(sub, caseID string) launch.Launch {
	l := caseLaunch(sub, caseID)
	l.Role = launch.RoleInstructor
	return l
}

func completeWith(t *testing.T, svc *session.Service, id string) session.Session {
	t.Helper()
	ctx := context.Background()
	_, err := svc.Start(ctx, "partner-a", id)
	require.NoError(t, err)
	done, err := svc.Complete(ctx, "partner-a", id, session.Completion{Input: caseA()})
	require.NoError(t, err)

	return done
}

func TestRegradeNeedsInput(t *testing.T) {
	tests := []struct {
		name string
		c    session.Completion
	}{
		{name: "no input", c: session.Completion{}},
		{name: "grading failed", c: session.Completion{Failed: true}},
		{name: "manual review without input", c: session.Completion{ManualReview: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			svc := newService(t, memory.New())
			res, err := svc.Launch(ctx, learnerLaunch("sub-1"))
			require.NoError(t, err)
			graded := completeWith(t, svc, res.Session.ID)
			require.NotNil(t, graded.Score)

			_, err = svc.Regrade(ctx, "partner-a", graded.ID, tt.c)
			require.ErrorIs(t, err, session.ErrInvalid)
			var ve *session.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, "completion.input", ve.Field)

			stored, err := svc.GetSession(ctx, "partner-a", graded.ID)
			require.NoError(t, err)
			assert.Equal(t, graded, stored, "nothing written: the grade stays")
		})
	}

	ctx := context.Background()
	svc := newService(t, memory.New())
	res, err := svc.Launch(ctx, learnerLaunch("sub-1"))
	require.NoError(t, err)
	graded := completeWith(t, svc, res.Session.ID)
	regraded, err := svc.Regrade(ctx, "partner-a", graded.ID, session.Completion{Input: caseA()})
	require.NoError(t, err)
	assert.Equal(t, 2, regraded.ScoreRevision)
	assert.Equal(t, session.GradingFullyGraded, regraded.GradingStatus)
}

func TestLaunchKeepsPreviewsApart(t *testing.T) {
	ctx := context.Background()
	svc := newService(t, memory.New())

	// One partner user launches first as an instructor, then as a learner.
	preview, err := svc.Launch(ctx, previewLaunch("sub-1", caseChest))
	require.NoError(t, err)
	require.True(t, preview.Session.Preview)

	learner, err := svc.Launch(ctx, caseLaunch("sub-1", caseChest))
	require.NoError(t, err)
	assert.False(t, learner.Resumed, "a learner launch never resumes a preview")
	assert.False(t, learner.Session.Preview)
	assert.NotEqual(t, preview.Session.ID, learner.Session.ID)
	assert.Equal(t, 2, learner.Session.Attempt, "attempt numbers are never reused")

	tests := []struct {
		name   string
		l      launch.Launch
		wantID string
	}{
		{name: "learner resumes the learner session",
			l: caseLaunch("sub-1", caseChest), wantID: learner.Session.ID},
		{name: "preview resumes the preview session",
			l: previewLaunch("sub-1", caseChest), wantID: preview.Session.ID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := svc.Launch(ctx, tt.l)
			require.NoError(t, err)
			assert.True(t, res.Resumed)
			assert.Equal(t, tt.wantID, res.Session.ID)
		})
	}
}

func TestLaunchSupersedeKeepsPreviewsApart(t *testing.T) {
	ctx := context.Background()
	svc := newService(t, memory.New())
	_, err := svc.PutAssignment(ctx, session.Assignment{PartnerID: "partner-a",
		CohortID: "cohort-1", CaseID: caseChest, MaxAttempts: 1,
		Relaunch: session.RelaunchSupersede})
	require.NoError(t, err)

	preview, err := svc.Launch(ctx, previewLaunch("sub-1", caseChest))
	require.NoError(t, err)
	learner, err := svc.Launch(ctx, caseLaunch("sub-1", caseChest))
	require.NoError(t, err, "a preview uses no attempt")
	assert.Empty(t, learner.SupersededID, "a learner launch never supersedes a preview")

	stored, err := svc.GetSession(ctx, "partner-a", preview.Session.ID)
	require.NoError(t, err)
	assert.Equal(t, session.StatusCreated, stored.Status)
}

func TestAdHocYieldsToRegisteredAssignment(t *testing.T) {
	ctx := context.Background()
	svc, st := newSetService(t)

	adHoc, err := svc.Launch(ctx, caseLaunch("sub-1", caseChest))
	require.NoError(t, err)
	require.True(t, adHoc.AssignmentCreated)
	practice := completeWith(t, svc, adHoc.Session.ID)

	exam, err := svc.PutAssignment(ctx, session.Assignment{PartnerID: "partner-a",
		CohortID: "cohort-1", CaseID: caseChest, Mode: scoring.ModeAssessment, MaxAttempts: 1})
	require.NoError(t, err, "a registered assignment replaces the ad-hoc one")
	assert.False(t, exam.AdHoc)

	_, err = svc.GetAssignment(ctx, "partner-a", adHoc.Assignment.ID)
	require.ErrorIs(t, err, session.ErrNotFound, "the ad-hoc assignment is retired")
	kept, err := svc.GetSession(ctx, "partner-a", practice.ID)
	require.NoError(t, err)
	assert.Equal(t, practice, kept, "its sessions are kept")
	list, err := st.ListAssignments(ctx, "partner-a", "cohort-1")
	require.NoError(t, err)
	require.Len(t, list, 1)

	first, err := svc.Launch(ctx, caseLaunch("sub-1", caseChest))
	require.NoError(t, err)
	assert.Equal(t, exam.ID, first.Session.AssignmentID, "new launches use the registered one")
	assert.Equal(t, scoring.ModeAssessment, first.Session.Mode)
	assert.Equal(t, 2, first.Session.Attempt)
	completeWith(t, svc, first.Session.ID)

	_, err = svc.Launch(ctx, caseLaunch("sub-1", caseChest))
	require.ErrorIs(t, err, session.ErrAttemptsExhausted,
		"practice attempts did not use up the one assessment attempt")

	_, err = svc.PutAssignment(ctx, session.Assignment{PartnerID: "partner-a",
		CohortID: "cohort-1", CaseID: caseChest})
	require.ErrorIs(t, err, session.ErrTargetAssigned, "a registered one never yields")
}

func TestLaunchWithoutCaseIgnoresAdHoc(t *testing.T) {
	tests := []struct {
		name string
		l    launch.Launch
	}{
		{name: "after a learner's ad-hoc launch", l: caseLaunch("sub-2", caseSepsis)},
		{name: "after an instructor's preview", l: previewLaunch("teacher-1", caseSepsis)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			svc, _ := newSetService(t)
			asg, err := svc.PutAssignment(ctx, session.Assignment{PartnerID: "partner-a",
				CohortID: "cohort-1", CaseID: caseChest})
			require.NoError(t, err)

			res, err := svc.Launch(ctx, tt.l)
			require.NoError(t, err)
			require.True(t, res.AssignmentCreated)

			res, err = svc.Launch(ctx, caseLaunch("sub-1", ""))
			require.NoError(t, err, "the single open registered assignment")
			assert.Equal(t, asg.ID, res.Session.AssignmentID)
		})
	}
}

func TestLaunchCaseOfAssignedSet(t *testing.T) {
	ctx := context.Background()
	svc, st := newSetService(t)
	set, err := svc.PutAssignment(ctx, session.Assignment{PartnerID: "partner-a",
		CohortID: "cohort-1", CaseSetID: caseSet, MaxAttempts: 1,
		Mode: scoring.ModeAssessment})
	require.NoError(t, err)

	// Naming the second case without the set goes through the set's rules.
	_, err = svc.Launch(ctx, caseLaunch("sub-1", caseSepsis))
	require.ErrorIs(t, err, session.ErrOutOfSequence)
	list, err := st.ListAssignments(ctx, "partner-a", "cohort-1")
	require.NoError(t, err)
	assert.Len(t, list, 1, "no ad-hoc assignment created")

	first, err := svc.Launch(ctx, caseLaunch("sub-1", caseChest))
	require.NoError(t, err)
	assert.False(t, first.AssignmentCreated)
	assert.Equal(t, set.ID, first.Session.AssignmentID)
	assert.Equal(t, caseSet, first.Session.CaseSetID)
	assert.Equal(t, scoring.ModeAssessment, first.Session.Mode)
	completeWith(t, svc, first.Session.ID)

	_, err = svc.Launch(ctx, caseLaunch("sub-1", caseChest))
	require.ErrorIs(t, err, session.ErrAttemptsExhausted, "the set's attempt limit applies")

	second, err := svc.Launch(ctx, caseLaunch("sub-1", caseSepsis))
	require.NoError(t, err, "unlocked once the first case is completed")
	assert.Equal(t, set.ID, second.Session.AssignmentID)

	peek, err := svc.Launch(ctx, previewLaunch("teacher-1", caseSepsis))
	require.NoError(t, err, "a preview may open any case of the set")
	assert.Equal(t, set.ID, peek.Session.AssignmentID)
}

func TestLaunchCaseOfSetOutsideWindow(t *testing.T) {
	ctx := context.Background()
	svc, st := newSetService(t)
	_, err := svc.PutAssignment(ctx, session.Assignment{PartnerID: "partner-a",
		CohortID: "cohort-1", CaseSetID: caseSet, OpensAt: t0.Add(24 * time.Hour)})
	require.NoError(t, err)

	_, err = svc.Launch(ctx, caseLaunch("sub-1", caseChest))
	require.ErrorIs(t, err, session.ErrNotOpen, "no practice of an exam case before it opens")
	list, err := st.ListAssignments(ctx, "partner-a", "cohort-1")
	require.NoError(t, err)
	assert.Len(t, list, 1)
}

func TestLaunchCaseOfSeveralSets(t *testing.T) {
	ctx := context.Background()
	svc, st := newSetService(t)
	_, err := svc.PutCaseSet(ctx, session.CaseSet{ID: "chest-only", Title: "Chest",
		Cases: []session.CaseRef{{CaseID: caseChest}}})
	require.NoError(t, err)
	for _, id := range []string{caseSet, "chest-only"} {
		_, err := svc.PutAssignment(ctx, session.Assignment{PartnerID: "partner-a",
			CohortID: "cohort-1", CaseSetID: id})
		require.NoError(t, err)
	}

	_, err = svc.Launch(ctx, caseLaunch("sub-1", caseChest))
	require.ErrorIs(t, err, session.ErrLaunchCaseSet)
	list, err := st.ListAssignments(ctx, "partner-a", "cohort-1")
	require.NoError(t, err)
	assert.Len(t, list, 2, "no ad-hoc assignment created")

	named := caseLaunch("sub-1", caseChest)
	named.CaseSetID = "chest-only"
	res, err := svc.Launch(ctx, named)
	require.NoError(t, err, "naming the set resolves it")
	assert.Equal(t, "chest-only", res.Session.CaseSetID)
}

func TestAssignToCohort(t *testing.T) {
	tests := []struct {
		name       string
		a          session.Assignment
		wantErr    error
		registered bool
	}{
		{name: "valid assignment registers the cohort", registered: true,
			a: session.Assignment{CaseID: caseChest}},
		{name: "unknown case registers nothing", wantErr: session.ErrUnknownCase,
			a: session.Assignment{CaseID: "nope-case"}},
		{name: "invalid assignment registers nothing", wantErr: session.ErrInvalid,
			a: session.Assignment{CaseID: caseChest, MaxAttempts: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			svc := newService(t, memory.New())
			tt.a.PartnerID, tt.a.CohortID = "partner-a", "brand-new"
			_, err := svc.AssignToCohort(ctx, tt.a)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
			} else {
				require.NoError(t, err)
			}

			_, err = svc.GetCohort(ctx, "partner-a", "brand-new")
			if tt.registered {
				assert.NoError(t, err)
				return
			}

			assert.ErrorIs(t, err, session.ErrNotFound)
		})
	}
}
