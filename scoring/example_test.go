package scoring_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/virtualaipatient/integration/scoring"
)

func exampleRubric() scoring.Rubric {
	half := 0.5
	return scoring.Rubric{
		Domains: []scoring.Domain{
			{Code: "history_taking", MaxPoints: 20, Weight: 30},
			{Code: "physical_exam", MaxPoints: 10, Weight: 15},
			{Code: "diagnostic_reasoning", MaxPoints: 8, Weight: 25},
			{Code: "management", MaxPoints: 10, Weight: 20},
			{Code: "communication", MaxPoints: 12, Weight: 10, Minimum: &half},
		},
		Threshold: 0.70,
		Critical:  scoring.CriticalRule{Action: scoring.CriticalCap, Cap: 0.50},
	}
}

func ExampleEvaluate() {
	res, err := scoring.Evaluate(exampleRubric(), scoring.Input{
		Points: map[string]float64{"history_taking": 16, "physical_exam": 7,
			"diagnostic_reasoning": 6, "management": 8, "communication": 9},
		Errors: []scoring.FlaggedError{{Code: "MED.CONTRAINDICATED_DRUG",
			Severity: scoring.SeverityCritical, PatientSafety: true, Critical: true}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	fmt.Println(res.Scaled, res.Uncapped, res.Percent, res.CapApplied, res.Outcome, res.FailReasons)
	// Output: 0.5 0.7675 50 true failed [critical_error]
}

func ExampleEvaluate_exactAtThreshold() {
	r := exampleRubric()
	r.Threshold = 0.80
	res, err := scoring.Evaluate(r, scoring.Input{
		Points: map[string]float64{"history_taking": 12, "physical_exam": 10,
			"diagnostic_reasoning": 8, "management": 6, "communication": 12},
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	fmt.Printf("%.4f %s\n", res.Scaled, res.Outcome)
	// Output: 0.8000 passed
}

func ExampleResult_json() {
	res, err := scoring.Evaluate(exampleRubric(), scoring.Input{
		Points:        map[string]float64{"history_taking": 20, "communication": 12},
		NotApplicable: []string{"physical_exam", "diagnostic_reasoning", "management"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	res.SubScores = res.SubScores[4:]
	data, _ := json.MarshalIndent(res, "", " ")
	fmt.Println(string(data))
	// Output:
	// {
	//  "aggregation": "weighted_domains",
	//  "mode": "assessment",
	//  "points": 32,
	//  "max_points": 32,
	//  "scaled": 1,
	//  "scaled_exact": "1",
	//  "uncapped_scaled": 1,
	//  "penalty": 0,
	//  "percent": 100,
	//  "cap_applied": false,
	//  "threshold": 0.7,
	//  "outcome": "passed",
	//  "fail_reasons": [],
	//  "critical_errors": 0,
	//  "sub_scores": [
	//   {
	//    "domain": "communication",
	//    "applicable": true,
	//    "points": 12,
	//    "max_points": 12,
	//    "scaled": 1,
	//    "percent": 100,
	//    "weight": 10,
	//    "share": 0.25,
	//    "contribution": 0.25,
	//    "minimum": 0.5,
	//    "hurdle": "met"
	//   }
	//  ]
	// }
}

func ExampleRubric_Validate() {
	r := exampleRubric()
	r.Critical.Cap = 0.75
	err := r.Validate()

	var ve *scoring.ValidationError
	fmt.Println(errors.Is(err, scoring.ErrCap), errors.As(err, &ve), ve.Field)
	// Output: true true critical.cap
}

func ExampleSelectAttempt() {
	day := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	attempts := []scoring.Attempt{
		{Number: 1, Ended: day, Scaled: 0.9, Outcome: scoring.OutcomeFailed, Threshold: 0.7},
		{Number: 2, Ended: day.Add(time.Hour), Scaled: 0.72, Outcome: scoring.OutcomePassed,
			Threshold: 0.7},
		{Number: 3, Ended: day.Add(2 * time.Hour), Scaled: 0.61, Outcome: scoring.OutcomeFailed,
			Threshold: 0.7},
	}
	for _, p := range []scoring.AttemptPolicy{scoring.PolicyBest, scoring.PolicyLast,
		scoring.PolicyFirst, scoring.PolicyMean} {
		sel, err := scoring.SelectAttempt(p, attempts)
		if err != nil {
			fmt.Println(err)
			return
		}

		fmt.Println(p, sel.Scaled, sel.Outcome)
	}
	// Output:
	// best 0.72 passed
	// last 0.61 failed
	// first 0.9 failed
	// mean 0.7433 passed
}

func ExampleEvaluateCaseSet() {
	threshold := 0.7
	res, err := scoring.EvaluateCaseSet(
		scoring.CaseSetRule{Pass: scoring.PassWeightedMean, Threshold: &threshold},
		[]scoring.CaseResult{
			{CaseID: "acs-chest-pain", Required: true, Weight: 2, Completed: true,
				Scaled: 0.8, Outcome: scoring.OutcomePassed},
			{CaseID: "sepsis", Required: true, Weight: 1, Completed: true,
				Scaled: 0.6, Outcome: scoring.OutcomeFailed},
		})
	if err != nil {
		fmt.Println(err)
		return
	}

	fmt.Println(res.Completed, *res.Scaled, res.Outcome)
	// Output: true 0.7333 passed
}

func ExampleNewAGSScore() {
	res := scoring.Result{Scaled: 0.6438, Outcome: scoring.OutcomeFailed}
	score, err := scoring.NewAGSScore(scoring.AGSInput{
		UserID: "lti-user-1", Result: &res, LineItemMaximum: 50,
		Activity: scoring.ActivityCompleted, Grading: scoring.GradingFullyGraded,
		Timestamp: time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC),
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	data, _ := json.MarshalIndent(score, "", " ")
	fmt.Println(string(data))
	// Output:
	// {
	//  "userId": "lti-user-1",
	//  "scoreGiven": 32.19,
	//  "scoreMaximum": 50,
	//  "timestamp": "2025-03-01T09:30:00.000Z",
	//  "activityProgress": "Completed",
	//  "gradingProgress": "FullyGraded"
	// }
}

func ExampleNewAGSScore_exact() {
	// Case J of the domain reference scores exactly 0.64375 (Scaled 0.6438);
	// scoreGiven is rounded once from the exact score.
	res, err := scoring.Evaluate(exampleRubric(), scoring.Input{
		Points: map[string]float64{"history_taking": 10, "physical_exam": 5,
			"diagnostic_reasoning": 7, "management": 5, "communication": 12},
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	score, err := scoring.NewAGSScore(scoring.AGSInput{
		UserID: "lti-user-1", Result: &res, LineItemMaximum: 7,
		Activity: scoring.ActivityCompleted, Grading: scoring.GradingFullyGraded,
		Timestamp: time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC),
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	fmt.Println(res.Scaled, res.ScaledExact, *score.ScoreGiven)
	// Output: 0.6438 103/160 4.5063
}

func ExampleNewXAPIResult() {
	res := scoring.Result{Aggregation: scoring.AggregationPoints, Points: 46, MaxPoints: 60,
		Scaled: 0.7667, Uncapped: 0.7667, Outcome: scoring.OutcomePassed}
	mastery := 0.7
	out, err := scoring.NewXAPIResult(scoring.XAPIInput{Result: &res, Completed: true,
		Duration: 23*time.Minute + 45*time.Second, MasteryScore: &mastery})
	if err != nil {
		fmt.Println(err)
		return
	}

	data, _ := json.MarshalIndent(out, "", " ")
	fmt.Println(string(data))
	// Output:
	// {
	//  "score": {
	//   "scaled": 0.7667,
	//   "raw": 46,
	//   "min": 0,
	//   "max": 60
	//  },
	//  "success": true,
	//  "completion": true,
	//  "duration": "PT23M45S"
	// }
}

func ExampleRound() {
	fmt.Println(scoring.Round(big.NewRat(64375, 100000), 4), scoring.Round(big.NewRat(-5, 2), 0))
	// Output: 0.6438 -3
}

func ExampleExact() {
	r, err := scoring.Exact(0.7)
	if err != nil {
		fmt.Println(err)
		return
	}

	fmt.Println(r)
	// Output: 7/10
}

func ExampleISODuration() {
	d, err := scoring.ISODuration(2*time.Hour + 3*time.Second)
	if err != nil {
		fmt.Println(err)
		return
	}

	fmt.Println(d)
	// Output: PT2H3S
}
