package analytics_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/reporting/analytics"
	"github.com/virtualaipatient/integration/scoring"
	"github.com/virtualaipatient/integration/session"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// graded returns a completed, fully graded fact.
func graded(learner string, attempt int, percent float64, outcome scoring.Outcome) analytics.Fact {
	return analytics.Fact{
		SessionID: fmt.Sprintf("%s-%d", learner, attempt), LearnerID: learner, CohortID: "c1",
		AssignmentID: "a1", CaseID: "case", CaseMajor: 1, Attempt: attempt,
		Status: session.StatusCompleted, GradingStatus: session.GradingFullyGraded,
		CreatedAt: t0, StartedAt: t0.Add(time.Duration(attempt) * time.Hour),
		EndedAt:        t0.Add(time.Duration(attempt)*time.Hour + 20*time.Minute),
		ActiveDuration: time.Duration(percent * float64(time.Second)),
		Scored:         true, Percent: percent, Outcome: outcome,
		SubScores: []analytics.DomainScore{{Domain: "history_taking", Percent: percent}},
	}
}

func withStatus(f analytics.Fact, s session.Status) analytics.Fact {
	f.Status, f.Scored, f.GradingStatus = s, false, session.GradingNotReady
	return f
}

func val(t *testing.T, n analytics.Number) float64 {
	t.Helper()
	require.False(t, n.Suppressed, "suppressed")
	require.NotNil(t, n.Value, "null")

	return *n.Value
}

func cnt(t *testing.T, c analytics.Count) int64 {
	t.Helper()
	require.False(t, c.Suppressed, "suppressed")
	require.NotNil(t, c.Value)

	return *c.Value
}

func TestComputeEmpty(t *testing.T) {
	rep, err := analytics.Compute(analytics.Query{CohortID: "c1"}, nil)
	require.NoError(t, err)
	assert.Equal(t, int64(0), cnt(t, rep.Sessions.ByStatus.Total))
	assert.Nil(t, rep.Sessions.Completion.Value)
	assert.False(t, rep.Sessions.Completion.Suppressed)
	assert.Nil(t, rep.Scores.AllGraded.Mean.Value)
	assert.Nil(t, rep.Learners.CompletionOfEnrolled.Value, "no roster")
	body, err := json.Marshal(rep)
	require.NoError(t, err)
	assert.NotContains(t, string(body), "NaN")
}

func TestComputeSingleSession(t *testing.T) {
	facts := []analytics.Fact{graded("l1", 1, 76.75, scoring.OutcomePassed)}
	rep, err := analytics.Compute(analytics.Query{CohortID: "c1"}, facts)
	require.NoError(t, err)
	assert.True(t, rep.Sessions.ByStatus.Total.Suppressed)
	assert.True(t, rep.Sessions.ByStatus.Completed.Suppressed)
	assert.True(t, rep.Scores.AllGraded.Mean.Suppressed)
	assert.Nil(t, rep.Scores.AllGraded.Mean.Value)
	assert.True(t, rep.Learners.Passed.Suppressed)
	assert.True(t, rep.TimeOnTask.Max.Suppressed)
}

// sixLearnersTimes is n copies of a cohort of 6 learners, with distinct
// learners, so that every group has at least n members. The 6 score 50,
// 60, 70, 80, 90 and 100 in their first attempts; l1 also has a second
// attempt at 95 (passed), l2 an abandoned one.
func sixLearnersTimes(n int) []analytics.Fact {
	pcts := []float64{50, 60, 70, 80, 90, 100}
	var facts []analytics.Fact
	for c := range n {
		l := func(i int) string {
			if c == 0 {
				return fmt.Sprintf("l%d", i)
			}

			return fmt.Sprintf("l%d.%d", i, c)
		}
		for i, p := range pcts {
			out := scoring.OutcomeFailed
			if p >= 70 {
				out = scoring.OutcomePassed
			}

			facts = append(facts, graded(l(i+1), 1, p, out))
		}

		facts = append(facts, graded(l(1), 2, 95, scoring.OutcomePassed))
		facts = append(facts, withStatus(graded(l(2), 2, 0, ""), session.StatusAbandoned))
	}

	return facts
}

func TestComputeStatistics(t *testing.T) {
	tests := []struct {
		name   string
		policy scoring.AttemptPolicy
		mean   float64
		median float64
	}{
		// reporting scores: best l1=95 -> {95,60,70,80,90,100}
		{"best", scoring.PolicyBest, 82.5, 85},
		{"first", scoring.PolicyFirst, 75, 75},
		{"last", scoring.PolicyLast, 82.5, 85},
		// mean: l1=(50+95)/2=72.5 -> {60,70,72.5,80,90,100}
		{"mean", scoring.PolicyMean, 78.75, 76.25},
	}
	// Five copies: in one, the single graded retake (all graded minus
	// reporting scores) is a group of 1, and the reporting scores are
	// suppressed.
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := analytics.Query{CohortID: "c1", Policy: tt.policy}
			rep, err := analytics.Compute(q, sixLearnersTimes(5))
			require.NoError(t, err)
			assert.Equal(t, tt.mean, val(t, rep.Scores.Reporting.Mean))
			assert.Equal(t, tt.median, val(t, rep.Scores.Reporting.Median))
		})
	}
}

func TestComputeAllGraded(t *testing.T) {
	rep, err := analytics.Compute(analytics.Query{CohortID: "c1"}, sixLearnersTimes(2))
	require.NoError(t, err)
	s := rep.Scores.AllGraded
	// 50 60 70 80 90 95 100, twice: n=14, mean 1090/14=77.857..
	assert.Equal(t, int64(14), cnt(t, s.N))
	assert.Equal(t, 77.86, val(t, s.Mean))
	assert.Equal(t, 50.0, val(t, s.Min))
	assert.Equal(t, 62.5, val(t, s.P25), "rank 3.25 between 60 and 70")
	assert.Equal(t, 80.0, val(t, s.Median))
	assert.Equal(t, 93.75, val(t, s.P75), "rank 9.75 between 90 and 95")
	assert.Equal(t, 98.5, val(t, s.P90), "rank 11.7 between 95 and 100")
	assert.Equal(t, 100.0, val(t, s.Max))
	// sample sd of the 14 scores
	assert.Equal(t, 17.94, val(t, s.SD))

	// Four bins of two scores each are small (the last holds 90, 95 and
	// 100, six scores); the four hidden ones are at least 1 each, which
	// leaves each up to 14 − 6 − 3 = 5, so N can stay.
	var hidden int
	for _, b := range s.Histogram {
		if b.Count.Suppressed {
			hidden++
		}
	}
	assert.Equal(t, 4, hidden)

	assert.True(t, rep.Sessions.Completion.Suppressed, "14 of 16 leaves 2 abandoned")
	assert.True(t, rep.Sessions.Abandonment.Suppressed, "2 abandoned is a small group")
	assert.True(t, rep.Sessions.ByStatus.Abandoned.Suppressed)
	assert.True(t, rep.Sessions.ByStatus.Completed.Suppressed,
		"completed would reveal abandoned by subtraction from the total")
}

// TestComputeSinglesPinned checks the bound of suppressed counts from
// below: a suppressed count is at least 1, since zero counts are shown.
// Five graded scores in five bins would show N = 5 over five suppressed
// bins, each then exactly 1; so N is suppressed too.
func TestComputeSinglesPinned(t *testing.T) {
	var facts []analytics.Fact
	for i, p := range []float64{55, 65, 75, 85, 95} {
		facts = append(facts, graded(fmt.Sprintf("l%d", i), 1, p, scoring.OutcomePassed))
	}

	rep, err := analytics.Compute(analytics.Query{CohortID: "c1"}, facts)
	require.NoError(t, err)
	var hidden, zeros int
	for _, b := range rep.Scores.Reporting.Histogram {
		switch {
		case b.Count.Suppressed:
			hidden++
		case *b.Count.Value == 0:
			zeros++
		}
	}

	assert.Equal(t, []int{5, 5}, []int{hidden, zeros})
	assert.True(t, rep.Scores.Reporting.N.Suppressed)
	assert.True(t, rep.Scores.AllGraded.N.Suppressed)
}

func TestComputeLearners(t *testing.T) {
	// Three copies, so that the reporting scores' small bins (three each,
	// at least 1 each to a reader) leave N = 18 and with it the learners
	// who completed shown.
	roster := 18
	q := analytics.Query{CohortID: "c1", RosterSize: &roster}
	rep, err := analytics.Compute(q, sixLearnersTimes(3))
	require.NoError(t, err)
	assert.Equal(t, int64(18), cnt(t, rep.Learners.Started))
	assert.Equal(t, int64(18), cnt(t, rep.Learners.Completed))
	assert.True(t, rep.Learners.Passed.Suppressed, "18 - 15 passed leaves 3 who did not")
	assert.Equal(t, 1.0, val(t, rep.Learners.CompletionOfEnrolled))
	assert.True(t, rep.Learners.PassOfCompleted.Suppressed)
}

func TestComputeScopeAndWindow(t *testing.T) {
	// Five copies, so that the totals are not suppressed.
	facts := sixLearnersTimes(5)
	other := graded("x", 1, 10, scoring.OutcomeFailed)
	other.CohortID = "c2"
	preview := graded("p", 1, 10, scoring.OutcomeFailed)
	preview.Preview = true
	facts = append(facts, other, preview)

	tests := []struct {
		name  string
		q     analytics.Query
		total int64
	}{
		{"cohort", analytics.Query{CohortID: "c1"}, 40},
		{"window", analytics.Query{CohortID: "c1", From: t0, To: t0.Add(90 * time.Minute)}, 30},
		{"other assignment", analytics.Query{CohortID: "c1", AssignmentID: "zz"}, 0},
		{"case", analytics.Query{CohortID: "c1", CaseID: "case"}, 40},
		{"case major", analytics.Query{CohortID: "c1", CaseID: "case", CaseMajor: 2}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := analytics.Compute(tt.q, facts)
			require.NoError(t, err)
			assert.Equal(t, tt.total, cnt(t, rep.Sessions.ByStatus.Total))
		})
	}
}

func TestComputeInvalid(t *testing.T) {
	tests := []struct {
		name string
		q    analytics.Query
	}{
		{"no cohort", analytics.Query{}},
		{"cell size", analytics.Query{CohortID: "c", MinCellSize: 2}},
		{"policy", analytics.Query{CohortID: "c", Policy: "worst"}},
		{"major without case", analytics.Query{CohortID: "c", CaseMajor: 1}},
		{"window", analytics.Query{CohortID: "c", From: t0, To: t0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := analytics.Compute(tt.q, nil)
			assert.ErrorIs(t, err, analytics.ErrInvalidQuery)
		})
	}
}

func TestComputeErrors(t *testing.T) {
	var facts []analytics.Fact
	for i := range 8 {
		f := graded(fmt.Sprintf("l%d", i), 1, 80, scoring.OutcomePassed)
		f.Errors = []analytics.ErrorFact{{Code: "COM.JARGON", Severity: scoring.SeverityMinor}}
		if i < 2 {
			f.Errors = append(f.Errors, analytics.ErrorFact{Code: "MED.WRONG_DOSE",
				Severity: scoring.SeverityMajor, PatientSafety: true})
		}

		facts = append(facts, f)
	}

	rep, err := analytics.Compute(analytics.Query{CohortID: "c1"}, facts)
	require.NoError(t, err)
	// 1.25 errors per session over 8 sessions and the 8 listed
	// occurrences would leave 2 for the suppressed code: hidden.
	assert.True(t, rep.Errors.PerSession.Suppressed)
	assert.True(t, rep.Errors.SafetySessionRate.Suppressed)
	assert.True(t, rep.Errors.RowsSuppressed)
	require.Len(t, rep.Errors.Top, 1)
	assert.Equal(t, "COM.JARGON", rep.Errors.Top[0].Code)
	assert.Equal(t, 1.0, val(t, rep.Errors.Top[0].Rate))

	// With every code listed, nothing is left to hide.
	for i := range facts {
		facts[i].Errors = facts[i].Errors[:1]
	}

	rep, err = analytics.Compute(analytics.Query{CohortID: "c1"}, facts)
	require.NoError(t, err)
	assert.Equal(t, 1.0, val(t, rep.Errors.PerSession))
	assert.False(t, rep.Errors.RowsSuppressed)
}

func ExampleCompute() {
	var facts []analytics.Fact
	for i, p := range []float64{55, 57, 65, 67, 75, 77, 85, 87, 95, 97} {
		facts = append(facts, graded(fmt.Sprintf("l%d", i), 1, p, scoring.OutcomePassed))
	}

	rep, _ := analytics.Compute(analytics.Query{CohortID: "c1"}, facts)
	fmt.Println(*rep.Scores.Reporting.N.Value, *rep.Scores.Reporting.Mean.Value,
		*rep.Scores.Reporting.P90.Value, rep.Scores.Reporting.Histogram[5].Count.Suppressed)
	// Output: 10 76 95.2 true
}

// TestComputeCaseMajor checks that a report over a case never mixes its
// majors: without a major it covers the highest one present and says so.
func TestComputeCaseMajor(t *testing.T) {
	var facts []analytics.Fact
	for i := range 15 {
		f := graded(fmt.Sprintf("l%d", i), 1, 80, scoring.OutcomePassed)
		f.CaseMajor = 1 + i/5
		if i >= 10 {
			f.CaseID = "other"
		}

		facts = append(facts, f)
	}

	tests := []struct {
		name  string
		q     analytics.Query
		major *int
		total int64
	}{
		{"highest major of the case", analytics.Query{CohortID: "c1", CaseID: "case"}, ptr(2), 5},
		{"major given", analytics.Query{CohortID: "c1", CaseID: "case", CaseMajor: 1}, ptr(1), 5},
		{"major absent", analytics.Query{CohortID: "c1", CaseID: "case", CaseMajor: 3}, ptr(3), 0},
		{"case without sessions", analytics.Query{CohortID: "c1", CaseID: "none"}, nil, 0},
		{"every case and major", analytics.Query{CohortID: "c1"}, nil, 15},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := analytics.Compute(tt.q, facts)
			require.NoError(t, err)
			assert.Equal(t, tt.major, rep.Scope.CaseMajor)
			assert.Equal(t, tt.total, cnt(t, rep.Sessions.ByStatus.Total))
		})
	}
}

func ptr(n int) *int { return &n }
