package storetest

import (
	"github.com/google/uuid"

	"github.com/virtualaipatient/integration/scoring"
	"github.com/virtualaipatient/integration/session"
)

func fixtureCase(id string) session.Case {
	return session.Case{
		ID:        id,
		Title:     "Chest pain in the emergency department",
		Summary:   "A 58-year-old presents with chest pain.",
		Tags:      []string{"cardiology", "emergency"},
		Status:    session.CaseDraft,
		CreatedAt: at(0),
		UpdatedAt: at(1),
	}
}

func fixtureVersion(caseID string, major, minor int) session.CaseVersion {
	return session.CaseVersion{
		CaseID:      caseID,
		Major:       major,
		Minor:       minor,
		Title:       "Chest pain " + session.FormatVersion(major, minor),
		Rubric:      storeRubric(),
		PublishedAt: at(major*60 + minor),
	}
}

func fixtureCaseSet(id string, caseIDs ...string) session.CaseSet {
	threshold := 0.7
	set := session.CaseSet{
		ID:            id,
		Title:         "Cardiology block",
		Sequencing:    session.SequencingSequential,
		Completion:    session.CompletionNOfM,
		RequiredCount: 1,
		Pass:          session.PassWeightedMean,
		PassThreshold: &threshold,
		CreatedAt:     at(2),
		UpdatedAt:     at(3),
	}
	for i, c := range caseIDs {
		set.Cases = append(set.Cases, session.CaseRef{CaseID: c, Weight: i + 1})
	}
	if len(set.Cases) > 0 {
		set.Cases[0].Version = "1.0"
	}

	return set
}

func fixtureCohort(partner, id string) session.Cohort {
	roster := 24
	return session.Cohort{
		PartnerID:  partner,
		ID:         id,
		Name:       "Internal medicine 2026",
		RosterSize: &roster,
		CreatedAt:  at(4),
		UpdatedAt:  at(4),
	}
}

func fixtureAssignment(partner, id, cohort, caseID string) session.Assignment {
	threshold := 0.75
	return session.Assignment{
		PartnerID:   partner,
		ID:          id,
		CohortID:    cohort,
		CaseID:      caseID,
		Cases:       []session.CaseRef{{CaseID: caseID, Version: "1.0"}},
		Sequencing:  session.SequencingFree,
		OpensAt:     at(10),
		DueAt:       at(100),
		ClosesAt:    at(200),
		MaxAttempts: 3,
		Policy:      scoring.PolicyBest,
		Mode:        scoring.ModeAssessment,
		Threshold:   &threshold,
		Relaunch:    session.RelaunchSupersede,
		CreatedAt:   at(5),
		UpdatedAt:   at(6),
	}
}

func fixtureLearner(partner, subject string) session.Learner {
	return session.Learner{
		PartnerID:  partner,
		ID:         uuid.NewString(),
		Subject:    subject,
		CreatedAt:  at(7),
		LastSeenAt: at(7),
	}
}

func fixtureSession(partner, learnerID, caseID string, attempt int) session.Session {
	return session.Session{
		ID:             uuid.NewString(),
		PartnerID:      partner,
		CohortID:       "cohort-1",
		AssignmentID:   "assignment-1",
		CaseID:         caseID,
		CaseVersion:    "1.0",
		LearnerID:      learnerID,
		PartnerUserID:  "user-" + learnerID[:8],
		Attempt:        attempt,
		Mode:           scoring.ModePractice,
		Policy:         scoring.PolicyBest,
		Status:         session.StatusCreated,
		CreatedAt:      at(20 + attempt),
		LastActivityAt: at(20 + attempt),
		GradingStatus:  session.GradingNotReady,
		Revision:       1,
	}
}
