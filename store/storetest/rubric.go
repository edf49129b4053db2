package storetest

import (
	"time"

	"github.com/virtualaipatient/integration/scoring"
)

// storeRubric is the domain reference rubric: history taking 20/30,
// physical exam 10/15, diagnostic reasoning 8/25, management 10/20,
// communication 12/10 with a 0.50 hurdle; threshold 0.70, critical cap 0.50.
func storeRubric() scoring.Rubric {
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

// caseAInput is the reference case A: 16/7/6/8/9, scaled 0.7675, passed.
func caseAInput() scoring.Input {
	return scoring.Input{
		Points: map[string]float64{
			"history_taking": 16, "physical_exam": 7, "diagnostic_reasoning": 6,
			"management": 8, "communication": 9,
		},
		Mode: scoring.ModeAssessment,
	}
}

// storeScore is a scoring input with a flagged error and its evaluated
// result, for store round trips.
func storeScore() (scoring.Input, scoring.Result) {
	in := caseAInput()
	in.Errors = []scoring.FlaggedError{{
		Code: "MED.CONTRAINDICATED_DRUG", Category: "medication",
		Severity: scoring.SeverityMajor, PatientSafety: true, Message: "Aspirin with a bleed",
		Offset: 4*time.Minute + 250*time.Millisecond, DetectedBy: scoring.DetectedByRule,
		Status: scoring.ErrorActive,
	}}
	res, err := scoring.Evaluate(storeRubric(), in)
	if err != nil {
		panic("storetest: reference rubric does not evaluate: " + err.Error())
	}

	return in, res
}
