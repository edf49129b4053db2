package scoring

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func evaluated(t *testing.T, mutate func(*Rubric), in Input) *Result {
	t.Helper()
	r := referenceRubric()
	if mutate != nil {
		mutate(&r)
	}

	res, err := Evaluate(r, in)
	require.NoError(t, err)

	return &res
}

func TestNewAGSScore(t *testing.T) {
	caseJ := evaluated(t, nil, Input{Points: points(10, 5, 7, 5, 12)})
	tests := []struct {
		name string
		in   AGSInput
		want string
	}{
		{name: "graded", in: AGSInput{UserID: "u-1", Result: caseJ, LineItemMaximum: 100,
			Activity: ActivityCompleted, Grading: GradingFullyGraded,
			Timestamp: time.Date(2025, 3, 1, 10, 0, 0, 5e6, time.FixedZone("x", 3600))},
			want: `{"userId":"u-1","scoreGiven":64.375,"scoreMaximum":100,
				"timestamp":"2025-03-01T09:00:00.005Z","activityProgress":"Completed",
				"gradingProgress":"FullyGraded"}`},
		{name: "odd maximum", in: AGSInput{UserID: "u-1", Result: caseJ, LineItemMaximum: 7,
			Activity: ActivityCompleted, Grading: GradingFullyGraded, Comment: "Well done",
			Timestamp: t0}, want: `{"userId":"u-1","scoreGiven":4.5063,"scoreMaximum":7,
				"comment":"Well done","timestamp":"2025-03-01T09:00:00.000Z",
				"activityProgress":"Completed","gradingProgress":"FullyGraded"}`},
		{name: "odd maximum after a JSON round trip",
			in: AGSInput{UserID: "u-1", Result: roundTripped(t, caseJ), LineItemMaximum: 7,
				Activity: ActivityCompleted, Grading: GradingFullyGraded, Timestamp: t0},
			want: `{"userId":"u-1","scoreGiven":4.5063,"scoreMaximum":7,
				"timestamp":"2025-03-01T09:00:00.000Z","activityProgress":"Completed",
				"gradingProgress":"FullyGraded"}`},
		{name: "no exact score: falls back to the rounded scaled",
			in: AGSInput{UserID: "u-1", Result: &Result{Scaled: 0.6438, Outcome: OutcomeFailed},
				LineItemMaximum: 7, Activity: ActivityCompleted, Grading: GradingFullyGraded,
				Timestamp: t0},
			want: `{"userId":"u-1","scoreGiven":4.5066,"scoreMaximum":7,
				"timestamp":"2025-03-01T09:00:00.000Z","activityProgress":"Completed",
				"gradingProgress":"FullyGraded"}`},
		{name: "started, no score yet", in: AGSInput{UserID: "u-1", Activity: ActivityStarted,
			Grading: GradingNotReady, Timestamp: t0},
			want: `{"userId":"u-1","timestamp":"2025-03-01T09:00:00.000Z",
				"activityProgress":"Started","gradingProgress":"NotReady"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			score, err := NewAGSScore(tc.in)
			require.NoError(t, err)
			data, err := json.Marshal(score)
			require.NoError(t, err)
			assert.JSONEq(t, tc.want, string(data))
		})
	}
}

func TestNewAGSScoreErrors(t *testing.T) {
	res := evaluated(t, nil, Input{Points: points(16, 7, 6, 8, 9)})
	base := AGSInput{UserID: "u-1", Result: res, LineItemMaximum: 10, Activity: ActivityCompleted,
		Grading: GradingFullyGraded, Timestamp: t0}
	tests := []struct {
		name   string
		mutate func(*AGSInput)
		want   error
	}{
		{name: "score-less after a grade", mutate: func(in *AGSInput) {
			in.Result, in.GradeExists = nil, true
		}, want: ErrScorelessUpdate},
		{name: "timestamp equal to previous", mutate: func(in *AGSInput) { in.Previous = t0 },
			want: ErrTimestampOrder},
		{name: "timestamp before previous", mutate: func(in *AGSInput) {
			in.Previous = t0.Add(time.Millisecond)
		}, want: ErrTimestampOrder},
		{name: "timestamp after previous within its millisecond", mutate: func(in *AGSInput) {
			in.Previous, in.Timestamp = t0.Add(100*time.Microsecond), t0.Add(500*time.Microsecond)
		}, want: ErrTimestampOrder},
		{name: "zero maximum", mutate: func(in *AGSInput) { in.LineItemMaximum = 0 },
			want: ErrLineItemMaximum},
		{name: "unknown activity", mutate: func(in *AGSInput) { in.Activity = "Done" },
			want: ErrProgress},
		{name: "unknown grading", mutate: func(in *AGSInput) { in.Grading = "Graded" },
			want: ErrProgress},
		{name: "exact score not matching scaled", mutate: func(in *AGSInput) {
			r := *in.Result
			r.Scaled = 0.9
			in.Result = &r
		}, want: ErrScaledExact},
		{name: "malformed exact score", mutate: func(in *AGSInput) {
			r := *in.Result
			r.ScaledExact = "0.7675"
			in.Result = &r
		}, want: ErrScaledExact},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := base
			tc.mutate(&in)
			_, err := NewAGSScore(in)
			assert.ErrorIs(t, err, tc.want)
		})
	}
}

// roundTripped returns res after a trip through JSON.
func roundTripped(t *testing.T, res *Result) *Result {
	t.Helper()
	data, err := json.Marshal(res)
	require.NoError(t, err)
	var back Result
	require.NoError(t, json.Unmarshal(data, &back))
	require.Equal(t, *res, back)

	return &back
}

func TestAGSScoreJSON(t *testing.T) {
	caseJ := evaluated(t, nil, Input{Points: points(10, 5, 7, 5, 12)})
	score, err := NewAGSScore(AGSInput{UserID: "u-1", Result: caseJ, LineItemMaximum: 7,
		Activity: ActivityCompleted, Grading: GradingFullyGraded, Timestamp: t0})
	require.NoError(t, err)
	data, err := json.Marshal(score)
	require.NoError(t, err)
	var back AGSScore
	require.NoError(t, json.Unmarshal(data, &back))
	assert.Equal(t, score, back)

	const ok = `"userId":"u-1","timestamp":"2025-03-01T09:00:00.000Z"`
	tests := []struct {
		name string
		json string
	}{
		{name: "unknown activity", json: `{` + ok + `,"activityProgress":"Done",
			"gradingProgress":"FullyGraded"}`},
		{name: "unknown grading", json: `{` + ok + `,"activityProgress":"Completed",
			"gradingProgress":"Graded"}`},
		{name: "empty activity", json: `{` + ok + `,"activityProgress":"",
			"gradingProgress":"FullyGraded"}`},
		{name: "empty grading", json: `{` + ok + `,"activityProgress":"Completed",
			"gradingProgress":""}`},
		{name: "missing activity", json: `{` + ok + `,"gradingProgress":"FullyGraded"}`},
		{name: "missing grading", json: `{` + ok + `,"activityProgress":"Completed"}`},
		{name: "activity in another case", json: `{` + ok + `,"ActivityProgress":"Completed",
			"gradingProgress":"FullyGraded"}`},
		{name: "value in another case", json: `{` + ok + `,"activityProgress":"completed",
			"gradingProgress":"FullyGraded"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var s AGSScore
			assert.ErrorIs(t, json.Unmarshal([]byte(tc.json), &s), ErrUnknownValue)
		})
	}
}

func TestNewXAPIResult(t *testing.T) {
	caseA := evaluated(t, nil, Input{Points: points(16, 7, 6, 8, 9)})
	caseAPoints := evaluated(t, func(r *Rubric) { r.Aggregation = AggregationPoints },
		Input{Points: points(16, 7, 6, 8, 9)})
	caseC := evaluated(t, func(r *Rubric) { r.Critical.Action = CriticalFail },
		Input{Points: points(16, 7, 6, 8, 9), Errors: []FlaggedError{criticalError}})
	caseJ := evaluated(t, nil, Input{Points: points(10, 5, 7, 5, 12)})
	practice := evaluated(t, nil, Input{Points: points(10, 5, 7, 5, 12), Mode: ModePractice})
	d := 23*time.Minute + 45*time.Second

	tests := []struct {
		name string
		in   XAPIInput
		want string
	}{
		{name: "weighted: scaled only", in: XAPIInput{Result: caseA, Completed: true, Duration: d},
			want: `{"score":{"scaled":0.7675},"success":true,"completion":true,"duration":"PT23M45S"}`},
		{name: "points: raw, min and max", in: XAPIInput{Result: caseAPoints, Completed: true,
			Duration: d}, want: `{"score":{"scaled":0.7667,"raw":46,"min":0,"max":60},
				"success":true,"completion":true,"duration":"PT23M45S"}`},
		{name: "cmi5 failed at or above mastery withholds the score",
			in:   XAPIInput{Result: caseC, Completed: true, Duration: d, MasteryScore: ptr(0.7)},
			want: `{"success":false,"completion":true,"duration":"PT23M45S"}`},
		{name: "cmi5 failed below mastery keeps the score",
			in:   XAPIInput{Result: caseJ, Completed: true, Duration: d, MasteryScore: ptr(0.7)},
			want: `{"score":{"scaled":0.6438},"success":false,"completion":true,"duration":"PT23M45S"}`},
		{name: "xAPI failed above threshold keeps the score",
			in:   XAPIInput{Result: caseC, Completed: true, Duration: d},
			want: `{"score":{"scaled":0.7675},"success":false,"completion":true,"duration":"PT23M45S"}`},
		{name: "practice: no success",
			in:   XAPIInput{Result: practice, Completed: true, Duration: 24 * time.Hour},
			want: `{"score":{"scaled":0.6438},"completion":true,"duration":"PT24H"}`},
		{name: "not graded", in: XAPIInput{Duration: 0},
			want: `{"completion":false,"duration":"PT0S"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := NewXAPIResult(tc.in)
			require.NoError(t, err)
			data, err := json.Marshal(res)
			require.NoError(t, err)
			assert.JSONEq(t, tc.want, string(data))
		})
	}
}

func TestNewXAPIResultErrors(t *testing.T) {
	caseA := evaluated(t, nil, Input{Points: points(16, 7, 6, 8, 9)})
	_, err := NewXAPIResult(XAPIInput{Result: caseA, MasteryScore: ptr(0.8)})
	assert.ErrorIs(t, err, ErrMasteryMismatch)

	_, err = NewXAPIResult(XAPIInput{Duration: -time.Second})
	assert.ErrorIs(t, err, ErrDuration)
}

func TestISODuration(t *testing.T) {
	tests := []struct {
		name string
		d    time.Duration
		want string
	}{
		{name: "zero", d: 0, want: "PT0S"},
		{name: "minutes and seconds", d: 23*time.Minute + 45*time.Second, want: "PT23M45S"},
		{name: "a day in hours", d: 24 * time.Hour, want: "PT24H"},
		{name: "hours and seconds", d: time.Hour + 5*time.Second, want: "PT1H5S"},
		{name: "fraction truncated to centiseconds", d: 1509 * time.Millisecond, want: "PT1.5S"},
		{name: "two decimals", d: 61*time.Second + 70*time.Millisecond, want: "PT1M1.07S"},
		{name: "under a centisecond", d: 9 * time.Millisecond, want: "PT0S"},
		{name: "many days", d: 50 * time.Hour, want: "PT50H"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ISODuration(tc.d)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}
