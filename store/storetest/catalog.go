package storetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/session"
)

func testCatalog(t *testing.T, open Opener) {
	t.Run("CaseNotFound", func(t *testing.T) {
		st := open(t)
		got, err := st.GetCase(context.Background(), "missing-case")
		require.ErrorIs(t, err, session.ErrNotFound)
		assert.Equal(t, session.Case{}, got)
	})

	t.Run("CasePutGetReplace", func(t *testing.T) {
		ctx := context.Background()
		st := open(t)
		c := fixtureCase("acs-chest-pain")
		require.NoError(t, st.PutCase(ctx, c))

		got, err := st.GetCase(ctx, c.ID)
		require.NoError(t, err)
		assert.Equal(t, c, normCase(got))

		c.Title = "Chest pain, revised"
		c.Tags = nil
		c.Status = session.CasePublished
		c.UpdatedAt = at(5)
		require.NoError(t, st.PutCase(ctx, c))
		got, err = st.GetCase(ctx, c.ID)
		require.NoError(t, err)
		assert.Equal(t, c, normCase(got))
	})

	t.Run("CaseCopies", func(t *testing.T) {
		ctx := context.Background()
		st := open(t)
		c := fixtureCase("copy-case")
		require.NoError(t, st.PutCase(ctx, c))
		c.Tags[0] = "changed"

		got, err := st.GetCase(ctx, c.ID)
		require.NoError(t, err)
		assert.Equal(t, "cardiology", got.Tags[0])

		got.Tags[0] = "changed again"
		again, err := st.GetCase(ctx, c.ID)
		require.NoError(t, err)
		assert.Equal(t, "cardiology", again.Tags[0])
	})

	t.Run("Versions", func(t *testing.T) { testVersions(t, open) })
	t.Run("CaseSets", func(t *testing.T) { testCaseSets(t, open) })
}

func testVersions(t *testing.T, open Opener) {
	ctx := context.Background()
	st := open(t)
	require.NoError(t, st.PutCase(ctx, fixtureCase("acs-chest-pain")))

	_, err := st.LatestCaseVersion(ctx, "acs-chest-pain")
	require.ErrorIs(t, err, session.ErrNotFound, "no version yet")

	versions := []session.CaseVersion{
		fixtureVersion("acs-chest-pain", 1, 9),
		fixtureVersion("acs-chest-pain", 1, 10),
		fixtureVersion("acs-chest-pain", 2, 0),
		fixtureVersion("acs-chest-pain", 10, 1),
		fixtureVersion("acs-chest-pain", 9, 3),
	}
	for _, v := range versions {
		require.NoError(t, st.InsertCaseVersion(ctx, v))
	}

	dup := fixtureVersion("acs-chest-pain", 2, 0)
	dup.Title = "replacement"
	err = st.InsertCaseVersion(ctx, dup)
	require.ErrorIs(t, err, session.ErrAlreadyExists)

	tests := []struct {
		name         string
		major, minor int
		want         *session.CaseVersion
	}{
		{name: "first", major: 1, minor: 9, want: &versions[0]},
		{name: "minor compared numerically", major: 1, minor: 10, want: &versions[1]},
		{name: "not replaced by duplicate", major: 2, minor: 0, want: &versions[2]},
		{name: "absent minor", major: 1, minor: 1},
		{name: "absent major", major: 3, minor: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := st.GetCaseVersion(ctx, "acs-chest-pain", tt.major, tt.minor)
			if tt.want == nil {
				require.ErrorIs(t, err, session.ErrNotFound)
				assert.Equal(t, session.CaseVersion{}, got)
				return
			}

			require.NoError(t, err)
			assert.Equal(t, *tt.want, got)
		})
	}

	latest, err := st.LatestCaseVersion(ctx, "acs-chest-pain")
	require.NoError(t, err)
	assert.Equal(t, versions[3], latest, "10.1 beats 9.3 numerically")

	_, err = st.GetCaseVersion(ctx, "other-case", 1, 9)
	require.ErrorIs(t, err, session.ErrNotFound)
}

func testCaseSets(t *testing.T, open Opener) {
	ctx := context.Background()
	st := open(t)
	_, err := st.GetCaseSet(ctx, "missing-set")
	require.ErrorIs(t, err, session.ErrNotFound)

	set := fixtureCaseSet("cardio-block", "acs-chest-pain", "heart-failure")
	require.NoError(t, st.PutCaseSet(ctx, set))
	got, err := st.GetCaseSet(ctx, set.ID)
	require.NoError(t, err)
	assert.Equal(t, set, normCaseSet(got))

	set.Cases = set.Cases[:1]
	set.Sequencing = session.SequencingFree
	set.PassThreshold = nil
	require.NoError(t, st.PutCaseSet(ctx, set))
	got, err = st.GetCaseSet(ctx, set.ID)
	require.NoError(t, err)
	assert.Equal(t, set, normCaseSet(got))
}
