package sqlstoretest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/launch"
	"github.com/virtualaipatient/integration/scoring"
	"github.com/virtualaipatient/integration/session"
)

// The seeded catalog and cohort.
const (
	partnerID = "partner-a"
	issuer    = "https://lms.example"
	cohortID  = "cohort-1"
	caseID    = "acs-chest-pain"
)

// Seed registers, through a service on st, a published case (version 1.0)
// and a cohort that launches of [NewLaunch] use.
func Seed(t testing.TB, st session.Store) {
	t.Helper()
	ctx := context.Background()
	svc := session.New(st)

	_, err := svc.PutCase(ctx, session.Case{ID: caseID, Title: "Chest pain"})
	require.NoError(t, err)

	_, err = svc.PublishCaseVersion(ctx, session.CaseVersion{
		CaseID: caseID, Major: 1, Minor: 0, Rubric: rubric(),
	})
	require.NoError(t, err)

	_, err = svc.PutCohort(ctx, session.Cohort{PartnerID: partnerID, ID: cohortID,
		Name: "Internal medicine"})
	require.NoError(t, err)
}

// NewLaunch returns a learner's launch of the seeded case, with token id
// jti, for the partner's user subject.
func NewLaunch(subject, jti string) launch.Launch {
	return launch.Launch{
		PartnerID: partnerID,
		Issuer:    issuer,
		TokenID:   jti,
		ExpiresAt: time.Now().Add(5 * time.Minute),
		Subject:   subject,
		Role:      launch.RoleLearner,
		CohortID:  cohortID,
		CaseID:    caseID,
	}
}

// subject returns the i-th test user id.
func subject(i int) string {
	return fmt.Sprintf("user-%06d", i)
}

func rubric() scoring.Rubric {
	return scoring.Rubric{
		Domains: []scoring.Domain{
			{Code: "history_taking", MaxPoints: 20, Weight: 30},
			{Code: "management", MaxPoints: 10, Weight: 20},
		},
		Threshold: 0.7,
		Critical:  scoring.CriticalRule{Action: scoring.CriticalCap, Cap: 0.5},
	}
}
