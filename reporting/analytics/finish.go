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

	domains := slices.Clone(t.SubScores)
	slices.SortFunc(domains, func(a, b DomainTally) int { return cmp.Compare(a.Domain, b.Domain) })
	m, g := buildModel(q, t, domains)
	m.suppress()

	c := cells{m: m, g: g}
	rep := Report{
		SchemaVersion: ReportSchemaVersion,
		Scope:         scopeOf(q),
		Learners:      c.learners(q, t.Learners),
		Sessions:      c.sessions(t.Sessions),
		Attempts: Attempts{
			PerLearner:  c.attemptStats(t.PerLearner, g.pairs, g.buckets, g.attemptsMean),
			ToFirstPass: c.attemptStats(t.ToFirstPass, g.passPairs, g.passBuckets, g.toPassMean),
		},
		Scores: Scores{Reporting: c.scoreStats(t.Reporting, g.gradedPairs, g.reportingBins),
			AllGraded: c.scoreStats(t.AllGraded, g.graded, g.gradedBins)},
		TimeOnTask: c.timeOnTask(t.TimeOnTask, g.timeN),
		SubScores:  c.subScores(domains, g.domains),
		Errors:     c.errors(q.TopErrors, t.Errors, g.errorSessions),
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

// cells reads the suppressed model into the report's counts and numbers.
type cells struct {
	m *model
	g groups
}

// count is q's count, or suppressed.
func (c cells) count(q qid) Count {
	if c.m.hidden(q) {
		return Count{Suppressed: true}
	}

	n := c.m.qs[q].raw

	return Count{Value: &n}
}

// rate is num/den rounded to 4 decimals: suppressed when statistic s is,
// else null when den is 0.
func (c cells) rate(s int, num, den int64) Number {
	// Suppressed before null: a null that only a zero denominator gives
	// would tell, next to a suppressed rate, that its denominator is not 0.
	if !c.m.visible(s) {
		return Number{Suppressed: true}
	}

	if den == 0 {
		return Number{}
	}

	return c.shown(s, big.NewRat(num, den), rateDecimals)
}

// shown is v rounded, suppressed when statistic s is.
func (c cells) shown(s int, v *big.Rat, decimals int) Number {
	if !c.m.visible(s) {
		return Number{Suppressed: true}
	}

	return value(v, decimals)
}

// stat is v rounded: suppressed when the count n is, else null when n
// is 0 or v undefined (a null standard deviation must not tell that a
// suppressed N is 1).
func (c cells) stat(n qid, v *big.Rat, decimals int) Number {
	switch {
	case c.m.hidden(n):
		return Number{Suppressed: true}
	case c.m.qs[n].raw == 0 || v == nil:
		return Number{}
	}

	return value(v, decimals)
}

func (c cells) learners(q Query, t LearnerTally) Learners {
	g := c.g
	l := Learners{Enrolled: q.RosterSize, Started: c.count(g.started),
		Completed: c.count(g.learnersCompleted), Passed: c.count(g.learnersPassed)}
	l.CompletionOfStarted = c.rate(g.completionOfStarted, t.Completed, t.Started)
	l.PassOfCompleted = c.rate(g.passOfCompleted, t.Passed, t.Completed)
	if q.RosterSize != nil {
		roster := int64(*q.RosterSize)
		l.CompletionOfEnrolled = c.rate(g.completionOfEnrolled, t.Completed, roster)
		l.PassOfEnrolled = c.rate(g.passOfEnrolled, t.Passed, roster)
	}

	return l
}

func (c cells) sessions(t SessionTally) Sessions {
	g := c.g
	s := Sessions{ByStatus: StatusCounts{Total: c.count(g.total), Created: c.count(g.created),
		InProgress: c.count(g.inProgress), Suspended: c.count(g.suspended),
		Completed: c.count(g.completed), Abandoned: c.count(g.abandoned),
		Voided: c.count(g.voided)}}
	terminal := t.Completed + t.Abandoned
	s.Completion = c.rate(g.completion, t.Completed, terminal)
	s.Abandonment = c.rate(g.abandonment, t.Abandoned, terminal)
	s.Pass = c.rate(g.pass, t.Passed, t.Graded)
	s.FirstAttemptPass = c.rate(g.firstPass, t.FirstPassed, t.FirstGraded)

	return s
}

func (c cells) attemptStats(t AttemptTally, n qid, buckets [5]qid, mean int) AttemptStats {
	st := AttemptStats{N: c.count(n)}
	if t.N > 0 {
		st.Mean = c.shown(mean, big.NewRat(t.Sum, t.N), valueDecimals)
		st.Max = c.stat(n, big.NewRat(t.Max, 1), 0)
	}

	for i, label := range []string{"1", "2", "3", "4", "5+"} {
		st.Distribution = append(st.Distribution, Bucket{Label: label,
			Count: c.count(buckets[i])})
	}

	return st
}

func (c cells) timeOnTask(t ValueTally, n qid) TimeOnTask {
	tt := TimeOnTask{N: c.count(n)}
	if t.N > 0 {
		tt.Mean = c.stat(n, meanOf(t), valueDecimals)
		tt.Median = c.stat(n, percentileOf(t, half), valueDecimals)
		tt.P90 = c.stat(n, percentileOf(t, nineTenths), valueDecimals)
		tt.Min = c.stat(n, t.Ranked[0], valueDecimals)
		tt.Max = c.stat(n, t.Ranked[t.N-1], valueDecimals)
	}

	return tt
}

// subScores reports the domains, sorted, with their N's ids.
func (c cells) subScores(list []DomainTally, ids []qid) []DomainMean {
	out := []DomainMean{}
	for i, d := range list {
		m := DomainMean{Domain: d.Domain, N: c.count(ids[i])}
		if d.N > 0 {
			m.Mean = c.stat(ids[i], new(big.Rat).Quo(d.Sum, big.NewRat(d.N, 1)), valueDecimals)
		}

		out = append(out, m)
	}

	return out
}
