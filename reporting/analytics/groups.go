package analytics

import "github.com/virtualaipatient/integration/scoring"

// groups are the quantities of a report's model that the report shows,
// and the statistics that read more than one count or a link.
type groups struct {
	// Sessions by status, the total, and the sessions counted by the
	// time on task and the errors (the completed ones).
	total, created, inProgress, suspended, completed, abandoned, voided qid
	timeN, errorSessions                                                qid
	// graded is the N of all graded scores.
	graded qid
	// Learners; enrolled is none without a roster size.
	enrolled, started, learnersCompleted, learnersPassed qid
	// pairs, passPairs and gradedPairs are the learner-case pairs of the
	// attempts per learner, of the attempts to a first pass and of the
	// reporting scores.
	pairs, passPairs, gradedPairs qid
	buckets, passBuckets          [5]qid
	reportingBins, gradedBins     [10]qid
	// domains are the sub-score N's, in the order of the sorted tallies.
	domains []qid

	// Statistics.
	completion, abandonment, pass, firstPass                                   int
	completionOfStarted, passOfCompleted, completionOfEnrolled, passOfEnrolled int
	attemptsMean, toPassMean                                                   int

	// Links and counts the sections share.
	startedSessions, passedSessions qid
}

// buildModel lays out the groups of a report and how they relate. Every
// relation holds by the definitions in DOMAIN.md; a remainder (m.rest) is
// a group of its own, such as the completed sessions not yet graded.
func buildModel(q Query, t Tally, domains []DomainTally) (*model, groups) {
	m := &model{k: int64(q.MinCellSize)}
	g := groups{enrolled: none}
	g.sessionGroups(m, t)
	g.learnerGroups(m, q, t.Learners)
	g.pairGroups(m, t)
	g.scoreGroups(m, q.Policy == scoring.PolicyMean, t, domains)

	return m, g
}

// alias returns q when raw is its count, else a new quantity of kind k
// equal to it by definition: a tally whose sections disagree (see
// relate).
func alias(m *model, raw int64, q qid, k qkind) qid {
	if m.qs[q].raw == raw {
		return q
	}

	a := m.add(raw, k)
	m.relate(a, one(q))

	return a
}

func ones(qs ...qid) []part {
	out := make([]part, len(qs))
	for i, q := range qs {
		out[i] = one(q)
	}

	return out
}

func (g *groups) sessionGroups(m *model, t Tally) {
	s := t.Sessions
	cells := []int64{s.Created, s.InProgress, s.Suspended, s.Completed, s.Abandoned, s.Voided}
	ids := make([]qid, len(cells))
	var total int64
	for i, n := range cells {
		ids[i], total = m.count(n), total+n
	}

	g.created, g.inProgress, g.suspended = ids[0], ids[1], ids[2]
	g.completed, g.abandoned, g.voided = ids[3], ids[4], ids[5]
	g.total = m.count(total)
	m.relate(g.total, ones(ids...)...)
	g.timeN = alias(m, t.TimeOnTask.N, g.completed, kindCount)
	g.errorSessions = alias(m, t.Errors.Sessions, g.completed, kindCount)

	terminal := m.link(s.Completed + s.Abandoned)
	m.relate(terminal, one(g.completed), one(g.abandoned))
	g.completion = m.stat(g.completed, terminal)
	g.abandonment = m.stat(g.abandoned, terminal)

	// graded ⊆ completed; passed and first attempts ⊆ graded.
	g.graded = m.count(t.AllGraded.N)
	m.rest(g.completed, one(g.graded))
	graded := alias(m, s.Graded, g.graded, kindLink)
	g.passedSessions = m.link(s.Passed)
	firstGraded, firstPassed := m.link(s.FirstGraded), m.link(s.FirstPassed)
	m.rest(graded, one(g.passedSessions))
	m.rest(graded, one(firstGraded))
	m.rest(firstGraded, one(firstPassed))
	m.rest(g.passedSessions, one(firstPassed))
	g.pass = m.stat(g.passedSessions, graded)
	g.firstPass = m.stat(firstPassed, firstGraded)
}

func (g *groups) learnerGroups(m *model, q Query, l LearnerTally) {
	g.started, g.learnersCompleted = m.count(l.Started), m.count(l.Completed)
	g.learnersPassed = m.count(l.Passed)
	if q.RosterSize != nil {
		g.enrolled = m.fixed(int64(*q.RosterSize))
		m.rest(g.enrolled, one(g.started))
	}

	m.rest(g.started, one(g.learnersCompleted))
	m.rest(g.learnersCompleted, one(g.learnersPassed))
	// Each learner with a completed session has a first one.
	m.rest(g.completed, one(g.learnersCompleted))
	g.completionOfStarted = m.stat(g.learnersCompleted, g.started)
	g.passOfCompleted = m.stat(g.learnersPassed, g.learnersCompleted)
	g.completionOfEnrolled = m.stat(g.learnersCompleted)
	g.passOfEnrolled = m.stat(g.learnersPassed)
}

// pairGroups relates the learner-case pairs to the learners and sessions.
// Within one case a pair is a learner, so the pairs of the attempts equal
// the learners started, the pairs with a first pass the learners passed,
// and the pairs with a graded session are among the learners completed.
func (g *groups) pairGroups(m *model, t Tally) {
	g.pairs, g.passPairs = m.count(t.PerLearner.N), m.count(t.ToFirstPass.N)
	g.gradedPairs = m.count(t.Reporting.N)
	m.rest(g.pairs, one(g.gradedPairs))
	m.rest(g.gradedPairs, one(g.passPairs))
	m.rest(g.graded, one(g.gradedPairs))
	m.rest(g.passedSessions, one(g.passPairs))
	if t.Cases <= 1 {
		m.relate(g.pairs, one(g.started))
		m.relate(g.passPairs, one(g.learnersPassed))
		m.rest(g.learnersCompleted, one(g.gradedPairs))
	} else {
		m.rest(g.pairs, one(g.started))
		m.rest(g.passPairs, one(g.learnersPassed))
	}

	// The attempts per learner add up to the started sessions.
	g.startedSessions = m.link(t.PerLearner.Sum)
	m.relate(g.startedSessions, one(g.inProgress), one(g.suspended), one(g.completed),
		one(g.abandoned))
	m.rest(g.startedSessions, one(g.pairs))
	g.buckets = distribution(m, g.pairs, g.startedSessions, t.PerLearner)
	g.attemptsMean = m.stat(g.pairs, g.startedSessions)

	// The attempts to a first pass are started sessions of passing pairs,
	// one of them the first pass.
	toPass := m.link(t.ToFirstPass.Sum)
	m.rest(g.startedSessions, one(toPass))
	m.rest(toPass, one(g.passPairs))
	g.passBuckets = distribution(m, g.passPairs, toPass, t.ToFirstPass)
	g.toPassMean = m.stat(g.passPairs, toPass)
}

// distribution adds the buckets of an attempt distribution: they add up
// to the pairs n, and their attempts to sum (1 per pair in bucket "1" ..
// 4 in "4", at least 5 in "5+").
func distribution(m *model, n, sum qid, t AttemptTally) [5]qid {
	var b [5]qid
	for i := range b {
		b[i] = m.count(t.Buckets[i])
	}

	m.relate(n, ones(b[:]...)...)
	parts := make([]part, 0, 5)
	long := t.Sum
	for i := range 4 {
		parts = append(parts, part{q: b[i], c: int64(i + 1)})
		long -= int64(i+1) * t.Buckets[i]
	}

	switch {
	case t.Buckets[4] == 0:
		// A shown zero in "5+" tells that no pair has more attempts.
		parts = append(parts, one(m.fixed(long)))
	default:
		l := m.add(long, kindRest)
		m.rest(l, part{q: b[4], c: 5})
		parts = append(parts, one(l))
	}

	m.relate(sum, parts...)

	return b
}

func (g *groups) scoreGroups(m *model, meanPolicy bool, t Tally, domains []DomainTally) {
	for i := range 10 {
		g.reportingBins[i] = m.count(t.Reporting.Bins[i])
		g.gradedBins[i] = m.count(t.AllGraded.Bins[i])
	}

	m.relate(g.gradedPairs, ones(g.reportingBins[:]...)...)
	m.relate(g.graded, ones(g.gradedBins[:]...)...)
	if !meanPolicy {
		// A reporting score is one graded session's score, in the same bin.
		for i := range 10 {
			m.rest(g.gradedBins[i], one(g.reportingBins[i]))
		}
	}

	for _, d := range domains {
		id := m.count(d.N)
		m.rest(g.graded, one(id))
		g.domains = append(g.domains, id)
	}
}
