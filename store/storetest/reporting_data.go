package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/virtualaipatient/integration/reporting/analytics"
	"github.com/virtualaipatient/integration/scoring"
	"github.com/virtualaipatient/integration/session"
)

// Names of the analytics dataset.
const (
	// AnalyticsPartner owns the dataset's cohorts.
	AnalyticsPartner = "partner-analytics"
	// AnalyticsOtherPartner has a cohort with the same id, which must never
	// leak into AnalyticsPartner's reports.
	AnalyticsOtherPartner = "partner-other"
	// AnalyticsCohort is the main cohort of the dataset.
	AnalyticsCohort = "cohort-main"
)

// analyticsBase is the dataset's first launch time.
var analyticsBase = time.Date(2026, 2, 2, 8, 0, 0, 0, time.UTC)

// AnalyticsDataset returns a deterministic, varied set of sessions for
// analytics conformance: 14 learners of AnalyticsPartner over two cases
// (one with majors 1 and 2), two assignments and a case set, attempts in
// every status (voided, abandoned, never started, previews), graded and
// pending sessions, tied best scores, dismissed errors and errors in
// abandoned sessions, plus sessions of another cohort and of
// AnalyticsOtherPartner in a cohort of the same id. Times are whole
// microseconds in UTC.
func AnalyticsDataset() []session.Session {
	rng := rand.New(rand.NewPCG(20260302, 5))
	var out []session.Session
	for l := range 14 {
		for _, c := range []struct{ caseID, asg, set string }{
			{"case-alpha", "asg-alpha", ""}, {"case-beta", "asg-set", "set-core"},
		} {
			attempts := 1 + rng.IntN(4)
			for a := 1; a <= attempts; a++ {
				s := datasetSession(rng, l, a, c.caseID, c.asg, c.set)
				out = append(out, s)
			}
		}
	}

	return append(out, outsiders(rng)...)
}

// outsiders are sessions that no query of AnalyticsCohort may count.
func outsiders(rng *rand.Rand) []session.Session {
	var out []session.Session
	for i := range 6 {
		s := datasetSession(rng, 100+i, 1, "case-alpha", "asg-alpha", "")
		s.PartnerID = AnalyticsOtherPartner
		out = append(out, s)

		o := datasetSession(rng, 200+i, 1, "case-alpha", "asg-other", "")
		o.CohortID = "cohort-other"
		out = append(out, o)
	}

	return out
}

var datasetStatuses = []session.Status{
	session.StatusCompleted, session.StatusCompleted, session.StatusCompleted,
	session.StatusCompleted, session.StatusAbandoned, session.StatusInProgress,
	session.StatusSuspended, session.StatusCreated, session.StatusVoided,
}

func datasetSession(rng *rand.Rand, learner, attempt int, caseID, asg, set string) session.Session {
	created := analyticsBase.Add(time.Duration(learner*7+attempt*31) * time.Hour).
		Add(time.Duration(rng.IntN(3600_000_000)) * time.Microsecond)
	s := session.Session{
		ID:        fmt.Sprintf("s-%03d-%s-%d", learner, caseID, attempt),
		PartnerID: AnalyticsPartner, CohortID: AnalyticsCohort, AssignmentID: asg,
		CaseSetID: set, CaseID: caseID, CaseVersion: "1.0",
		LearnerID: fmt.Sprintf("learner-%03d", learner), PartnerUserID: fmt.Sprintf("u%d", learner),
		Attempt: attempt, Mode: scoring.ModeAssessment, Policy: scoring.PolicyBest,
		Status: datasetStatuses[rng.IntN(len(datasetStatuses))], CreatedAt: created,
		LastActivityAt: created, GradingStatus: session.GradingNotReady, Revision: 1,
	}
	if caseID == "case-alpha" && attempt > 1 && learner%3 != 0 {
		s.CaseVersion = "2.1"
	}

	s.Preview = learner == 13 && attempt == 1
	if s.Status != session.StatusCreated && !(s.Status == session.StatusVoided && attempt%2 == 0) {
		s.StartedAt = created.Add(time.Duration(1+rng.IntN(600)) * time.Second)
	}

	s.ActiveDuration = time.Duration(60+rng.IntN(3000))*time.Second +
		time.Duration(rng.IntN(1e9))
	if s.Status == session.StatusCompleted || s.Status == session.StatusAbandoned ||
		s.Status == session.StatusVoided {
		s.EndedAt = s.StartedAt.Add(s.ActiveDuration + time.Minute).Truncate(time.Microsecond)
		if s.StartedAt.IsZero() {
			s.EndedAt = created.Add(time.Hour)
		}
	}

	s.FlaggedErrors = datasetErrors(rng)
	if s.Status == session.StatusCompleted {
		completeDataset(rng, &s)
	}

	return s
}

// completeDataset grades most completed sessions, leaving some pending.
func completeDataset(rng *rand.Rand, s *session.Session) {
	s.GradingStatus = session.GradingFullyGraded
	if rng.IntN(8) == 0 {
		s.GradingStatus = session.GradingPending
		return
	}

	percent := float64(rng.IntN(10001)) / 100
	if rng.IntN(4) == 0 {
		percent = []float64{70, 76.75, 64.38, 100, 0}[rng.IntN(5)]
	}

	outcome := scoring.OutcomeFailed
	if percent >= 70 && rng.IntN(6) != 0 {
		outcome = scoring.OutcomePassed
	}

	r := &scoring.Result{Percent: percent, Scaled: percent / 100, Outcome: outcome,
		FailReasons: []string{}}
	for i, d := range []string{"history_taking", "physical_exam", "management", "communication"} {
		r.SubScores = append(r.SubScores, scoring.SubScore{Domain: d,
			Applicable: (i+int(percent))%5 != 0, Percent: float64(rng.IntN(10001)) / 100,
			Hurdle: scoring.HurdleNone})
	}

	s.Score, s.ScoreRevision = r, 1
}

var datasetCodes = []struct {
	code             string
	severity         scoring.Severity
	safety, critical bool
}{
	{"MED.CONTRAINDICATED_DRUG", scoring.SeverityCritical, true, true},
	{"HX.MISSED_ALLERGY", scoring.SeverityMajor, true, false},
	{"COM.JARGON", scoring.SeverityMinor, false, false},
	{"INV.UNNEEDED_CT", scoring.SeverityModerate, false, false},
	{"ESC.DELAYED", scoring.SeverityMajor, true, false},
	{"ESC.DELAYED", scoring.SeverityModerate, false, true},
}

func datasetErrors(rng *rand.Rand) []scoring.FlaggedError {
	var out []scoring.FlaggedError
	for range rng.IntN(4) {
		c := datasetCodes[rng.IntN(len(datasetCodes))]
		e := scoring.FlaggedError{Code: c.code, Category: "care", Severity: c.severity,
			PatientSafety: c.safety, Critical: c.critical, Message: "flagged",
			Offset:     time.Duration(rng.IntN(600)) * time.Second,
			DetectedBy: scoring.DetectedByRule, Status: scoring.ErrorActive}
		if rng.IntN(5) == 0 {
			e.Status = scoring.ErrorDismissed
		}

		out = append(out, e)
	}

	return out
}

// LoadAnalyticsDataset stores the cohorts and sessions of
// [AnalyticsDataset] in st.
func LoadAnalyticsDataset(ctx context.Context, st session.Store) error {
	roster := 20
	for _, c := range []session.Cohort{
		{PartnerID: AnalyticsPartner, ID: AnalyticsCohort, Name: "Main", RosterSize: &roster},
		{PartnerID: AnalyticsPartner, ID: "cohort-other", Name: "Other"},
		{PartnerID: AnalyticsOtherPartner, ID: AnalyticsCohort, Name: "Same id"},
	} {
		if err := st.PutCohort(ctx, c); err != nil {
			return err
		}
	}

	for _, s := range AnalyticsDataset() {
		if err := st.InsertSession(ctx, s); err != nil {
			return err
		}
	}

	return nil
}

// AnalyticsCase is one query of the analytics conformance.
type AnalyticsCase struct {
	// Name names the case.
	Name string
	// Query is the query, for AnalyticsPartner.
	Query analytics.Query
}

// AnalyticsCases returns the queries the conformance runs over
// [AnalyticsDataset]: every policy, each narrowing, window edges that fall
// exactly on start times, a small minimum cell size, a roster size and an
// unknown cohort.
func AnalyticsCases() []AnalyticsCase {
	data := AnalyticsDataset()
	edge1, edge2 := startOf(data[5]), startOf(data[40])
	if edge2.Before(edge1) {
		edge1, edge2 = edge2, edge1
	}

	roster := 20
	q := func(mut func(*analytics.Query)) analytics.Query {
		x := analytics.Query{CohortID: AnalyticsCohort, MinCellSize: 3}
		mut(&x)

		return x
	}

	return []AnalyticsCase{
		{"default cell size", analytics.Query{CohortID: AnalyticsCohort}},
		{"best", q(func(*analytics.Query) {})},
		{"first", q(func(x *analytics.Query) { x.Policy = scoring.PolicyFirst })},
		{"last", q(func(x *analytics.Query) { x.Policy = scoring.PolicyLast })},
		{"mean", q(func(x *analytics.Query) { x.Policy = scoring.PolicyMean })},
		{"roster", q(func(x *analytics.Query) { x.RosterSize = &roster })},
		{"case highest major", q(func(x *analytics.Query) { x.CaseID = "case-alpha" })},
		{"case major 1", q(func(x *analytics.Query) { x.CaseID, x.CaseMajor = "case-alpha", 1 })},
		{"case without majors", q(func(x *analytics.Query) { x.CaseID = "case-beta" })},
		{"assignment", q(func(x *analytics.Query) { x.AssignmentID = "asg-set" })},
		{"case set mean", q(func(x *analytics.Query) {
			x.CaseSetID, x.Policy = "set-core", scoring.PolicyMean
		})},
		{"window edges", q(func(x *analytics.Query) { x.From, x.To = edge1, edge2 })},
		{"window from", q(func(x *analytics.Query) { x.From = edge1 })},
		{"window to", q(func(x *analytics.Query) { x.To = edge2 })},
		{"top 2 errors", q(func(x *analytics.Query) { x.TopErrors = 2 })},
		{"unknown case", q(func(x *analytics.Query) { x.CaseID = "case-none" })},
		{"unknown cohort", q(func(x *analytics.Query) { x.CohortID = "cohort-none" })},
		{"other cohort", q(func(x *analytics.Query) { x.CohortID = "cohort-other" })},
	}
}

func startOf(s session.Session) time.Time {
	if s.StartedAt.IsZero() {
		return s.CreatedAt
	}

	return s.StartedAt
}

// ReferenceReport is [analytics.Compute] over the facts of
// AnalyticsPartner's sessions in [AnalyticsDataset].
func ReferenceReport(q analytics.Query) (analytics.Report, error) {
	var facts []analytics.Fact
	for _, s := range AnalyticsDataset() {
		if s.PartnerID == AnalyticsPartner {
			facts = append(facts, analytics.FactOf(s))
		}
	}

	return analytics.Compute(q, facts)
}
