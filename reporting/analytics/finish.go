package analytics

import (
	"cmp"
	"math/big"
	"slices"
)

// Finish turns a tally into a report: it suppresses small cells, takes
// the statistics from the exact sums and ranked values, and rounds once.
// q is normalized here; when q.CaseID is set and q.CaseMajor is 0 the
// caller first sets q.CaseMajor to the highest major among the sessions of
// the scope (0 when there is none), as [Compute] does, so that the report's
// scope says which major it covers. Finish does not modify t.
func Finish(q Query, t Tally) (Report, error) {
	q, err := q.Normalize()
	if err != nil {
		return Report{}, err
	}

	c := cells{k: int64(q.MinCellSize)}
	rep := Report{
		SchemaVersion: ReportSchemaVersion,
		Scope:         scopeOf(q),
		Learners:      c.learners(q, t.Learners),
		Sessions:      c.sessions(t.Sessions),
		Attempts: Attempts{PerLearner: c.attemptStats(t.PerLearner),
			ToFirstPass: c.attemptStats(t.ToFirstPass)},
		Scores: Scores{Reporting: c.scoreStats(t.Reporting),
			AllGraded: c.scoreStats(t.AllGraded)},
		TimeOnTask: c.timeOnTask(t.TimeOnTask),
		SubScores:  c.subScores(t.SubScores),
		Errors:     c.errors(q.TopErrors, t.Errors),
	}

	return rep, nil
}

func scopeOf(q Query) Scope {
	s := Scope{CohortID: q.CohortID, AssignmentID: ptr(q.AssignmentID),
		CaseSetID: ptr(q.CaseSetID), CaseID: ptr(q.CaseID), From: timePtr(q.From),
		To: timePtr(q.To), Policy: q.Policy, MinCellSize: q.MinCellSize}
	if q.CaseMajor > 0 {
		s.CaseMajor = &q.CaseMajor
	}

	return s
}

func ptr(s string) *string {
	if s == "" {
		return nil
	}

	return &s
}

func (c cells) learners(q Query, t LearnerTally) Learners {
	raw := []int64{t.Started, t.Completed, t.Passed}
	shown := []Count{c.count(raw[0]), c.count(raw[1]), c.count(raw[2])}
	if q.RosterSize != nil {
		roster := int64(*q.RosterSize)
		raw = append([]int64{roster}, raw...)
		shown = append([]Count{{Value: &roster}}, shown...)
		c.chain(raw, shown)
		raw, shown = raw[1:], shown[1:]
	} else {
		c.chain(raw, shown)
	}

	l := Learners{Enrolled: q.RosterSize, Started: shown[0], Completed: shown[1], Passed: shown[2]}
	l.CompletionOfStarted = c.rate(shown[1], shown[0], raw[1], raw[0])
	l.PassOfCompleted = c.rate(shown[2], shown[1], raw[2], raw[1])
	if q.RosterSize != nil {
		roster := int64(*q.RosterSize)
		rc := Count{Value: &roster}
		l.CompletionOfEnrolled = c.rate(shown[1], rc, raw[1], roster)
		l.PassOfEnrolled = c.rate(shown[2], rc, raw[2], roster)
	}

	return l
}

func (c cells) sessions(t SessionTally) Sessions {
	raw := []int64{t.Created, t.InProgress, t.Suspended, t.Completed, t.Abandoned, t.Voided}
	var total int64
	for _, n := range raw {
		total += n
	}

	cs := c.partition(raw, total)
	s := Sessions{ByStatus: StatusCounts{Total: c.count(total), Created: cs[0],
		InProgress: cs[1], Suspended: cs[2], Completed: cs[3], Abandoned: cs[4], Voided: cs[5]}}
	terminal := t.Completed + t.Abandoned
	termCount := c.count(terminal)
	s.Completion = c.rate(cs[3], termCount, t.Completed, terminal)
	s.Abandonment = c.rate(cs[4], termCount, t.Abandoned, terminal)
	s.Pass = c.rate(c.count(t.Passed), c.count(t.Graded), t.Passed, t.Graded)
	s.FirstAttemptPass = c.rate(c.count(t.FirstPassed), c.count(t.FirstGraded),
		t.FirstPassed, t.FirstGraded)

	return s
}

func (c cells) attemptStats(t AttemptTally) AttemptStats {
	n := t.N
	st := AttemptStats{N: c.count(n)}
	if n > 0 {
		st.Mean = c.stat(n, big.NewRat(t.Sum, n), valueDecimals)
		st.Max = c.stat(n, big.NewRat(t.Max, 1), 0)
	}

	cells := c.partition(t.Buckets[:], n)
	for i, label := range []string{"1", "2", "3", "4", "5+"} {
		st.Distribution = append(st.Distribution, Bucket{Label: label, Count: cells[i]})
	}

	return st
}

func (c cells) timeOnTask(t ValueTally) TimeOnTask {
	n := t.N
	tt := TimeOnTask{N: c.count(n)}
	if n > 0 {
		tt.Mean = c.stat(n, meanOf(t), valueDecimals)
		tt.Median = c.stat(n, percentileOf(t, half), valueDecimals)
		tt.P90 = c.stat(n, percentileOf(t, nineTenths), valueDecimals)
		tt.Min = c.stat(n, t.Ranked[0], valueDecimals)
		tt.Max = c.stat(n, t.Ranked[n-1], valueDecimals)
	}

	return tt
}

func (c cells) subScores(list []DomainTally) []DomainMean {
	list = slices.Clone(list)
	slices.SortFunc(list, func(a, b DomainTally) int { return cmp.Compare(a.Domain, b.Domain) })
	out := []DomainMean{}
	for _, d := range list {
		m := DomainMean{Domain: d.Domain, N: c.count(d.N)}
		if d.N > 0 {
			m.Mean = c.stat(d.N, new(big.Rat).Quo(d.Sum, big.NewRat(d.N, 1)), valueDecimals)
		}

		out = append(out, m)
	}

	return out
}
