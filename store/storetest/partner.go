package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/launch"
	"github.com/virtualaipatient/integration/session"
)

func testCohorts(t *testing.T, open Opener) {
	ctx := context.Background()
	st := open(t)
	c := fixtureCohort("partner-a", "cohort-1")
	require.NoError(t, st.PutCohort(ctx, c))

	got, err := st.GetCohort(ctx, "partner-a", "cohort-1")
	require.NoError(t, err)
	assert.Equal(t, c, got)

	*c.RosterSize = 99
	got, err = st.GetCohort(ctx, "partner-a", "cohort-1")
	require.NoError(t, err)
	assert.Equal(t, 24, *got.RosterSize, "stored value is a copy")

	c.RosterSize = nil
	c.Name = "renamed"
	require.NoError(t, st.PutCohort(ctx, c))
	got, err = st.GetCohort(ctx, "partner-a", "cohort-1")
	require.NoError(t, err)
	assert.Equal(t, c, got)

	tests := []struct {
		name, partner, id string
	}{
		{name: "other partner", partner: "partner-b", id: "cohort-1"},
		{name: "unknown id", partner: "partner-a", id: "cohort-2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := st.GetCohort(ctx, tt.partner, tt.id)
			require.ErrorIs(t, err, session.ErrNotFound)
			assert.Equal(t, session.Cohort{}, got)
		})
	}
}

func testAssignments(t *testing.T, open Opener) {
	ctx := context.Background()
	st := open(t)
	a1 := fixtureAssignment("partner-a", "asg-1", "cohort-1", "acs-chest-pain")
	a2 := fixtureAssignment("partner-a", "asg-2", "cohort-1", "heart-failure")
	a2.CreatedAt = a1.CreatedAt.Add(-1)
	a0 := fixtureAssignment("partner-a", "asg-0", "cohort-1", "")
	a0.CaseSetID, a0.Cases = "cardio-block", nil
	a0.CreatedAt = a1.CreatedAt
	other := fixtureAssignment("partner-b", "asg-1", "cohort-1", "acs-chest-pain")
	for _, a := range []session.Assignment{a1, a2, a0, other} {
		require.NoError(t, st.PutAssignment(ctx, a))
	}

	got, err := st.GetAssignment(ctx, "partner-a", "asg-1")
	require.NoError(t, err)
	assert.Equal(t, a1, normAssignment(got))

	list, err := st.ListAssignments(ctx, "partner-a", "cohort-1")
	require.NoError(t, err)
	assert.Equal(t, []string{"asg-2", "asg-0", "asg-1"}, assignmentIDs(list),
		"ordered by CreatedAt, then ID")
	assert.Equal(t, a0, normAssignments(list)[1])

	t.Run("TargetUnique", func(t *testing.T) {
		dup := fixtureAssignment("partner-a", "asg-9", "cohort-1", "acs-chest-pain")
		require.ErrorIs(t, st.PutAssignment(ctx, dup), session.ErrTargetAssigned)
		_, err := st.GetAssignment(ctx, "partner-a", "asg-9")
		require.ErrorIs(t, err, session.ErrNotFound, "nothing written")

		moved := a2
		moved.CaseID = "acs-chest-pain"
		require.ErrorIs(t, st.PutAssignment(ctx, moved), session.ErrTargetAssigned)

		otherCohort := fixtureAssignment("partner-a", "asg-9", "cohort-2", "acs-chest-pain")
		require.NoError(t, st.PutAssignment(ctx, otherCohort))
	})

	t.Run("Replace", func(t *testing.T) {
		a := a1
		a.MaxAttempts = 0
		a.Threshold = nil
		a.UpdatedAt = at(50)
		require.NoError(t, st.PutAssignment(ctx, a))
		got, err := st.GetAssignment(ctx, "partner-a", "asg-1")
		require.NoError(t, err)
		assert.Equal(t, a, normAssignment(got))
	})

	t.Run("NotFound", func(t *testing.T) {
		_, err := st.GetAssignment(ctx, "partner-c", "asg-1")
		require.ErrorIs(t, err, session.ErrNotFound)
		list, err := st.ListAssignments(ctx, "partner-a", "cohort-unknown")
		require.NoError(t, err)
		assert.Empty(t, list)
		require.ErrorIs(t, st.DeleteAssignment(ctx, "partner-c", "asg-1"), session.ErrNotFound)
	})

	t.Run("Delete", func(t *testing.T) {
		require.NoError(t, st.DeleteAssignment(ctx, "partner-a", "asg-2"))
		_, err := st.GetAssignment(ctx, "partner-a", "asg-2")
		require.ErrorIs(t, err, session.ErrNotFound)
		require.ErrorIs(t, st.DeleteAssignment(ctx, "partner-a", "asg-2"), session.ErrNotFound)

		_, err = st.GetAssignment(ctx, "partner-b", "asg-1")
		require.NoError(t, err, "other partner's assignment with the same id is kept")

		reuse := fixtureAssignment("partner-a", "asg-10", "cohort-1", "heart-failure")
		require.NoError(t, st.PutAssignment(ctx, reuse), "deleted target is free again")
	})
}

func testLearners(t *testing.T, open Opener) {
	ctx := context.Background()
	st := open(t)
	l := fixtureLearner("partner-a", "sub-1")
	l.Name = "Dr Example"

	got, err := st.UpsertLearner(ctx, l)
	require.NoError(t, err)
	assert.Equal(t, l, got)

	again := fixtureLearner("partner-a", "sub-1")
	again.LastSeenAt = at(30)
	got, err = st.UpsertLearner(ctx, again)
	require.NoError(t, err)
	want := l
	want.Name, want.LastSeenAt = "", at(30)
	assert.Equal(t, want, got, "keeps ID and CreatedAt, replaces Name and LastSeenAt")

	byID, err := st.GetLearner(ctx, "partner-a", l.ID)
	require.NoError(t, err)
	assert.Equal(t, want, byID)
	bySub, err := st.GetLearnerBySubject(ctx, "partner-a", "sub-1")
	require.NoError(t, err)
	assert.Equal(t, want, bySub)

	otherPartner := fixtureLearner("partner-b", "sub-1")
	got, err = st.UpsertLearner(ctx, otherPartner)
	require.NoError(t, err)
	assert.Equal(t, otherPartner.ID, got.ID, "subjects are scoped by partner")

	tests := []struct {
		name string
		get  func() (session.Learner, error)
	}{
		{name: "id of other partner", get: func() (session.Learner, error) {
			return st.GetLearner(ctx, "partner-c", l.ID)
		}},
		{name: "unknown subject", get: func() (session.Learner, error) {
			return st.GetLearnerBySubject(ctx, "partner-a", "sub-2")
		}},
		{name: "subject of other partner", get: func() (session.Learner, error) {
			return st.GetLearnerBySubject(ctx, "partner-c", "sub-1")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.get()
			require.ErrorIs(t, err, session.ErrNotFound)
			assert.Equal(t, session.Learner{}, got)
		})
	}
}

func testTokens(t *testing.T, open Opener) {
	ctx := context.Background()
	st := open(t)
	tok := session.ConsumedToken{
		Issuer: "https://lms.example", TokenID: "jti-1", PartnerID: "partner-a",
		ExpiresAt: at(5), ConsumedAt: at(0),
	}
	require.NoError(t, st.ConsumeToken(ctx, tok))

	tests := []struct {
		name   string
		mutate func(*session.ConsumedToken)
		replay bool
	}{
		{name: "same token", mutate: func(*session.ConsumedToken) {}, replay: true},
		{name: "same pair other partner", replay: true,
			mutate: func(c *session.ConsumedToken) { c.PartnerID = "partner-b" }},
		{name: "other jti", mutate: func(c *session.ConsumedToken) { c.TokenID = "jti-2" }},
		{name: "other issuer", mutate: func(c *session.ConsumedToken) { c.Issuer = "https://x" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tok
			tt.mutate(&c)
			err := st.ConsumeToken(ctx, c)
			if tt.replay {
				require.ErrorIs(t, err, launch.ErrReplayed)
				return
			}

			require.NoError(t, err)
		})
	}

	purger, ok := st.(session.TokenPurger)
	if !ok {
		return
	}

	t.Run("Purge", func(t *testing.T) {
		late := tok
		late.TokenID, late.ExpiresAt = "jti-late", at(60)
		require.NoError(t, st.ConsumeToken(ctx, late))

		n, err := purger.PurgeTokens(ctx, at(30))
		require.NoError(t, err)
		assert.Equal(t, 3, n, "jti-1, jti-2 and the other issuer's expire at 5")
		require.NoError(t, st.ConsumeToken(ctx, tok), "purged token is forgotten")
		err = st.ConsumeToken(ctx, late)
		assert.True(t, errors.Is(err, launch.ErrReplayed), "unexpired token is kept")
	})
}
