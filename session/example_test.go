package session_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/virtualaipatient/integration/launch"
	"github.com/virtualaipatient/integration/session"
	"github.com/virtualaipatient/integration/store/memory"
)

func ExampleService_Launch() {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	svc := session.New(memory.New())
	svc.Now = func() time.Time { return now }

	// The VAP backend registers and publishes a case; the partner's cohort
	// is registered too.
	svc.PutCase(ctx, session.Case{ID: "acs-chest-pain", Title: "Chest pain"})
	svc.PublishCaseVersion(ctx, session.CaseVersion{
		CaseID: "acs-chest-pain", Major: 1, Rubric: referenceRubric()})
	svc.PutCohort(ctx, session.Cohort{PartnerID: "partner-a", ID: "im-2026"})

	// A verified launch becomes a session (here with an ad-hoc practice
	// assignment, as none was registered).
	l := launch.Launch{PartnerID: "partner-a", Issuer: "https://lms.example",
		TokenID: "jti-1", ExpiresAt: now.Add(5 * time.Minute), Subject: "user-42",
		Role: launch.RoleLearner, CohortID: "im-2026", CaseID: "acs-chest-pain"}
	res, err := svc.Launch(ctx, l)
	if err != nil {
		fmt.Println(err)
		return
	}

	fmt.Println(res.Session.CaseVersion, res.Session.Attempt, res.Session.Status)

	_, err = svc.Launch(ctx, l)
	fmt.Println("replayed:", errors.Is(err, launch.ErrReplayed))

	svc.Start(ctx, "partner-a", res.Session.ID)
	now = now.Add(20 * time.Minute)
	done, err := svc.Complete(ctx, "partner-a", res.Session.ID,
		session.Completion{Input: caseA()})
	if err != nil {
		fmt.Println(err)
		return
	}

	fmt.Println(done.Status, done.GradingStatus, done.Active(now), done.Score.Outcome)
	// Output:
	// 1.0 1 created
	// replayed: true
	// completed fully_graded 20m0s not_applicable
}

func ExampleNext() {
	to, err := session.Next(session.StatusCreated, session.EventStart)
	fmt.Println(to, err)

	_, err = session.Next(session.StatusAbandoned, session.EventResume)
	fmt.Println(errors.Is(err, session.ErrInvalidTransition), err)
	// Output:
	// in_progress <nil>
	// true session: invalid transition: resume from abandoned
}
