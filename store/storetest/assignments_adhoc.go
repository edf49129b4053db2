package storetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/scoring"
	"github.com/virtualaipatient/integration/session"
)

// testAdHocYields checks, on the store's transactions, that a registered
// assignment takes the place of the ad-hoc one of its target (deleting it
// and inserting the new one in one transaction, sessions kept), that
// AssignToCohort registers a cohort only with a valid assignment, and that
// a launch naming a case of an assigned case set runs under the set.
func testAdHocYields(t *testing.T, open Opener) {
	ctx := context.Background()
	w := newWorld(t, open(t))
	adHoc, err := w.svc.Launch(ctx, newLaunch("sub-1", "heart-failure"))
	require.NoError(t, err)
	require.True(t, adHoc.AssignmentCreated)

	exam, err := w.svc.PutAssignment(ctx, session.Assignment{PartnerID: "partner-a",
		CohortID: "cohort-1", CaseID: "heart-failure", Mode: scoring.ModeAssessment})
	require.NoError(t, err)
	_, err = w.st.GetAssignment(ctx, "partner-a", adHoc.Assignment.ID)
	require.ErrorIs(t, err, session.ErrNotFound)
	kept, err := w.st.GetSession(ctx, "partner-a", adHoc.Session.ID)
	require.NoError(t, err)
	assert.Equal(t, adHoc.Assignment.ID, kept.AssignmentID)

	next, err := w.svc.Launch(ctx, newLaunch("sub-1", "heart-failure"))
	require.NoError(t, err)
	assert.Equal(t, exam.ID, next.Session.AssignmentID)

	// A case of an assigned sequential set goes through the set.
	_, err = w.svc.PutAssignment(ctx, session.Assignment{PartnerID: "partner-a",
		CohortID: "cohort-1", CaseSetID: "cardio-block"})
	require.NoError(t, err)
	res, err := w.svc.Launch(ctx, newLaunch("sub-2", "acs-chest-pain"))
	require.NoError(t, err)
	assert.Equal(t, "cardio-block", res.Session.CaseSetID)
	assert.False(t, res.AssignmentCreated)

	// A failing assignment registers no cohort; a valid one does.
	_, err = w.svc.AssignToCohort(ctx, session.Assignment{PartnerID: "partner-a",
		CohortID: "cohort-new", CaseID: "no-such-case"})
	require.ErrorIs(t, err, session.ErrUnknownCase)
	_, err = w.st.GetCohort(ctx, "partner-a", "cohort-new")
	require.ErrorIs(t, err, session.ErrNotFound)
	_, err = w.svc.AssignToCohort(ctx, session.Assignment{PartnerID: "partner-a",
		CohortID: "cohort-new", CaseID: "heart-failure"})
	require.NoError(t, err)
	_, err = w.st.GetCohort(ctx, "partner-a", "cohort-new")
	require.NoError(t, err)
}
