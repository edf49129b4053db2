package analyticstest

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"testing"

	"github.com/virtualaipatient/integration/reporting/analytics"
	"github.com/virtualaipatient/integration/scoring"
)

// Check fails tb with every way rep leaks a small group. q is the
// normalized query with its case major (as [analytics.Prepare] returns
// it) and t the tally rep was finished from; t gives the true value of
// every count, published or not, and the coefficients of the rates.
func Check(tb testing.TB, q analytics.Query, t analytics.Tally, rep analytics.Report) {
	tb.Helper()
	for _, leak := range Leaks(q, t, rep) {
		tb.Error(leak)
	}
}

// Leaks lists how rep leaks small groups: a suppressed count that the
// published numbers determine, a small group whose largest possible value
// given the published numbers is below the minimum cell size, a small
// count or a statistic over a suppressed count that is shown, or a shown
// count that is not the tally's.
func Leaks(q analytics.Query, t analytics.Tally, rep analytics.Report) []string {
	s := &system{k: int64(q.MinCellSize), idx: map[string]int{}}
	s.sessions(t, rep)
	s.learners(q, t, rep)
	s.pairs(t, rep)
	s.scores(q, t, rep)
	s.errors(t, rep)
	s.statistics(rep)

	return append(s.problems, s.solve()...)
}

// variable is one count the checker reasons about.
type variable struct {
	name      string
	raw       int64
	known     bool
	published bool // a count of the report
	// events marks a count of error occurrences beyond sessions: not a
	// group of learners or sessions, so not protected itself.
	events bool
}

// system is the relations known between a report's numbers.
type system struct {
	k        int64
	vars     []variable
	idx      map[string]int
	eqs      []equation
	problems []string
}

func (s *system) add(name string, raw int64, known, published bool) int {
	if _, dup := s.idx[name]; dup {
		panic("analyticstest: duplicate variable " + name)
	}

	s.vars = append(s.vars, variable{name: name, raw: raw, known: known, published: published})
	s.idx[name] = len(s.vars) - 1

	return len(s.vars) - 1
}

// count adds a count of the report whose true value is raw.
func (s *system) count(name string, c analytics.Count, raw int64) int {
	if c.Value != nil && *c.Value != raw {
		s.problemf("%s shows %d, the tally has %d", name, *c.Value, raw)
	}

	if c.Value != nil && raw >= 1 && raw < s.k {
		s.problemf("%s shows the small count %d", name, raw)
	}

	if c.Value == nil && !c.Suppressed {
		s.problemf("%s is null without the suppressed marker", name)
	}

	return s.add(name, raw, c.Value != nil, true)
}

// unknown adds a count the report does not show.
func (s *system) unknown(name string, raw int64) int { return s.add(name, raw, false, false) }

func (s *system) problemf(format string, args ...any) {
	s.problems = append(s.problems, fmt.Sprintf(format, args...))
}

// sum records whole = Σ parts.
func (s *system) sum(whole int, parts ...int) {
	e := equation{whole: 1}
	for _, p := range parts {
		e[p]--
	}

	s.equation(e)
}

// weighted records whole = Σ weight·part.
func (s *system) weighted(whole int, parts []int, weights []int64) {
	e := equation{whole: 1}
	for i, p := range parts {
		e[p] -= weights[i]
	}

	s.equation(e)
}

// nested records that small is a subgroup of big: big = small + rest,
// rest ≥ 0 a group of its own.
func (s *system) nested(big, small int) {
	raw := s.vars[big].raw - s.vars[small].raw
	if raw < 0 {
		s.problemf("%s (%d) is less than its part %s (%d)", s.vars[big].name,
			s.vars[big].raw, s.vars[small].name, s.vars[small].raw)
		return
	}

	rest := s.unknown(s.vars[big].name+" − "+s.vars[small].name, raw)
	s.sum(big, small, rest)
}

// extra records that occurrences of a code are at least its sessions;
// the difference counts occurrences, not a group.
func (s *system) extra(occurrences, sessions int) {
	raw := s.vars[occurrences].raw - s.vars[sessions].raw
	s.sum(occurrences, sessions, s.events(s.vars[occurrences].name+" beyond sessions", raw))
}

// events adds a count of error occurrences the report does not show.
func (s *system) events(name string, raw int64) int {
	v := s.unknown(name, raw)
	s.vars[v].events = true

	return v
}

// ratio records num/den = raw num / raw den when the rate is shown.
func (s *system) ratio(shown analytics.Number, num, den int) {
	if shown.Value == nil {
		return
	}

	s.equation(equation{num: s.vars[den].raw, den: -s.vars[num].raw})
}

func (s *system) equation(e equation) {
	var sum int64
	for v, c := range e {
		sum += c * s.vars[v].raw
	}

	if sum != 0 {
		s.problemf("checker relation does not hold on the tally: %v", s.describe(e))
		return
	}

	s.eqs = append(s.eqs, e)
}

func (s *system) describe(e equation) string {
	var parts []string
	for v, c := range e {
		parts = append(parts, fmt.Sprintf("%+d·%s", c, s.vars[v].name))
	}

	sort.Strings(parts)

	return fmt.Sprint(parts)
}

func (s *system) sessions(t analytics.Tally, rep analytics.Report) {
	st, b := t.Sessions, rep.Sessions.ByStatus
	cells := []int{
		s.count("by_status.created", b.Created, st.Created),
		s.count("by_status.in_progress", b.InProgress, st.InProgress),
		s.count("by_status.suspended", b.Suspended, st.Suspended),
		s.count("by_status.completed", b.Completed, st.Completed),
		s.count("by_status.abandoned", b.Abandoned, st.Abandoned),
		s.count("by_status.voided", b.Voided, st.Voided),
	}
	total := st.Created + st.InProgress + st.Suspended + st.Completed + st.Abandoned + st.Voided
	s.sum(s.count("by_status.total", b.Total, total), cells...)

	completed, abandoned := cells[3], cells[4]
	s.sum(s.count("time_on_task.n", rep.TimeOnTask.N, t.TimeOnTask.N), completed)
	s.sum(s.count("errors.sessions", rep.Errors.Sessions, t.Errors.Sessions), completed)

	terminal := s.unknown("terminal sessions", st.Completed+st.Abandoned)
	s.sum(terminal, completed, abandoned)
	s.ratio(rep.Sessions.Completion, completed, terminal)
	s.ratio(rep.Sessions.Abandonment, abandoned, terminal)

	graded := s.count("scores.all_graded.n", rep.Scores.AllGraded.N, t.AllGraded.N)
	s.nested(completed, graded)
	passed := s.unknown("passed sessions", st.Passed)
	firstGraded := s.unknown("graded first attempts", st.FirstGraded)
	firstPassed := s.unknown("passed first attempts", st.FirstPassed)
	s.nested(graded, passed)
	s.nested(graded, firstGraded)
	s.nested(firstGraded, firstPassed)
	s.nested(passed, firstPassed)
	s.ratio(rep.Sessions.Pass, passed, graded)
	s.ratio(rep.Sessions.FirstAttemptPass, firstPassed, firstGraded)
}

func (s *system) learners(q analytics.Query, t analytics.Tally, rep analytics.Report) {
	l, r := t.Learners, rep.Learners
	started := s.count("learners.started", r.Started, l.Started)
	completed := s.count("learners.completed", r.Completed, l.Completed)
	passed := s.count("learners.passed", r.Passed, l.Passed)
	s.nested(started, completed)
	s.nested(completed, passed)
	s.nested(s.idx["by_status.completed"], completed)
	s.ratio(r.CompletionOfStarted, completed, started)
	s.ratio(r.PassOfCompleted, passed, completed)
	if q.RosterSize != nil {
		enrolled := s.add("learners.enrolled", int64(*q.RosterSize), true, false)
		if int64(*q.RosterSize) >= l.Started {
			s.nested(enrolled, started)
		}

		s.ratio(r.CompletionOfEnrolled, completed, enrolled)
		s.ratio(r.PassOfEnrolled, passed, enrolled)
	}
}

func (s *system) pairs(t analytics.Tally, rep analytics.Report) {
	a := rep.Attempts
	pairs := s.count("attempts.per_learner.n", a.PerLearner.N, t.PerLearner.N)
	passPairs := s.count("attempts.to_first_pass.n", a.ToFirstPass.N, t.ToFirstPass.N)
	gradedPairs := s.count("scores.reporting.n", rep.Scores.Reporting.N, t.Reporting.N)
	started, passed := s.idx["learners.started"], s.idx["learners.passed"]
	s.nested(pairs, gradedPairs)
	s.nested(gradedPairs, passPairs)
	s.nested(s.idx["scores.all_graded.n"], gradedPairs)
	s.nested(s.idx["passed sessions"], passPairs)
	if t.Cases <= 1 {
		s.sum(pairs, started)
		s.sum(passPairs, passed)
		s.nested(s.idx["learners.completed"], gradedPairs)
	} else {
		s.nested(pairs, started)
		s.nested(passPairs, passed)
	}

	st := t.Sessions
	sessions := s.unknown("started sessions", t.PerLearner.Sum)
	s.sum(sessions, s.idx["by_status.in_progress"], s.idx["by_status.suspended"],
		s.idx["by_status.completed"], s.idx["by_status.abandoned"])
	if t.PerLearner.Sum != st.InProgress+st.Suspended+st.Completed+st.Abandoned {
		s.problemf("attempts per learner add up to %d, not the started sessions",
			t.PerLearner.Sum)
	}

	s.nested(sessions, pairs)
	s.distribution("attempts.per_learner", a.PerLearner, t.PerLearner, pairs, sessions)
	s.ratio(a.PerLearner.Mean, sessions, pairs)

	toPass := s.unknown("attempts to a first pass", t.ToFirstPass.Sum)
	s.nested(sessions, toPass)
	s.nested(toPass, passPairs)
	s.distribution("attempts.to_first_pass", a.ToFirstPass, t.ToFirstPass, passPairs, toPass)
	s.ratio(a.ToFirstPass.Mean, toPass, passPairs)
}

// distribution relates the buckets to the pairs n and the attempts sum.
func (s *system) distribution(name string, d analytics.AttemptStats, t analytics.AttemptTally,
	n, sum int) {
	if len(d.Distribution) != 5 {
		s.problemf("%s has %d buckets", name, len(d.Distribution))
		return
	}

	buckets := make([]int, 5)
	for i, b := range d.Distribution {
		buckets[i] = s.count(fmt.Sprintf("%s.distribution[%s]", name, b.Label), b.Count,
			t.Buckets[i])
	}

	s.sum(n, buckets...)
	long := t.Sum
	for i := range 4 {
		long -= int64(i+1) * t.Buckets[i]
	}

	l := s.unknown(name+" attempts of 5+ pairs", long)
	s.weighted(sum, append(buckets[:4:4], l), []int64{1, 2, 3, 4, 1})
	s.weighted(l, []int{buckets[4], s.unknown(name+" attempts past the 5th", long-5*t.Buckets[4])},
		[]int64{5, 1})
	if c := d.Distribution[4].Count; c.Value != nil && *c.Value == 0 {
		s.equation(equation{l: 1})
	}
}

func (s *system) scores(q analytics.Query, t analytics.Tally, rep analytics.Report) {
	graded, gradedPairs := s.idx["scores.all_graded.n"], s.idx["scores.reporting.n"]
	bins := func(name string, st analytics.ScoreStats, vt analytics.ValueTally) []int {
		var out []int
		for i, b := range st.Histogram {
			out = append(out, s.count(fmt.Sprintf("%s.histogram[%d]", name, i), b.Count,
				vt.Bins[i]))
		}

		return out
	}
	rb := bins("scores.reporting", rep.Scores.Reporting, t.Reporting)
	gb := bins("scores.all_graded", rep.Scores.AllGraded, t.AllGraded)
	s.sum(gradedPairs, rb...)
	s.sum(graded, gb...)
	if q.Policy != scoring.PolicyMean {
		for i := range gb {
			s.nested(gb[i], rb[i])
		}
	}

	byDomain := make(map[string]int64)
	for _, d := range t.SubScores {
		byDomain[d.Domain] = d.N
	}

	for _, d := range rep.SubScores {
		s.nested(graded, s.count("sub_scores."+d.Domain+".n", d.N, byDomain[d.Domain]))
	}
}

func (s *system) errors(t analytics.Tally, rep analytics.Report) {
	e, completed := rep.Errors, s.idx["by_status.completed"]
	safety := s.unknown("sessions with a safety error", t.Errors.SafetySessions)
	critical := s.unknown("sessions with a critical error", t.Errors.CriticalSessions)
	s.nested(completed, safety)
	s.nested(completed, critical)
	s.ratio(e.SafetySessionRate, safety, completed)
	s.ratio(e.CriticalSessionRate, critical, completed)

	listed := make(map[string]bool)
	var occurrences []int
	for _, row := range e.Top {
		listed[row.Code] = true
		ct := codeTally(t.Errors, row.Code)
		sessions := s.count("errors.top."+row.Code+".sessions", row.Sessions, ct.Sessions)
		occ := s.count("errors.top."+row.Code+".occurrences", row.Occurrences, ct.Occurrences)
		s.nested(completed, sessions)
		s.extra(occ, sessions)
		s.ratio(row.Rate, sessions, completed)
		occurrences = append(occurrences, occ)
	}

	codes := slices.Clone(t.Errors.Codes)
	slices.SortFunc(codes, func(a, b analytics.CodeTally) int { return compare(a.Code, b.Code) })
	for _, ct := range codes {
		if listed[ct.Code] {
			continue
		}

		sessions := s.unknown("sessions with "+ct.Code, ct.Sessions)
		occ := s.events("occurrences of "+ct.Code, ct.Occurrences)
		s.nested(completed, sessions)
		s.extra(occ, sessions)
		occurrences = append(occurrences, occ)
	}

	total := s.events("error occurrences", t.Errors.Occurrences)
	s.sum(total, occurrences...)
	s.ratio(e.PerSession, total, completed)
}

func compare(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}

	return 0
}

func codeTally(t analytics.ErrorTally, code string) analytics.CodeTally {
	for _, c := range t.Codes {
		if c.Code == code {
			return c
		}
	}

	return analytics.CodeTally{}
}

// statistics checks that every statistic over a suppressed count is
// suppressed.
func (s *system) statistics(rep analytics.Report) {
	over := func(name string, n analytics.Count, stats ...analytics.Number) {
		if !n.Suppressed {
			return
		}

		for _, x := range stats {
			if x.Value != nil || !x.Suppressed {
				s.problemf("a statistic over the suppressed %s is not suppressed", name)
				return
			}
		}
	}
	for _, sc := range []struct {
		name string
		st   analytics.ScoreStats
	}{{"scores.reporting.n", rep.Scores.Reporting}, {"scores.all_graded.n", rep.Scores.AllGraded}} {
		x := sc.st
		over(sc.name, x.N, x.Mean, x.SD, x.Min, x.P25, x.Median, x.P75, x.P90, x.Max)
	}

	tt := rep.TimeOnTask
	over("time_on_task.n", tt.N, tt.Mean, tt.Median, tt.P90, tt.Min, tt.Max)
	for _, d := range rep.SubScores {
		over("sub_scores."+d.Domain+".n", d.N, d.Mean)
	}

	for _, a := range []analytics.AttemptStats{rep.Attempts.PerLearner, rep.Attempts.ToFirstPass} {
		over("attempts n", a.N, a.Mean, a.Max)
	}

	l, ss, e := rep.Learners, rep.Sessions, rep.Errors
	over("learners.completed", l.Completed, l.CompletionOfStarted, l.PassOfCompleted)
	over("learners.started", l.Started, l.CompletionOfStarted)
	over("learners.passed", l.Passed, l.PassOfCompleted)
	if l.Enrolled != nil {
		over("learners.completed", l.Completed, l.CompletionOfEnrolled)
		over("learners.passed", l.Passed, l.PassOfEnrolled)
	}

	over("by_status.completed", ss.ByStatus.Completed, ss.Completion)
	over("by_status.abandoned", ss.ByStatus.Abandoned, ss.Abandonment)
	over("scores.all_graded.n", rep.Scores.AllGraded.N, ss.Pass)
	over("errors.sessions", e.Sessions, e.PerSession, e.SafetySessionRate, e.CriticalSessionRate)
	if e.Sessions.Suppressed && len(e.Top) > 0 {
		s.problemf("error codes are listed over the suppressed errors.sessions")
	}
}

// substitute moves the values of the variables known(v) to the
// right-hand sides, and shifts every other variable v by its least value
// least(v), so that the unknowns of the result are x − least(x) ≥ 0.
func (s *system) substitute(known func(v int) bool, least func(v int) int64) []reduced {
	var eqs []reduced
	for _, e := range s.eqs {
		r := reduced{coef: map[int]int64{}}
		for v, c := range e {
			if known(v) {
				r.rhs -= c * s.vars[v].raw
			} else {
				r.coef[v] += c
				r.rhs -= c * least(v)
			}
		}

		if len(r.coef) > 0 {
			eqs = append(eqs, r)
		}
	}

	return eqs
}

// solve looks for leaks. A small group that the roster size and the
// zero counts (shown in every report) already bound below the minimum
// cell size is not one: no suppression could protect it. A count of the
// report that is not shown is at least 1, since zero counts always are.
func (s *system) solve() []string {
	least := func(v int) int64 {
		if x := s.vars[v]; x.published && x.raw >= 1 {
			return 1
		}

		return 0
	}
	eqs := s.substitute(func(v int) bool { return s.vars[v].known }, least)
	floor := s.substitute(func(v int) bool {
		x := s.vars[v]
		return x.known && (!x.published || x.raw == 0)
	}, least)

	var out []string
	fixed := determined(eqs)
	for v, x := range s.vars {
		if x.published && !x.known && fixed[v] {
			out = append(out, fmt.Sprintf("suppressed %s = %d can be worked out", x.name, x.raw))
		}
	}

	k := float64(s.k) - 1e-6
	for v, x := range s.vars {
		if x.known || x.events || x.raw < 1 || x.raw >= s.k {
			continue
		}

		ub, err := upperBound(eqs, v)
		if err != nil {
			out = append(out, fmt.Sprintf("bound of %s: %v", x.name, err))
			continue
		}

		ub += float64(least(v))

		if !math.IsNaN(ub) && ub >= k {
			continue
		}

		fb, err := upperBound(floor, v)
		if err != nil {
			out = append(out, fmt.Sprintf("bound of %s over the floor: %v", x.name, err))
			continue
		}

		fb += float64(least(v))

		if fb >= k {
			out = append(out, fmt.Sprintf("small group %s = %d is bounded by %.4g < %d",
				x.name, x.raw, ub, s.k))
		}
	}

	return out
}
