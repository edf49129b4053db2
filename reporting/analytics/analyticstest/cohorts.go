package analyticstest

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/virtualaipatient/integration/reporting/analytics"
	"github.com/virtualaipatient/integration/scoring"
	"github.com/virtualaipatient/integration/session"
)

// Partner owns every session of the cohorts made here.
const Partner = "partner-suppression"

// Cohort is the sessions of one cohort and a query over them.
type Cohort struct {
	// Name says what the cohort exercises.
	Name string
	// Query is the analytics query, for Partner.
	Query analytics.Query
	// Sessions are the cohort's sessions, all of Partner.
	Sessions []session.Session
}

// Facts returns the analytics facts of c's sessions.
func (c Cohort) Facts() []analytics.Fact {
	out := make([]analytics.Fact, len(c.Sessions))
	for i, s := range c.Sessions {
		out[i] = analytics.FactOf(s)
	}

	return out
}

var base = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)

// builder makes the sessions of one cohort.
type builder struct {
	cohort   string
	sessions []session.Session
	attempts map[string]int
}

func newBuilder(cohort string) *builder {
	return &builder{cohort: cohort, attempts: make(map[string]int)}
}

// add appends the next attempt of learner l at case c (major 1) with a
// status; a completed one is graded at percent unless percent is below 0.
func (b *builder) add(l int, c string, status session.Status, percent float64) *session.Session {
	learner := fmt.Sprintf("%s-learner-%03d", b.cohort, l)
	b.attempts[learner+"/"+c]++
	attempt := b.attempts[learner+"/"+c]
	created := base.Add(time.Duration(len(b.sessions)) * time.Hour)
	s := session.Session{
		ID:        fmt.Sprintf("%s-%s-%d", learner, c, attempt),
		PartnerID: Partner, CohortID: b.cohort, AssignmentID: "asg-" + c, CaseID: c,
		CaseVersion: "1.0", LearnerID: learner, PartnerUserID: fmt.Sprintf("u%d", l),
		Attempt: attempt, Mode: scoring.ModeAssessment, Policy: scoring.PolicyBest,
		Status: status, CreatedAt: created, LastActivityAt: created,
		GradingStatus: session.GradingNotReady, Revision: 1,
	}
	if status != session.StatusCreated {
		s.StartedAt = created.Add(time.Minute)
		s.ActiveDuration = time.Duration(300+17*len(b.sessions)) * time.Second
	}

	if status == session.StatusCompleted || status == session.StatusAbandoned {
		s.EndedAt = s.StartedAt.Add(s.ActiveDuration + time.Minute)
	}

	if status == session.StatusCompleted && percent >= 0 {
		grade(&s, percent)
	}

	b.sessions = append(b.sessions, s)

	return &b.sessions[len(b.sessions)-1]
}

// grade scores s at percent: passed from 70.
func grade(s *session.Session, percent float64) {
	outcome := scoring.OutcomeFailed
	if percent >= 70 {
		outcome = scoring.OutcomePassed
	}

	s.GradingStatus, s.ScoreRevision = session.GradingFullyGraded, 1
	s.Score = &scoring.Result{Percent: percent, Scaled: percent / 100, Outcome: outcome,
		FailReasons: []string{}, SubScores: []scoring.SubScore{
			{Domain: "history_taking", Applicable: true, Percent: percent,
				Hurdle: scoring.HurdleNone},
		}}
}

func flag(code string, severity scoring.Severity, safety bool) scoring.FlaggedError {
	return scoring.FlaggedError{Code: code, Category: "care", Severity: severity,
		PatientSafety: safety, Message: "flagged", DetectedBy: scoring.DetectedByRule,
		Status: scoring.ErrorActive}
}

// Scenarios returns the cohorts of the suppression audit, each of which
// leaked a small group before the suppression pass was made sound.
func Scenarios() []Cohort {
	return []Cohort{statusThroughSections(), learnerChain(), completionRate(), hiddenCodes()}
}

// statusThroughSections: 8 completed and 2 in progress; the N's of time on
// task, errors and all graded scores showed the completed count that the
// status partition hid.
func statusThroughSections() Cohort {
	b := newBuilder("cohort-status")
	for l := range 10 {
		status := session.StatusCompleted
		if l >= 8 {
			status = session.StatusInProgress
		}

		b.add(l, "case-a", status, float64(60+3*l))
	}

	return Cohort{Name: "status through other sections", Sessions: b.sessions,
		Query: analytics.Query{CohortID: b.cohort, CaseID: "case-a"}}
}

// learnerChain: 10 learners started and 8 completed and passed; the
// chain hid the completed and passed learners, but the pairs to a first
// pass and the reporting scores showed 8, and with a roster of 12 the
// pairs of the attempts showed the started learners the roster hid.
func learnerChain() Cohort {
	b := newBuilder("cohort-chain")
	roster := 12
	for l := range 10 {
		if l < 8 {
			b.add(l, "case-a", session.StatusCompleted, float64(72+2*l))
			continue
		}

		b.add(l, "case-a", session.StatusAbandoned, -1)
	}

	return Cohort{Name: "learner chain", Sessions: b.sessions,
		Query: analytics.Query{CohortID: b.cohort, CaseID: "case-a", RosterSize: &roster}}
}

// completionRate: 20 completed, 6 abandoned and 2 never started; the
// completion rate gave the terminal sessions, and so the abandoned ones
// hidden to protect the never-started ones.
func completionRate() Cohort {
	b := newBuilder("cohort-completion")
	for l := range 28 {
		switch {
		case l < 20:
			b.add(l, "case-a", session.StatusCompleted, float64(50+l))
		case l < 26:
			b.add(l, "case-a", session.StatusAbandoned, -1)
		default:
			b.add(l, "case-a", session.StatusCreated, -1)
		}
	}

	return Cohort{Name: "completion rate", Sessions: b.sessions,
		Query: analytics.Query{CohortID: b.cohort}}
}

// hiddenCodes: 10 completed sessions with COM.A, one also with the safety
// error MED.RARE; the errors per session gave away the hidden occurrence.
func hiddenCodes() Cohort {
	b := newBuilder("cohort-codes")
	for l := range 10 {
		s := b.add(l, "case-a", session.StatusCompleted, float64(70+l))
		s.FlaggedErrors = []scoring.FlaggedError{flag("COM.A", scoring.SeverityMinor, false)}
		if l == 0 {
			s.FlaggedErrors = append(s.FlaggedErrors,
				flag("MED.RARE", scoring.SeverityMajor, true))
		}
	}

	return Cohort{Name: "hidden error codes", Sessions: b.sessions,
		Query: analytics.Query{CohortID: b.cohort}}
}

var randomStatuses = []session.Status{
	session.StatusCompleted, session.StatusCompleted, session.StatusCompleted,
	session.StatusCompleted, session.StatusCompleted, session.StatusAbandoned,
	session.StatusAbandoned, session.StatusInProgress, session.StatusSuspended,
	session.StatusCreated, session.StatusVoided,
}

var randomCodes = []struct {
	code     string
	severity scoring.Severity
	safety   bool
	critical bool
}{
	{"COM.JARGON", scoring.SeverityMinor, false, false},
	{"HX.MISSED_ALLERGY", scoring.SeverityMajor, true, false},
	{"MED.WRONG_DOSE", scoring.SeverityCritical, true, true},
	{"INV.UNNEEDED_CT", scoring.SeverityModerate, false, false},
}

// Random returns a small random cohort for seed: 2 to 24 learners over
// one or two cases (one of them in two majors), 1 to 6 attempts each in
// any status, graded or pending, with sub-scores and flagged errors, and
// a random query (policy, minimum cell size, roster, case).
func Random(seed uint64) Cohort {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	b := newBuilder(fmt.Sprintf("cohort-random-%d", seed))
	cases := []string{"case-a", "case-b"}[:1+rng.IntN(2)]
	learners := 2 + rng.IntN(23)
	for l := range learners {
		for _, c := range cases {
			if rng.IntN(5) == 0 {
				continue
			}

			for range 1 + min(rng.IntN(4), rng.IntN(7)) {
				randomSession(rng, b, l, c)
			}
		}
	}

	q := analytics.Query{CohortID: b.cohort,
		Policy:      []scoring.AttemptPolicy{"best", "last", "first", "mean"}[rng.IntN(4)],
		MinCellSize: []int{3, 5, 5}[rng.IntN(3)]}
	if rng.IntN(3) == 0 {
		roster := learners + rng.IntN(6)
		q.RosterSize = &roster
	}

	if rng.IntN(3) == 0 {
		q.CaseID = "case-a"
	}

	return Cohort{Name: fmt.Sprintf("random %d", seed), Query: q, Sessions: b.sessions}
}

func randomSession(rng *rand.Rand, b *builder, l int, c string) {
	status := randomStatuses[rng.IntN(len(randomStatuses))]
	percent := -1.0
	if rng.IntN(6) != 0 {
		percent = float64(rng.IntN(10001)) / 100
	}

	s := b.add(l, c, status, percent)
	if c == "case-a" && s.Attempt > 1 && rng.IntN(4) == 0 {
		s.CaseVersion = "2.0"
	}

	if s.Score != nil && rng.IntN(3) == 0 {
		s.Score.SubScores = append(s.Score.SubScores, scoring.SubScore{Domain: "management",
			Applicable: true, Percent: float64(rng.IntN(101)), Hurdle: scoring.HurdleNone})
	}

	for range rng.IntN(3) {
		e := randomCodes[rng.IntN(len(randomCodes))]
		f := flag(e.code, e.severity, e.safety)
		f.Critical = e.critical
		s.FlaggedErrors = append(s.FlaggedErrors, f)
	}
}
