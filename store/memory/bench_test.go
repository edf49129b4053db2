package memory_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/virtualaipatient/integration/launch"
	"github.com/virtualaipatient/integration/scoring"
	"github.com/virtualaipatient/integration/session"
	"github.com/virtualaipatient/integration/store/memory"
)

// BenchmarkLaunch measures launch-to-session on the memory store: token
// consumption, learner upsert, assignment lookup and session insert, each
// launch by a new learner (so every launch inserts a learner and a session).
func BenchmarkLaunch(b *testing.B) {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	svc := session.New(memory.New())
	svc.Now = func() time.Time { return now }
	rubric := scoring.Rubric{
		Domains:   []scoring.Domain{{Code: "history_taking", MaxPoints: 20, Weight: 1}},
		Threshold: 0.7,
		Critical:  scoring.CriticalRule{Action: scoring.CriticalCap, Cap: 0.5},
	}
	mustDo(b, func() error {
		_, err := svc.PutCase(ctx, session.Case{ID: "acs-chest-pain", Title: "Chest pain"})
		return err
	})
	mustDo(b, func() error {
		_, err := svc.PublishCaseVersion(ctx, session.CaseVersion{
			CaseID: "acs-chest-pain", Major: 1, Rubric: rubric})
		return err
	})
	mustDo(b, func() error {
		_, err := svc.PutCohort(ctx, session.Cohort{PartnerID: "partner-a", ID: "cohort-1"})
		return err
	})

	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		l := launch.Launch{PartnerID: "partner-a", Issuer: "https://lms.example",
			TokenID: "jti-" + strconv.Itoa(i), ExpiresAt: now.Add(time.Minute),
			Subject: "user-" + strconv.Itoa(i), Role: launch.RoleLearner,
			CohortID: "cohort-1", CaseID: "acs-chest-pain"}
		if _, err := svc.Launch(ctx, l); err != nil {
			b.Fatal(err)
		}
	}
}

func mustDo(b *testing.B, fn func() error) {
	b.Helper()
	if err := fn(); err != nil {
		b.Fatal(err)
	}
}
