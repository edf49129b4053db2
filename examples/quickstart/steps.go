package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/virtualaipatient/integration/examples/internal/demo"
	"github.com/virtualaipatient/integration/examples/internal/partnerapp"
	"github.com/virtualaipatient/integration/examples/internal/vapserver"
	"github.com/virtualaipatient/integration/partner"
	"github.com/virtualaipatient/integration/reporting"
	"github.com/virtualaipatient/integration/scoring"
	"github.com/virtualaipatient/integration/session"
)

// assign gives the case set to the cohort through the partner client.
func (e *env) assign(ctx context.Context) error {
	as, err := e.app.Assign(ctx)
	if err != nil {
		return err
	}

	e.out.step("Partner assigns case set %q to cohort %q (%s, %s order, best attempt counts)",
		demo.CaseSetID, as.CohortID, as.Mode, as.Sequencing)
	for _, c := range as.Cases {
		e.out.detail("%s %s: %s", c.CaseID, c.Version, c.Title)
	}

	return nil
}

// browser is an HTTP client that, like a browser's first hop, does not
// follow redirects, so each one can be shown.
var browser = &http.Client{
	Timeout:       10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

var (
	formAction = regexp.MustCompile(`<form id="vap-launch" method="post" action="([^"]*)">`)
	formToken  = regexp.MustCompile(`name="launch_token" value="([^"]*)"`)
)

// playBrowserLaunch launches the demo learner as a browser would and plays
// the first case through the learner page's API.
func (e *env) playBrowserLaunch(ctx context.Context) error {
	code, err := e.launchFromCoursePage(ctx)
	if err != nil {
		return err
	}

	var ex reporting.ExchangeResponse
	err = e.call(ctx, http.MethodPost, demo.APIBasePath+"/launch/exchange", "",
		reporting.ExchangeRequest{Code: code}, &ex)
	if err != nil {
		return fmt.Errorf("exchange the code: %w", err)
	}

	e.out.step("Learner app redeems the code once: session %s", ex.SessionID)
	e.out.detail("bearer session token (%d bytes) valid until %s UTC; never put in a URL",
		len(ex.SessionToken), ex.ExpiresAt.UTC().Format(time.TimeOnly))

	if err := e.play(ctx, ex.SessionToken); err != nil {
		return err
	}

	if err := e.awaitWebhook(ctx, ex.SessionID); err != nil {
		return err
	}

	return e.readSummary(ctx, ex.SessionID)
}

// launchFromCoursePage presses the course page's Launch button, posts the
// launch form it gets to VAP and returns the one-time code of the redirect.
func (e *env) launchFromCoursePage(ctx context.Context) (string, error) {
	first := demo.Cases()[0].Case.ID
	page, err := e.post(ctx, e.appURL+partnerapp.LaunchPath, url.Values{
		"assignment_id": {demo.AssignmentID}, "case_id": {first},
	})
	if err != nil {
		return "", fmt.Errorf("press launch: %w", err)
	}

	action, token := formAction.FindStringSubmatch(page), formToken.FindStringSubmatch(page)
	if action == nil || token == nil {
		return "", fmt.Errorf("press launch: the partner did not answer with a launch form")
	}

	e.out.step("Learner %s presses Launch on the partner's course page", demo.LearnerID)
	e.out.detail("partner answers with a self-submitting form: a %d-byte ES256 launch token,",
		len(token[1]))
	e.out.detail("posted in the body to %s (never in a URL)", html.UnescapeString(action[1]))

	loc, err := e.postForRedirect(ctx, html.UnescapeString(action[1]),
		url.Values{"launch_token": {html.UnescapeString(token[1])}})
	if err != nil {
		return "", err
	}

	code := loc.Query().Get("code")
	frag, _ := url.ParseQuery(loc.Fragment)
	if code != "" || frag.Get("code") == "" {
		return "", fmt.Errorf("launch redirect: the code is not in the fragment only")
	}

	e.out.step("VAP verifies the token, creates the session and answers 303 See Other")
	e.out.detail("to %s with a one-time code in the URL fragment", loc.Path)

	return frag.Get("code"), nil
}

func (e *env) postForRedirect(ctx context.Context, target string,
	form url.Values) (*url.URL, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target,
		strings.NewReader(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("post the launch form: %w", err)
	}

	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	// As a browser does: the form page's origin, which VAP checks against
	// the partner's form origins (by default its issuer's).
	req.Header.Set("Origin", e.appURL)
	resp, err := browser.Do(req)
	if err != nil {
		return nil, fmt.Errorf("post the launch form: %w", err)
	}
	defer resp.Body.Close()

	if resp.StatusCode != http.StatusSeeOther {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 2048))
		return nil, fmt.Errorf("post the launch form: %s: %s", resp.Status, body)
	}

	return resp.Location()
}

// play starts and completes the session with the learner page's API.
func (e *env) play(ctx context.Context, token string) error {
	var v vapserver.LearnerView
	if err := e.call(ctx, http.MethodGet, "/app/api/session", token, nil, &v); err != nil {
		return fmt.Errorf("read the session: %w", err)
	}

	e.out.step("Learner opens %q (%s %s, attempt %d)", v.Summary.CaseTitle,
		v.Summary.CaseID, v.Summary.CaseVersion, v.Summary.Attempt)
	e.out.detail("patient: %q", v.Vignette)

	if err := e.call(ctx, http.MethodPost, "/app/api/start", token, nil, &v); err != nil {
		return fmt.Errorf("start: %w", err)
	}

	e.out.step("Learner starts the case: status %s", v.Summary.Status)
	if err := e.call(ctx, http.MethodPost, "/app/api/complete", token, nil, &v); err != nil {
		return fmt.Errorf("complete: %w", err)
	}

	s := v.Summary
	if s.Score == nil {
		return fmt.Errorf("complete: the session has no score")
	}

	e.out.step("Learner completes it (script: %s); VAP scores it exactly", v.Script)
	e.out.detail("status %s, grading %s: %.2f%% %s", s.Status, s.GradingStatus,
		s.Score.Percent, s.Outcome)
	for _, fe := range s.FlaggedErrors {
		kind := fe.Severity.String()
		if fe.PatientSafety {
			kind += ", patient safety"
		}

		e.out.detail("flagged: %s (%s): %s", fe.Code, kind, fe.Message)
	}

	return nil
}

// awaitWebhook waits for the partner to receive the scored session by
// webhook.
func (e *env) awaitWebhook(ctx context.Context, sessionID string) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()

	// Completing a session sends session.completed and session.scored at
	// one revision; wait for both, so that the list below is whole.
	got, err := e.app.Gradebook().Wait(ctx, sessionID, func(en partnerapp.Entry) bool {
		return en.Source == partnerapp.SourceWebhook && en.Summary.Score != nil &&
			slices.Contains(en.Events, string(session.EventTypeSessionScored))
	})
	if err != nil {
		return fmt.Errorf("%w for the session: %w", errNoWebhook, err)
	}

	e.out.step("Partner receives signed webhooks (Standard Webhooks, HMAC-SHA256, verified)")
	e.out.detail("events %s; gradebook holds revision %d: %.2f%% %s",
		strings.Join(got.Events, ", "), got.Summary.Revision, got.Summary.Score.Percent,
		got.Summary.Outcome)

	return nil
}

// readSummary reads the session's summary through the partner client.
func (e *env) readSummary(ctx context.Context, sessionID string) error {
	s, err := e.app.Client().Summary(ctx, sessionID)
	if err != nil {
		return fmt.Errorf("read the summary: %w", err)
	}

	e.out.step("Partner reads the session summary (GET /sessions/{id}, API credential)")
	e.out.detail("%s attempt %d: %s, %s, %.2f%% (%.4f scaled, threshold %.2f) %s",
		s.PartnerUserID, s.Attempt, s.Status, s.GradingStatus, s.Score.Percent,
		s.Score.Scaled, s.Score.Threshold, s.Outcome)
	for _, sub := range s.SubScores {
		e.out.detail("  %-22s %4.1f / %-4.0f %6.2f%%  hurdle %s", sub.Domain, sub.Points,
			sub.MaxPoints, sub.Percent, sub.Hurdle)
	}

	e.out.detail("flagged errors: %d (critical %d, major %d, moderate %d, minor %d)",
		s.ErrorCounts.Total, s.ErrorCounts.Critical, s.ErrorCounts.Major,
		s.ErrorCounts.Moderate, s.ErrorCounts.Minor)

	return nil
}

// learnersPerScript is how many learners playCohort plays each cohort
// script with: enough that the cohort's analytics have groups large enough
// to be shown (a group of 1 to 4 is suppressed, and so is any number that
// would pin one).
const learnersPerScript = 4

// playCohort launches more learners server to server, learnersPerScript
// for each of the cohort scripts, and completes their sessions on the VAP
// side with the script's result.
func (e *env) playCohort(ctx context.Context) error {
	scripts := demo.CohortScripts()
	e.out.step("%d more learners launch server to server (Client.Launch) and finish the case",
		len(scripts)*learnersPerScript)
	for i, script := range scripts {
		var s session.Session
		for j := range learnersPerScript {
			learner := cohortLearner(i*learnersPerScript + j)
			res, err := e.app.Client().Launch(ctx, partner.Launch{
				Learner: partner.Learner{ID: learner}, CohortID: demo.CohortID,
				CaseSetID: demo.CaseSetID,
			})
			if err != nil {
				return fmt.Errorf("launch %s: %w", learner, err)
			}

			if s, err = e.finish(ctx, res.SessionID, script.Input); err != nil {
				return err
			}
		}

		e.out.detail("%s to %s: %-37s %6.2f%% %-7s %s", cohortLearner(i*learnersPerScript),
			cohortLearner((i+1)*learnersPerScript-1), script.Name, s.Score.Percent,
			s.Score.Outcome, strings.Join(s.Score.FailReasons, ", "))
	}

	return nil
}

// cohortLearner returns the partner user id of the i-th learner of
// playCohort; the browser learner is demo.LearnerID, learner-0001.
func cohortLearner(i int) string {
	return fmt.Sprintf("learner-%04d", i+2)
}

// lastCohortLearner is the partner user id of playCohort's last learner.
func lastCohortLearner() string {
	return cohortLearner(len(demo.CohortScripts())*learnersPerScript - 1)
}

func (e *env) finish(ctx context.Context, id string,
	in scoring.Input) (session.Session, error) {
	svc := e.vap.Service()
	if _, err := svc.Start(ctx, demo.PartnerID, id); err != nil {
		return session.Session{}, fmt.Errorf("start: %w", err)
	}

	s, err := svc.Complete(ctx, demo.PartnerID, id, session.Completion{Input: &in})
	if err != nil {
		return session.Session{}, fmt.Errorf("complete: %w", err)
	}

	if s.Score == nil {
		return session.Session{}, fmt.Errorf("complete: the session has no score")
	}

	return s, nil
}

// readAnalytics reads the cohort's analytics through the partner client.
func (e *env) readAnalytics(ctx context.Context) error {
	r, err := e.app.Client().Analytics(ctx, demo.CohortID, partner.AnalyticsQuery{})
	if err != nil {
		return fmt.Errorf("read the analytics: %w", err)
	}

	e.out.step("Partner reads the cohort analytics (GET /cohorts/{id}/analytics)")
	for _, f := range partnerapp.AnalyticsFacts(r) {
		e.out.detail("%-38s %s", f.Name, f.Value)
	}

	e.out.detail("(figures about fewer than %d learners are hidden to protect privacy)",
		r.Scope.MinCellSize)

	return nil
}

// deleteLearner deletes one learner's data through the partner client,
// waits for the learner.deleted webhook carrying the same receipt, and
// deletes again to show that a retry is harmless.
func (e *env) deleteLearner(ctx context.Context) error {
	learner := lastCohortLearner()
	r, err := e.app.Client().DeleteLearner(ctx, learner)
	if err != nil {
		return fmt.Errorf("delete %s: %w", learner, err)
	}

	c := r.Counts
	e.out.step("Partner deletes %s's personal data (DELETE /learners/{id})", learner)
	e.out.detail("receipt %s, counts: learners %d, sessions_deleted %d,", r.DeletionID,
		c.Learners, c.SessionsDeleted)
	e.out.detail("sessions_anonymised %d, outbox_events %d, launch_codes %d",
		c.SessionsAnonymised, c.OutboxEvents, c.LaunchCodes)

	wait, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()

	if _, err := e.app.Gradebook().WaitDeletion(wait, r.DeletionID); err != nil {
		return fmt.Errorf("%w for the deletion: %w", errNoWebhook, err)
	}

	e.out.detail("the same receipt arrives as a learner.deleted webhook; the gradebook drops the rows")
	again, err := e.app.Client().DeleteLearner(ctx, learner)
	if err != nil {
		return fmt.Errorf("delete %s again: %w", learner, err)
	}

	if again.Counts != (reporting.DeletionCounts{}) {
		return fmt.Errorf("delete %s again: the second receipt counts records", learner)
	}

	e.out.detail("deleting again is harmless: the second receipt counts nothing")

	return nil
}

// post posts a form to the partner app and returns the page.
func (e *env) post(ctx context.Context, target string, form url.Values) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target,
		strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}

	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := browser.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()

	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", err
	}

	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%s", resp.Status)
	}

	return string(body), nil
}

// call sends a JSON request to the VAP backend, with the session token as
// a bearer token when given, and decodes the JSON answer into out.
func (e *env) call(ctx context.Context, method, path, token string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}

		body = bytes.NewReader(b)
	}

	req, err := http.NewRequestWithContext(ctx, method, e.vapURL+path, body)
	if err != nil {
		return err
	}

	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}

	resp, err := browser.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()

	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 2048))
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, bytes.TrimSpace(msg))
	}

	return json.NewDecoder(resp.Body).Decode(out)
}
