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
// the facts in its scope and computes every number exactly as the package
// documentation and DOMAIN.md define them. Facts outside the scope
// (another cohort, assignment, case set, case or major, outside the
// window, previews) are ignored, so a caller may pass all of a partner's
// sessions.
func Compute(q Query, facts []Fact) (Report, error) {
	q, err := q.Normalize()
	if err != nil {
		return Report{}, err
	}

	if q.CaseID != "" && q.CaseMajor == 0 {
		q.CaseMajor = highestMajor(q, facts)
	}

	in := scoped(q, facts)
	c := cells{k: int64(q.MinCellSize)}
	rep := Report{
		SchemaVersion: ReportSchemaVersion,
		Scope:         scopeOf(q),
		Learners:      c.learners(q, in),
		Sessions:      c.sessions(in),
		Attempts:      c.attempts(in),
		Scores:        c.scores(q.Policy, in),
		TimeOnTask:    c.timeOnTask(in),
		SubScores:     c.subScores(in),
		Errors:        c.errors(q.TopErrors, in),
	}

	return rep, nil
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

func timePtr(t time.Time) *string {
	if t.IsZero() {
		return nil
	}

	s := t.UTC().Format("2006-01-02T15:04:05.000Z07:00")

	return &s
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

func (c cells) learners(q Query, in []Fact) Learners {
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

	raw := []int64{int64(len(sets[0])), int64(len(sets[1])), int64(len(sets[2]))}
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

var statusOrder = []session.Status{session.StatusCreated, session.StatusInProgress,
	session.StatusSuspended, session.StatusCompleted, session.StatusAbandoned,
	session.StatusVoided}

func (c cells) sessions(in []Fact) Sessions {
	raw := make([]int64, len(statusOrder))
	var gradedN, passedN, firstN, firstPassed int64
	for _, f := range in {
		if i := slices.Index(statusOrder, f.Status); i >= 0 {
			raw[i]++
		}

		if graded(f) {
			gradedN++
			firstN += b2i(f.Attempt == 1)
		}

		if passed(f) {
			passedN++
			firstPassed += b2i(f.Attempt == 1)
		}
	}

	total := int64(len(in))
	cs := c.partition(raw, total)
	s := Sessions{ByStatus: StatusCounts{Total: c.count(total), Created: cs[0],
		InProgress: cs[1], Suspended: cs[2], Completed: cs[3], Abandoned: cs[4], Voided: cs[5]}}
	completed, abandoned := raw[3], raw[4]
	terminal := completed + abandoned
	termCount := c.count(terminal)
	s.Completion = c.rate(cs[3], termCount, completed, terminal)
	s.Abandonment = c.rate(cs[4], termCount, abandoned, terminal)
	s.Pass = c.rate(c.count(passedN), c.count(gradedN), passedN, gradedN)
	s.FirstAttemptPass = c.rate(c.count(firstPassed), c.count(firstN), firstPassed, firstN)

	return s
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

func (c cells) attempts(in []Fact) Attempts {
	per := pairs(in, started)
	counts := make([]*big.Rat, 0, len(per))
	var toPass []*big.Rat
	for _, list := range per {
		counts = append(counts, big.NewRat(int64(len(list)), 1))
		for i, f := range list {
			if passed(f) {
				toPass = append(toPass, big.NewRat(int64(i+1), 1))
				break
			}
		}
	}

	return Attempts{PerLearner: c.attemptStats(counts), ToFirstPass: c.attemptStats(toPass)}
}

func (c cells) attemptStats(xs []*big.Rat) AttemptStats {
	s := sorted(xs)
	n := int64(len(s))
	st := AttemptStats{N: c.count(n), Mean: c.stat(n, mean(s), valueDecimals)}
	if n > 0 {
		st.Max = c.stat(n, s[n-1], 0)
	}

	raw := make([]int64, 5)
	for _, x := range s {
		k := int(x.Num().Int64())
		raw[min(k, 5)-1]++
	}

	cells := c.partition(raw, n)
	for i, label := range []string{"1", "2", "3", "4", "5+"} {
		st.Distribution = append(st.Distribution, Bucket{Label: label, Count: cells[i]})
	}

	return st
}

func percentOf(f Fact) *big.Rat {
	r, err := scoring.Exact(f.Percent)
	if err != nil {
		return new(big.Rat)
	}

	return r
}

func (c cells) scores(p scoring.AttemptPolicy, in []Fact) Scores {
	var all []*big.Rat
	for _, f := range in {
		if graded(f) {
			all = append(all, percentOf(f))
		}
	}

	var reporting []*big.Rat
	for _, list := range pairs(in, graded) {
		reporting = append(reporting, policyValue(p, list))
	}

	return Scores{Reporting: c.scoreStats(reporting), AllGraded: c.scoreStats(all)}
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

func (c cells) timeOnTask(in []Fact) TimeOnTask {
	var xs []*big.Rat
	for _, f := range in {
		if f.Status == session.StatusCompleted {
			xs = append(xs, secondsRat(int64(f.ActiveDuration)))
		}
	}

	s := sorted(xs)
	n := int64(len(s))
	t := TimeOnTask{N: c.count(n), Mean: c.stat(n, mean(s), valueDecimals)}
	if n > 0 {
		t.Median = c.stat(n, percentile(s, half), valueDecimals)
		t.P90 = c.stat(n, percentile(s, nineTenths), valueDecimals)
		t.Min = c.stat(n, s[0], valueDecimals)
		t.Max = c.stat(n, s[n-1], valueDecimals)
	}

	return t
}

func (c cells) subScores(in []Fact) []DomainMean {
	by := make(map[string][]*big.Rat)
	for _, f := range in {
		if !graded(f) {
			continue
		}

		for _, d := range f.SubScores {
			r, err := scoring.Exact(d.Percent)
			if err == nil {
				by[d.Domain] = append(by[d.Domain], r)
			}
		}
	}

	out := []DomainMean{}
	for _, d := range sortedDomains(by) {
		n := int64(len(by[d]))
		out = append(out, DomainMean{Domain: d, N: c.count(n),
			Mean: c.stat(n, mean(by[d]), valueDecimals)})
	}

	return out
}

func sortedDomains(m map[string][]*big.Rat) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}

	slices.Sort(out)

	return out
}
