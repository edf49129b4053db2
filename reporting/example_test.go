package reporting_test

import (
	"context"
	"fmt"
	"time"

	"github.com/virtualaipatient/integration/reporting"
	"github.com/virtualaipatient/integration/scoring"
	"github.com/virtualaipatient/integration/session"
)

func ExampleNewSessionSummary() {
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	s := session.Session{
		ID: "7f0c", PartnerID: "partner-a", CohortID: "cohort-1", CaseID: "acs-chest-pain",
		CaseVersion: "1.0", Attempt: 1, Status: session.StatusCompleted,
		GradingStatus: session.GradingFullyGraded, StartedAt: start,
		EndedAt: start.Add(23*time.Minute + 45*time.Second), ActiveDuration: 20 * time.Minute,
		Score: &scoring.Result{Scaled: 0.7675, Percent: 76.75, Outcome: scoring.OutcomePassed},
		FlaggedErrors: []scoring.FlaggedError{
			{Code: "COM.JARGON", Severity: scoring.SeverityMinor, Offset: time.Minute},
			{Code: "MED.CONTRAINDICATED_DRUG", Severity: scoring.SeverityMajor,
				PatientSafety: true, Offset: 5 * time.Minute},
		},
	}

	sum := reporting.NewSessionSummary(s, "Chest pain", start.Add(time.Hour))
	fmt.Println(sum.Outcome, sum.Score.Percent, sum.ActiveSeconds, sum.ElapsedSeconds)
	fmt.Println(sum.FlaggedErrors[0].Code, sum.ErrorCounts.Total)
	fmt.Println(sum.EndedAt.Format(reporting.TimeLayout))
	// Output:
	// passed 76.75 1200 1425
	// MED.CONTRAINDICATED_DRUG 2
	// 2026-03-02T09:23:45.000Z
}

func ExampleNew() {
	_, err := reporting.New(reporting.Config{})
	fmt.Println(err)
	// Output: reporting: invalid configuration: verifier is required
}

func ExampleMemoryCodes() {
	var codes reporting.MemoryCodes
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	code, _ := codes.Issue(context.Background(), reporting.CodeGrant{SessionID: "s1", PartnerID: "p"},
		now.Add(reporting.DefaultCodeTTL))

	g, err := codes.Redeem(context.Background(), code, now)
	fmt.Println(g.SessionID, err)
	_, err = codes.Redeem(context.Background(), code, now)
	fmt.Println(err)
	// Output:
	// s1 <nil>
	// reporting: invalid one-time code
}
