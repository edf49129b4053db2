package demo

import (
	"strings"
	"time"

	"github.com/virtualaipatient/integration/scoring"
	"github.com/virtualaipatient/integration/session"
)

// Identifiers of the demo partner and its cohort.
const (
	// PartnerID is the partner's id in VAP's registry.
	PartnerID = "demo-lms"
	// CohortID is the partner's cohort that the case set is assigned to.
	CohortID = "cardiology-2026"
	// CohortName is the cohort's display name.
	CohortName = "Cardiology rotation 2026"
	// CaseSetID is the case set assigned to the cohort.
	CaseSetID = "acute-care-core"
	// AssignmentID is the partner's id of the assignment.
	AssignmentID = "acute-care-core-2026"
	// LearnerID is the partner user id of the demo learner.
	LearnerID = "learner-0001"
)

// APIBasePath is where the VAP backend mounts the partner API.
const APIBasePath = "/integrations/partner"

// Issuer returns the partner's issuer for a partner app served at
// partnerURL.
func Issuer(partnerURL string) string {
	return strings.TrimRight(partnerURL, "/")
}

// LaunchAudience returns the audience of launch tokens for a VAP backend
// served at vapURL.
func LaunchAudience(vapURL string) string {
	return APIBase(vapURL) + "/launch"
}

// APIAudience returns the audience of API credentials for a VAP backend
// served at vapURL.
func APIAudience(vapURL string) string {
	return APIBase(vapURL)
}

// APIBase returns the partner API's base URL for a VAP backend served at
// vapURL.
func APIBase(vapURL string) string {
	return strings.TrimRight(vapURL, "/") + APIBasePath
}

// Case is a demo case with the text the learner page shows.
type Case struct {
	// Case is the catalog entry.
	Case session.Case
	// Vignette is the opening line of the simulated patient.
	Vignette string
	// Script is the scripted result a learner finishes the case with.
	Script Script
}

// Script is a scripted result: what the grader would have produced.
type Script struct {
	// Name says what the script shows, for the printed report.
	Name string
	// Input is the scoring input.
	Input scoring.Input
}

// Rubric returns the reference rubric of the domain reference:
// threshold 0.70, critical errors cap the score at 0.50, a hurdle of 0.50
// on communication, no penalties.
func Rubric() scoring.Rubric {
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

// Cases returns the two demo cases, in case set order.
func Cases() []Case {
	return []Case{
		{
			Case: session.Case{
				ID:      "acs-chest-pain",
				Title:   "Chest pain in the emergency department",
				Summary: "A 58-year-old man with an hour of crushing chest pain.",
				Tags:    []string{"cardiology", "emergency"},
			},
			Vignette: "Doctor, it feels like an elephant is sitting on my chest. " +
				"It started an hour ago while I was shovelling snow.",
			Script: Script{
				Name:  "solid work-up, aspirin given late",
				Input: points(16, 7, 6, 8, 9, delayedAspirin()),
			},
		},
		{
			Case: session.Case{
				ID:      "sepsis-early-recognition",
				Title:   "Fever and confusion on the ward",
				Summary: "A 74-year-old woman, two days after surgery, is newly confused.",
				Tags:    []string{"infectious-disease", "ward"},
			},
			Vignette: "Nurse: she was chatting this morning; now she does not know " +
				"where she is and her temperature is 38.9.",
			Script: Script{
				Name:  "strong reasoning, curt with the family",
				Input: points(18, 9, 8, 9, 5),
			},
		},
	}
}

// CaseByID returns the demo case with the id.
func CaseByID(id string) (Case, bool) {
	for _, c := range Cases() {
		if c.Case.ID == id {
			return c, true
		}
	}

	return Case{}, false
}

// CaseSet returns the demo case set of the two cases, taken in order: a
// launch of the set opens the learner's next case.
func CaseSet() session.CaseSet {
	set := session.CaseSet{
		ID:         CaseSetID,
		Title:      "Acute care core cases",
		Sequencing: session.SequencingSequential,
	}
	for _, c := range Cases() {
		set.Cases = append(set.Cases, session.CaseRef{CaseID: c.Case.ID})
	}

	return set
}

// CohortScripts returns further scripted results of the first case, played
// by other learners of the cohort so that its analytics have groups large
// enough to be shown.
func CohortScripts() []Script {
	critical := scoring.FlaggedError{
		Code: "MED.CONTRAINDICATED_DRUG", Category: "medication",
		Severity: scoring.SeverityCritical, PatientSafety: true, Critical: true,
		Message:    "Thrombolysis ordered despite a recent intracranial bleed.",
		Offset:     14 * time.Minute,
		DetectedBy: scoring.DetectedByRule,
	}

	return []Script{
		{Name: "critical safety error (score capped)", Input: points(16, 7, 6, 8, 9, critical)},
		{Name: "full marks in exam and communication", Input: points(12, 10, 8, 6, 12)},
		{Name: "below the threshold", Input: points(10, 5, 7, 5, 12)},
		{Name: "missed the communication hurdle", Input: points(18, 9, 8, 9, 5)},
	}
}

func delayedAspirin() scoring.FlaggedError {
	return scoring.FlaggedError{
		Code: "MGT.DELAYED_ANTIPLATELET", Category: "management",
		Severity: scoring.SeverityModerate, PatientSafety: true,
		Message:    "Aspirin was given 25 minutes after the ECG showed ST elevation.",
		Offset:     25 * time.Minute,
		DetectedBy: scoring.DetectedByRule,
	}
}

// points builds an input from the five domain points, in rubric order.
func points(ht, pe, dr, mg, cm float64, errs ...scoring.FlaggedError) scoring.Input {
	return scoring.Input{
		Points: map[string]float64{
			"history_taking": ht, "physical_exam": pe, "diagnostic_reasoning": dr,
			"management": mg, "communication": cm,
		},
		Errors: errs,
	}
}
