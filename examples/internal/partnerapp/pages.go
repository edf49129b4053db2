package partnerapp

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/virtualaipatient/integration/examples/internal/demo"
	"github.com/virtualaipatient/integration/partner"
	"github.com/virtualaipatient/integration/reporting"
	"github.com/virtualaipatient/integration/reporting/analytics"
)

//go:embed assets/*.html
var pageFiles embed.FS

var (
	coursePage    = template.Must(template.ParseFS(pageFiles, "assets/layout.html", "assets/course.html"))
	gradebookPage = template.Must(template.ParseFS(pageFiles, "assets/layout.html", "assets/gradebook.html"))
)

// pageTimeout bounds the VAP calls made to render a page.
const pageTimeout = 10 * time.Second

type courseView struct {
	Title, StylePath, CohortName, CohortID, LearnerID, Problem string
	Assignments                                                []assignmentView
}

type assignmentView struct {
	ID, Title, Kind, Mode, Sequencing, Due string
	Cases                                  []caseView
}

type caseView struct {
	AssignmentID, CaseID, Title, Version string
	Status, Result, Outcome              string
	Launchable, Done                     bool
}

func (a *App) handleCourse(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), pageTimeout)
	defer cancel()

	v := courseView{Title: "Course", StylePath: demo.StylePath, CohortName: demo.CohortName,
		CohortID: a.cfg.CohortID, LearnerID: a.cfg.Learner.ID}
	list, err := a.listing(ctx)
	if err != nil {
		a.cfg.Logger.Error("course page", "err", err)
		v.Problem = "Virtual AI Patient is not reachable right now; try again shortly."
	} else {
		v.Assignments = a.assignmentViews(list.Assignments)
	}

	render(w, coursePage, v, "'self'")
}

func (a *App) assignmentViews(list []reporting.Assignment) []assignmentView {
	results := a.learnerResults()
	var out []assignmentView
	for _, as := range list {
		v := assignmentView{ID: as.AssignmentID, Title: as.Title, Kind: "case",
			Mode: as.Mode, Sequencing: as.Sequencing}
		if as.CaseSetID != nil {
			v.Kind = "case set of " + fmt.Sprint(len(as.Cases))
		}

		if as.DueAt != nil {
			v.Due = as.DueAt.Format("2 Jan 2006")
		}

		locked := false
		for _, c := range as.Cases {
			cv := caseView{AssignmentID: as.AssignmentID, CaseID: c.CaseID, Title: c.Title,
				Version: c.Version, Status: "not started"}
			e, ok := results[c.CaseID]
			if ok {
				cv.Status = strings.ReplaceAll(string(e.Summary.Status), "_", " ")
				cv.Result, cv.Outcome = scoreText(e.Summary), string(e.Summary.Outcome)
			}

			done := ok && e.Summary.Score != nil
			cv.Launchable, cv.Done = !done && !locked, done
			if !done && as.Sequencing == "sequential" {
				locked = true
			}

			if !cv.Launchable && !done {
				cv.Status = "opens after the case before it"
			}

			v.Cases = append(v.Cases, cv)
		}

		out = append(out, v)
	}

	return out
}

// learnerResults returns the signed-in learner's latest entry per case.
func (a *App) learnerResults() map[string]Entry {
	out := map[string]Entry{}
	for _, e := range a.gradebook.Entries() {
		s := e.Summary
		if s.PartnerUserID != a.cfg.Learner.ID {
			continue
		}

		if cur, ok := out[s.CaseID]; !ok || better(s, cur.Summary) {
			out[s.CaseID] = e
		}
	}

	return out
}

// better reports whether s should be shown before cur: a scored session
// first, then the later attempt.
func better(s, cur reporting.SessionSummary) bool {
	if (s.Score != nil) != (cur.Score != nil) {
		return s.Score != nil
	}

	return s.Attempt > cur.Attempt
}

type gradebookView struct {
	Title, StylePath, CohortID string
	Notes                      []string
	Rows                       []gradeRow
	Analytics                  []Fact
	MinCell                    int
	// AllHidden is set when every analytics figure is suppressed.
	AllHidden bool
}

type gradeRow struct {
	SessionID, Learner, CaseTitle, CaseID, Version string
	Attempt                                        int
	Status, Score, Outcome, Reasons, Errors        string
	// SafetyCode is the code of the first patient-safety error, if any.
	SafetyCode string
	Revision   int64
	Source     Source
}

func (a *App) handleGradebook(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), pageTimeout)
	defer cancel()

	v := gradebookView{Title: "Gradebook", StylePath: demo.StylePath, CohortID: a.cfg.CohortID}
	if a.webhooks == nil {
		v.Notes = append(v.Notes, "Webhooks are off (no secret configured): "+
			"results come from the reporting API only.")
	}

	if err := a.Sync(ctx); err != nil {
		a.cfg.Logger.Error("gradebook sync", "err", err)
		v.Notes = append(v.Notes, "The reporting API could not be read; showing webhooks only.")
	}

	for _, e := range a.gradebook.Entries() {
		v.Rows = append(v.Rows, rowOf(e))
	}

	report, err := a.client.Analytics(ctx, a.cfg.CohortID, partner.AnalyticsQuery{})
	if err != nil {
		a.cfg.Logger.Error("gradebook analytics", "err", err)
	} else {
		v.Analytics, v.MinCell = AnalyticsFacts(report), report.Scope.MinCellSize
		v.AllHidden = allHidden(v.Analytics)
	}

	render(w, gradebookPage, v, "'self'")
}

func rowOf(e Entry) gradeRow {
	s := e.Summary
	row := gradeRow{SessionID: s.SessionID, Learner: s.PartnerUserID, CaseTitle: s.CaseTitle,
		CaseID: s.CaseID, Version: s.CaseVersion, Attempt: s.Attempt,
		Status: strings.ReplaceAll(string(s.Status), "_", " "), Score: "—",
		Revision: s.Revision, Source: e.Source}
	if s.Score != nil {
		row.Score = scoreText(s)
		row.Outcome = string(s.Outcome)
		row.Reasons = strings.Join(s.Score.FailReasons, ", ")
	}

	row.Errors = fmt.Sprint(s.ErrorCounts.Total)
	for _, fe := range s.FlaggedErrors {
		if fe.PatientSafety {
			row.SafetyCode = fe.Code
			break
		}
	}

	return row
}

func scoreText(s reporting.SessionSummary) string {
	if s.Score == nil {
		return ""
	}

	return fmt.Sprintf("%.2f%%", s.Score.Percent)
}

// Fact is one named figure of an analytics report, formatted for people.
type Fact struct {
	// Name says what the figure is.
	Name string
	// Value is the figure, "hidden (small group)" or "n/a".
	Value string
}

// AnalyticsFacts picks the headline figures of a cohort analytics report.
func AnalyticsFacts(r *analytics.Report) []Fact {
	sc := r.Scores.Reporting
	facts := []Fact{
		{"Learners started", count(r.Learners.Started)},
		{"Learners completed", count(r.Learners.Completed)},
		{"Learners passed", count(r.Learners.Passed)},
		{"Pass rate of completed learners", rate(r.Learners.PassOfCompleted)},
		{"Session completion rate", rate(r.Sessions.Completion)},
		{"Scores (reporting sessions)", count(sc.N)},
		{"Mean score", percent(sc.Mean)},
		{"Median score", percent(sc.Median)},
		{"Score range", scoreRange(sc)},
		{"Sessions with a patient-safety error", rate(r.Errors.SafetySessionRate)},
		{"Sessions with a critical error", rate(r.Errors.CriticalSessionRate)},
	}
	for _, d := range r.SubScores {
		facts = append(facts, Fact{"Mean " + strings.ReplaceAll(d.Domain, "_", " "),
			percent(d.Mean)})
	}

	for _, e := range r.Errors.Top {
		facts = append(facts, Fact{"Top error " + e.Code,
			count(e.Sessions) + " sessions, " + e.Severity.String()})
	}

	return facts
}

const hidden = "hidden (small group)"

// allHidden reports whether facts has figures and every one is hidden.
func allHidden(facts []Fact) bool {
	for _, f := range facts {
		if f.Value != hidden {
			return false
		}
	}

	return len(facts) > 0
}

func scoreRange(sc analytics.ScoreStats) string {
	if sc.Min.Suppressed || sc.Max.Suppressed {
		return hidden
	}

	return percent(sc.Min) + " to " + percent(sc.Max)
}

func count(c analytics.Count) string {
	switch {
	case c.Suppressed:
		return hidden
	case c.Value == nil:
		return "n/a"
	}

	return fmt.Sprint(*c.Value)
}

func rate(n analytics.Number) string {
	switch {
	case n.Suppressed:
		return hidden
	case n.Value == nil:
		return "n/a"
	}

	return fmt.Sprintf("%.1f%%", *n.Value*100)
}

func percent(n analytics.Number) string {
	switch {
	case n.Suppressed:
		return hidden
	case n.Value == nil:
		return "n/a"
	}

	return fmt.Sprintf("%.2f%%", *n.Value)
}

// render executes t into a buffer, so a failure never sends half a page.
func render(w http.ResponseWriter, t *template.Template, data any, formAction string) {
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "page", data); err != nil {
		http.Error(w, "page unavailable", http.StatusInternalServerError)
		return
	}

	demo.PageHeaders(w, formAction)
	_, _ = w.Write(buf.Bytes())
}
