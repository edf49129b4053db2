package analytics

import (
	"cmp"
	"math/big"
	"slices"
	"time"

	"github.com/virtualaipatient/integration/scoring"
	"github.com/virtualaipatient/integration/session"
)

// Compute is the reference computation of a report: it normalizes q, keeps
// the facts in its scope, tallies them ([Tally]) and finishes the report
// with [Finish], exactly as the package documentation and DOMAIN.md define
// every number. Facts outside the scope (another cohort, assignment, case
// set, case or major, outside the window, previews) are ignored, so a
// caller may pass all of a partner's sessions.
func Compute(q Query, facts []Fact) (Report, error) {
	q, t, err := Prepare(q, facts)
	if err != nil {
		return Report{}, err
	}

	return Finish(q, t)
}

// Prepare is the first half of [Compute]: it normalizes q, sets its case
// major when q names a case without one (the highest major among the
// case's facts in scope), and tallies the facts in scope. Finish(q, t) is
// then the report.
func Prepare(q Query, facts []Fact) (Query, Tally, error) {
	q, err := q.Normalize()
	if err != nil {
		return Query{}, Tally{}, err
	}

	if q.CaseID != "" && q.CaseMajor == 0 {
		q.CaseMajor = highestMajor(q, facts)
	}

	return q, TallyFacts(q, scoped(q, facts)), nil
}

// inScope reports whether f is in q's scope, the major aside.
func inScope(q Query, f Fact) bool {
	if f.Preview || f.CohortID != q.CohortID {
		return false
	}

	if (q.AssignmentID != "" && f.AssignmentID != q.AssignmentID) ||
		(q.CaseSetID != "" && f.CaseSetID != q.CaseSetID) ||
		(q.CaseID != "" && f.CaseID != q.CaseID) {
		return false
	}

	at := f.StartedAt
	if at.IsZero() {
		at = f.CreatedAt
	}

	return (q.From.IsZero() || !at.Before(q.From)) && (q.To.IsZero() || at.Before(q.To))
}

func highestMajor(q Query, facts []Fact) int {
	m := 0
	for _, f := range facts {
		if inScope(q, f) {
			m = max(m, f.CaseMajor)
		}
	}

	return m
}

func scoped(q Query, facts []Fact) []Fact {
	var out []Fact
	for _, f := range facts {
		if inScope(q, f) && (q.CaseMajor == 0 || f.CaseMajor == q.CaseMajor) {
			out = append(out, f)
		}
	}

	return out
}

// TallyFacts tallies facts already in scope (see [Compute]) under q's
// attempt policy. q must be normalized.
func TallyFacts(q Query, in []Fact) Tally {
	return Tally{
		Learners:    tallyLearners(in),
		Sessions:    tallySessions(in),
		PerLearner:  tallyAttempts(in, false),
		ToFirstPass: tallyAttempts(in, true),
		Reporting:   tallyReporting(q.Policy, in),
		AllGraded:   tallyAllGraded(in),
		TimeOnTask:  tallyTimeOnTask(in),
		SubScores:   tallySubScores(in),
		Errors:      tallyErrors(in),
		Cases:       countCases(in),
	}
}

// countCases counts the distinct cases of the started facts.
func countCases(in []Fact) int64 {
	cases := make(map[string]bool)
	for _, f := range in {
		if started(f) {
			cases[f.CaseID] = true
		}
	}

	return int64(len(cases))
}

func started(f Fact) bool {
	switch f.Status {
	case session.StatusInProgress, session.StatusSuspended, session.StatusCompleted,
		session.StatusAbandoned:
		return true
	}

	return false
}

func graded(f Fact) bool {
	return f.Status == session.StatusCompleted && f.GradingStatus == session.GradingFullyGraded &&
		f.Scored
}

func passed(f Fact) bool { return graded(f) && f.Outcome == scoring.OutcomePassed }

func tallyLearners(in []Fact) LearnerTally {
	sets := [3]map[string]bool{{}, {}, {}}
	for _, f := range in {
		if started(f) {
			sets[0][f.LearnerID] = true
		}

		if f.Status == session.StatusCompleted {
			sets[1][f.LearnerID] = true
		}

		if passed(f) {
			sets[2][f.LearnerID] = true
		}
	}

	return LearnerTally{Started: int64(len(sets[0])), Completed: int64(len(sets[1])),
		Passed: int64(len(sets[2]))}
}

func tallySessions(in []Fact) SessionTally {
	var t SessionTally
	by := map[session.Status]*int64{
		session.StatusCreated: &t.Created, session.StatusInProgress: &t.InProgress,
		session.StatusSuspended: &t.Suspended, session.StatusCompleted: &t.Completed,
		session.StatusAbandoned: &t.Abandoned, session.StatusVoided: &t.Voided,
	}
	for _, f := range in {
		if p := by[f.Status]; p != nil {
			*p++
		}

		if graded(f) {
			t.Graded++
			t.FirstGraded += b2i(f.Attempt == 1)
		}

		if passed(f) {
			t.Passed++
			t.FirstPassed += b2i(f.Attempt == 1)
		}
	}

	return t
}

func b2i(b bool) int64 {
	if b {
		return 1
	}

	return 0
}

// pairKey is a learner and a case: the unit of attempts and policies.
type pairKey struct{ learner, caseID string }

func pairs(in []Fact, keep func(Fact) bool) map[pairKey][]Fact {
	out := make(map[pairKey][]Fact)
	for _, f := range in {
		if keep(f) {
			k := pairKey{f.LearnerID, f.CaseID}
			out[k] = append(out[k], f)
		}
	}

	for _, list := range out {
		slices.SortFunc(list, func(a, b Fact) int { return cmp.Compare(a.Attempt, b.Attempt) })
	}

	return out
}

// tallyAttempts counts started sessions per pair, or, toPass, those up to
// the first passed one of pairs that passed.
func tallyAttempts(in []Fact, toPass bool) AttemptTally {
	var counts []int64
	for _, list := range pairs(in, started) {
		if !toPass {
			counts = append(counts, int64(len(list)))
			continue
		}

		if i := slices.IndexFunc(list, passed); i >= 0 {
			counts = append(counts, int64(i+1))
		}
	}

	return attemptTally(counts)
}

func percentOf(f Fact) *big.Rat {
	r, err := scoring.Exact(f.Percent)
	if err != nil {
		return new(big.Rat)
	}

	return r
}

func tallyAllGraded(in []Fact) ValueTally {
	var all []*big.Rat
	for _, f := range in {
		if graded(f) {
			all = append(all, percentOf(f))
		}
	}

	return valueTally(all)
}

func tallyReporting(p scoring.AttemptPolicy, in []Fact) ValueTally {
	var reporting []*big.Rat
	for _, list := range pairs(in, graded) {
		reporting = append(reporting, policyValue(p, list))
	}

	return valueTally(reporting)
}

// policyValue is a learner and case's score under the policy; list holds
// the graded sessions ordered by attempt.
func policyValue(p scoring.AttemptPolicy, list []Fact) *big.Rat {
	switch p {
	case scoring.PolicyFirst:
		return percentOf(list[0])
	case scoring.PolicyLast:
		return percentOf(list[len(list)-1])
	case scoring.PolicyMean:
		xs := make([]*big.Rat, len(list))
		for i, f := range list {
			xs[i] = percentOf(f)
		}

		return mean(xs)
	}

	best := list[0]
	for _, f := range list[1:] {
		if betterAttempt(f, best) {
			best = f
		}
	}

	return percentOf(best)
}

// betterAttempt ranks passed first, then the higher score, then the earlier
// end, then the lower attempt.
func betterAttempt(a, b Fact) bool {
	if pa, pb := passed(a), passed(b); pa != pb {
		return pa
	}

	if c := percentOf(a).Cmp(percentOf(b)); c != 0 {
		return c > 0
	}

	if !a.EndedAt.Equal(b.EndedAt) {
		return a.EndedAt.Before(b.EndedAt)
	}

	return a.Attempt < b.Attempt
}

func tallyTimeOnTask(in []Fact) ValueTally {
	var xs []*big.Rat
	for _, f := range in {
		if f.Status == session.StatusCompleted {
			xs = append(xs, secondsRat(int64(f.ActiveDuration)))
		}
	}

	return valueTally(xs)
}

func tallySubScores(in []Fact) []DomainTally {
	by := make(map[string]*DomainTally)
	for _, f := range in {
		if !graded(f) {
			continue
		}

		for _, d := range f.SubScores {
			r, err := scoring.Exact(d.Percent)
			if err != nil {
				continue
			}

			t := by[d.Domain]
			if t == nil {
				t = &DomainTally{Domain: d.Domain, Sum: new(big.Rat)}
				by[d.Domain] = t
			}

			t.N++
			t.Sum.Add(t.Sum, r)
		}
	}

	out := make([]DomainTally, 0, len(by))
	for _, t := range by {
		out = append(out, *t)
	}

	return out
}

// secondsRat is d in seconds, exactly.
func secondsRat(nanos int64) *big.Rat { return big.NewRat(nanos, 1e9) }

func timePtr(t time.Time) *string {
	if t.IsZero() {
		return nil
	}

	s := t.UTC().Format("2006-01-02T15:04:05.000Z07:00")

	return &s
}
