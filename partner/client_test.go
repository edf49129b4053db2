package partner_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/virtualaipatient/integration/launch"
	"github.com/virtualaipatient/integration/partner"
	"github.com/virtualaipatient/integration/reporting"
	"github.com/virtualaipatient/integration/scoring"
	"github.com/virtualaipatient/integration/session"
)

func learner(id string) partner.Launch {
	return partner.Launch{Learner: partner.Learner{ID: id, Name: "Dr Test"}, CohortID: cohortID,
		CaseID: caseChest}
}

func TestClientEveryEndpoint(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()

	catalog, err := e.client.Cases(ctx, "")
	require.NoError(t, err)
	assert.Nil(t, catalog.CohortID)
	require.Len(t, catalog.Cases, 2)
	assert.Equal(t, caseChest, catalog.Cases[0].CaseID)
	assert.Equal(t, "1.0", catalog.Cases[0].LatestVersion)
	require.Len(t, catalog.CaseSets, 1)
	assert.Equal(t, []string{caseChest, caseSepsis}, catalog.CaseSets[0].Cases)

	threshold := 0.75
	put, err := e.client.PutAssignment(ctx, cohortID, "asg-chest", reporting.AssignmentInput{
		CaseID: caseChest, MaxAttempts: 3, AttemptPolicy: "best", Mode: "assessment",
		PassThreshold: &threshold,
	})
	require.NoError(t, err)
	assert.Equal(t, "asg-chest", put.AssignmentID)
	require.NotNil(t, put.CaseID)
	assert.Equal(t, caseChest, *put.CaseID)
	want := []reporting.AssignedCase{{CaseID: caseChest, Version: "1.0", Title: "Chest pain"}}
	assert.Equal(t, want, put.Cases)

	got, err := e.client.Assignment(ctx, cohortID, "asg-chest")
	require.NoError(t, err)
	assert.Equal(t, put, got)

	listing, err := e.client.Cases(ctx, cohortID)
	require.NoError(t, err)
	require.Len(t, listing.Assignments, 1)
	assert.Equal(t, "asg-chest", listing.Assignments[0].AssignmentID)

	res, err := e.client.Launch(ctx, learner("learner-001"))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(res.LaunchURL, learnerApp+"#code="), "launch url")
	require.NotNil(t, res.CodeExpiresAt)

	e.complete(res.SessionID)
	e.settle()

	sum, err := e.client.Summary(ctx, res.SessionID)
	require.NoError(t, err)
	assert.Equal(t, res.SessionID, sum.SessionID)
	assert.Equal(t, "learner-001", sum.PartnerUserID)
	assert.Equal(t, "asg-chest", sum.AssignmentID)
	assert.Equal(t, session.StatusCompleted, sum.Status)
	assert.Equal(t, scoring.OutcomePassed, sum.Outcome)
	require.NotNil(t, sum.Score)

	var listed []string
	for s, err := range e.client.Sessions(ctx, partner.SessionQuery{CohortID: cohortID}) {
		require.NoError(t, err)
		listed = append(listed, s.SessionID)
	}
	assert.Equal(t, []string{res.SessionID}, listed)

	rep, err := e.client.Analytics(ctx, cohortID, partner.AnalyticsQuery{
		CaseID: caseChest, AttemptPolicy: scoring.PolicyBest,
		From: e.clock.Now().Add(-time.Hour), To: e.clock.Now(),
	})
	require.NoError(t, err)
	assert.Equal(t, cohortID, rep.Scope.CohortID)
	require.NotNil(t, rep.Scope.CaseID)
	assert.Equal(t, caseChest, *rep.Scope.CaseID)

	require.NoError(t, e.client.DeleteAssignment(ctx, cohortID, "asg-chest"))
	_, err = e.client.Assignment(ctx, cohortID, "asg-chest")
	assertAPIError(t, err, http.StatusNotFound, reporting.CodeNotFound, partner.ErrNotFound)
}

func assertAPIError(t *testing.T, err error, status int, code string, sentinel error) {
	t.Helper()

	var apiErr *partner.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, status, apiErr.Status)
	assert.Equal(t, code, apiErr.Code)
	assert.ErrorIs(t, err, sentinel)
}

func TestClientErrors(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	other := newRing(t, e.clock.Now, newKey(t))
	stranger, _ := newClient(t, e.vap, other, e.clock.Now)

	tests := []struct {
		name     string
		call     func() error
		status   int
		code     string
		sentinel error
	}{
		{
			name: "unknown session",
			call: func() error {
				_, err := e.client.Summary(ctx, "7d1f9c36-0000-4000-8000-000000000000")
				return err
			},
			status: http.StatusNotFound, code: reporting.CodeNotFound,
			sentinel: partner.ErrNotFound,
		},
		{
			name: "unknown cohort",
			call: func() error {
				_, err := e.client.Analytics(ctx, "no-such-cohort", partner.AnalyticsQuery{})
				return err
			},
			status: http.StatusNotFound, code: reporting.CodeNotFound,
			sentinel: partner.ErrNotFound,
		},
		{
			name: "assignment breaking a rule",
			call: func() error {
				_, err := e.client.PutAssignment(ctx, cohortID, "asg-bad",
					reporting.AssignmentInput{})
				return err
			},
			status: http.StatusUnprocessableEntity, code: reporting.CodeUnprocessable,
			sentinel: partner.ErrBadRequest,
		},
		{
			name:   "credential signed by an unpublished key",
			call:   func() error { _, err := stranger.Cases(ctx, ""); return err },
			status: http.StatusUnauthorized, code: "key_not_found",
			sentinel: partner.ErrUnauthorized,
		},
		{
			name: "launch of an unknown cohort",
			call: func() error {
				l := learner("learner-002")
				l.CohortID = "no-such-cohort"
				_, err := e.client.Launch(ctx, l)
				return err
			},
			status: http.StatusUnprocessableEntity, code: reporting.CodeLaunchUnprocessable,
			sentinel: partner.ErrBadRequest,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			assertAPIError(t, err, tt.status, tt.code, tt.sentinel)
			assert.NotContains(t, err.Error(), "learner-002")
		})
	}
}

func TestClientLaunchNeedsValidClaims(t *testing.T) {
	e := newEnv(t)
	l := learner("")

	_, err := e.client.Launch(context.Background(), l)
	require.ErrorIs(t, err, launch.ErrMissingClaim)
	assert.Zero(t, e.launchCount(), "an invalid launch must not be sent")
}

func TestSessionsPaging(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	want := map[string]bool{}
	for i := range 7 {
		res, err := e.client.Launch(ctx, learner(fmt.Sprintf("learner-%03d", i)))
		require.NoError(t, err)

		want[res.SessionID] = true
		e.clock.Advance(time.Second)
	}
	e.settle()

	q := partner.SessionQuery{CohortID: cohortID, PageSize: 3}
	var sizes []int
	var last *reporting.SessionPage
	for page, err := range e.client.SessionPages(ctx, q) {
		require.NoError(t, err)
		sizes = append(sizes, len(page.Sessions))
		last = page
	}
	assert.Equal(t, []int{3, 3, 1}, sizes)
	require.NotNil(t, last)
	assert.False(t, last.HasMore)

	got := map[string]bool{}
	for s, err := range e.client.Sessions(ctx, q) {
		require.NoError(t, err)
		assert.False(t, got[s.SessionID], "session listed twice")
		got[s.SessionID] = true
	}
	assert.Equal(t, want, got)

	before := e.faults.count("GET /sessions")
	n := 0
	for range e.client.Sessions(ctx, q) {
		if n++; n == 2 {
			break
		}
	}
	assert.Equal(t, before+1, e.faults.count("GET /sessions"), "stopping early fetches no more")

	// Polling later from the last cursor gives only what changed since.
	res, err := e.client.Launch(ctx, learner("learner-late"))
	require.NoError(t, err)
	e.settle()

	var later []string
	for s, err := range e.client.Sessions(ctx, partner.SessionQuery{Cursor: last.NextCursor}) {
		require.NoError(t, err)
		later = append(later, s.SessionID)
	}
	assert.Equal(t, []string{res.SessionID}, later)
}

func TestSessionsStopsOnError(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for i := range 3 {
		_, err := e.client.Launch(ctx, learner(fmt.Sprintf("learner-%03d", i)))
		require.NoError(t, err)
	}
	e.settle()

	var errs []error
	n := 0
	for _, err := range e.client.Sessions(ctx, partner.SessionQuery{Cursor: "not-a-cursor"}) {
		n++
		errs = append(errs, err)
	}
	require.Len(t, errs, 1)
	assert.Equal(t, 1, n)
	assertAPIError(t, errs[0], http.StatusBadRequest, reporting.CodeInvalidCursor,
		partner.ErrBadRequest)
}

func TestRotationDuringRun(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	oldKID := e.ring.KeyID()

	_, err := e.client.Launch(ctx, learner("learner-before"))
	require.NoError(t, err)

	// A launch page rendered, and an API credential cached, before the
	// rotation are used after it.
	page := renderForm(t, e.client, learner("learner-in-flight"))
	_, err = e.client.Cases(ctx, "")
	require.NoError(t, err)

	require.NoError(t, e.ring.Stage(newKey(t)))
	_, err = e.client.Launch(ctx, learner("learner-staged"))
	require.NoError(t, err)

	require.NoError(t, e.ring.Promote())
	require.NotEqual(t, oldKID, e.ring.KeyID())

	resp := postForm(t, e.vap.Client(), page)
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode)

	_, err = e.client.Cases(ctx, "")
	require.NoError(t, err, "credential signed before the rotation")

	_, err = e.client.Launch(ctx, learner("learner-after"))
	require.NoError(t, err, "launch signed with the new key")

	require.NoError(t, e.ring.Rotate(newKey(t)))
	_, err = e.client.Launch(ctx, learner("learner-after-unstaged"))
	require.NoError(t, err, "launch signed with an unannounced key")

	e.clock.Advance(2 * time.Minute)
	_, err = e.client.Cases(ctx, "")
	require.NoError(t, err, "credential signed with the newest key")
}

func TestRetries(t *testing.T) {
	tests := []struct {
		name   string
		faults []fault
		call   func(context.Context, *env) error
		route  string
		// wantSleeps are the waits asked for; nil means none.
		wantSleeps []time.Duration
		wantCalls  int
		// wantErr is the error matched; nil means success.
		wantErr error
	}{
		{
			name:   "503 with Retry-After, then success",
			faults: faultList(unavailable("2"), unavailable("1")),
			call:   getCases, route: "GET /cases",
			wantSleeps: []time.Duration{2 * time.Second, time.Second}, wantCalls: 3,
		},
		{
			name:   "429 with an HTTP date",
			faults: faultList(rateLimited),
			call:   getCases, route: "GET /cases",
			wantSleeps: []time.Duration{3 * time.Second}, wantCalls: 2,
		},
		{
			name: "503 every time: bounded attempts",
			faults: faultList(unavailable("1"), unavailable("1"), unavailable("1"),
				unavailable("1")),
			call: getCases, route: "GET /cases",
			wantSleeps: []time.Duration{time.Second, time.Second, time.Second}, wantCalls: 4,
			wantErr: partner.ErrUnavailable,
		},
		{
			name:   "Retry-After beyond the time budget",
			faults: faultList(unavailable("120")),
			call:   getCases, route: "GET /cases",
			wantCalls: 1, wantErr: partner.ErrUnavailable,
		},
		{
			name:   "a proxy's 502 is retried",
			faults: faultList(statusOnly(http.StatusBadGateway)),
			call:   getCases, route: "GET /cases",
			wantSleeps: []time.Duration{-1}, wantCalls: 2,
		},
		{
			name:   "a proxy's 504 is retried",
			faults: faultList(statusOnly(http.StatusGatewayTimeout)),
			call:   getCases, route: "GET /cases",
			wantSleeps: []time.Duration{-1}, wantCalls: 2,
		},
		{
			name:   "a bare 404 is not VAP's not found",
			faults: faultList(statusOnly(http.StatusNotFound)),
			call:   getCases, route: "GET /cases",
			wantCalls: 1, wantErr: &partner.APIError{Status: http.StatusNotFound},
		},
		{
			name:   "500 is not retried",
			faults: faultList(statusOnly(http.StatusInternalServerError)),
			call:   getCases, route: "GET /cases",
			wantCalls: 1, wantErr: &partner.APIError{Status: http.StatusInternalServerError},
		},
		{
			name:   "connection dropped on a read",
			faults: faultList(dropConnection),
			call:   getCases, route: "GET /cases",
			wantSleeps: []time.Duration{-1}, wantCalls: 2,
		},
		{
			name:   "PUT is idempotent",
			faults: faultList(unavailable("1")),
			call:   putAssignment, route: "PUT /cohorts/" + cohortID + "/assignments/asg-1",
			wantSleeps: []time.Duration{time.Second}, wantCalls: 2,
		},
		{
			name: "DELETE is idempotent",
			call: func(ctx context.Context, e *env) error {
				require.NoError(e.t, putAssignment(ctx, e))
				e.faults.add(unavailable("1"))
				return e.client.DeleteAssignment(ctx, cohortID, "asg-1")
			},
			route:      "DELETE /cohorts/" + cohortID + "/assignments/asg-1",
			wantSleeps: []time.Duration{time.Second}, wantCalls: 2,
		},
		{
			name:   "launch answered 503 is not retried",
			faults: faultList(unavailable("1")),
			call:   launchOne, route: "POST /launch",
			wantCalls: 1, wantErr: partner.ErrUnavailable,
		},
		{
			name:   "launch cut off after reaching VAP is not retried",
			faults: faultList(dropConnection),
			call:   launchOne, route: "POST /launch",
			wantCalls: 1, wantErr: partner.ErrLaunchOutcomeUnknown,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			for _, f := range tt.faults {
				e.faults.add(f)
			}

			err := tt.call(context.Background(), e)
			var want *partner.APIError
			switch {
			case errors.As(tt.wantErr, &want):
				var got *partner.APIError
				require.ErrorAs(t, err, &got)
				assert.Equal(t, want.Status, got.Status)
			case tt.wantErr != nil:
				assert.ErrorIs(t, err, tt.wantErr)
			default:
				assert.NoError(t, err)
			}

			assert.Equal(t, tt.wantCalls, e.faults.count(tt.route))
			assertSleeps(t, tt.wantSleeps, *e.sleeps)
		})
	}
}

// assertSleeps compares waits; -1 stands for any backoff.
func assertSleeps(t *testing.T, want, got []time.Duration) {
	t.Helper()
	require.Len(t, got, len(want))
	for i, w := range want {
		if w < 0 {
			assert.Positive(t, got[i])
			assert.LessOrEqual(t, got[i], partner.DefaultBaseDelay)

			continue
		}

		assert.Equal(t, w, got[i])
	}
}

func faultList(f ...fault) []fault {
	return f
}

func getCases(ctx context.Context, e *env) error {
	_, err := e.client.Cases(ctx, "")
	return err
}

func putAssignment(ctx context.Context, e *env) error {
	_, err := e.client.PutAssignment(ctx, cohortID, "asg-1",
		reporting.AssignmentInput{CaseID: caseSepsis})
	return err
}

func launchOne(ctx context.Context, e *env) error {
	_, err := e.client.Launch(ctx, learner("learner-001"))
	return err
}

// rateLimited answers 429 with a Retry-After date 3 s after the test clock's
// start.
func rateLimited(w http.ResponseWriter, _ *http.Request) bool {
	w.Header().Set("Retry-After", newClock().Now().Add(3*time.Second).Format(http.TimeFormat))
	w.WriteHeader(http.StatusTooManyRequests)

	return true
}

func statusOnly(status int) fault {
	return func(w http.ResponseWriter, _ *http.Request) bool {
		w.WriteHeader(status)

		return true
	}
}

// dropConnection reads the request, then closes the connection without an
// answer.
func dropConnection(w http.ResponseWriter, r *http.Request) bool {
	_, _ = r.Body.Read(make([]byte, 1<<10))
	conn, _, err := http.NewResponseController(w).Hijack()
	if err == nil {
		_ = conn.Close()
	}

	return true
}

// failFirst fails the first round trip before anything is written.
type failFirst struct {
	next   http.RoundTripper
	failed bool
}

func (f *failFirst) RoundTrip(r *http.Request) (*http.Response, error) {
	if !f.failed {
		f.failed = true

		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	}

	return f.next.RoundTrip(r)
}

func TestLaunchRetriedWhenNeverSent(t *testing.T) {
	e := newEnv(t)
	hc := &http.Client{Transport: &failFirst{next: e.vap.Client().Transport}}
	c, err := partner.NewClient(partner.ClientConfig{BaseURL: e.vap.URL + reporting.DefaultBasePath,
		Ring: e.ring, APIAudience: apiAud, HTTPClient: hc, Now: e.clock.Now})
	require.NoError(t, err)
	partner.SetSleep(c, func(context.Context, time.Duration) error { return nil })

	res, err := c.Launch(context.Background(), learner("learner-001"))
	require.NoError(t, err)
	assert.NotEmpty(t, res.SessionID)
	assert.Equal(t, 1, e.launchCount())
}

func TestRetryStopsWithContext(t *testing.T) {
	e := newEnv(t)
	e.faults.add(unavailable("1"))
	ctx, cancel := context.WithCancel(context.Background())
	partner.SetSleep(e.client, func(ctx context.Context, _ time.Duration) error {
		cancel()

		return ctx.Err()
	})

	_, err := e.client.Cases(ctx, "")
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 1, e.faults.count("GET /cases"))
}

// failingSource is a token source that always fails.
type failingSource struct{ err error }

func (s failingSource) Token() (*oauth2.Token, error) { return nil, s.err }

func TestCredentialFailureIsNotRetried(t *testing.T) {
	e := newEnv(t)
	kms := errors.New("kms unreachable")
	c, err := partner.NewClient(partner.ClientConfig{BaseURL: e.vap.URL + reporting.DefaultBasePath,
		TokenSource: failingSource{kms}, HTTPClient: e.vap.Client()})
	require.NoError(t, err)

	_, err = c.Cases(context.Background(), "")
	require.ErrorIs(t, err, kms)
	assert.Equal(t, "partner: list cases: api credential unavailable: kms unreachable", err.Error())
	assert.Zero(t, e.faults.count("GET /cases"))

	_, err = c.Launch(context.Background(), learner("learner-001"))
	assert.ErrorIs(t, err, partner.ErrConfig, "launches need a ring")
}

func TestSessionsPreviews(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	learnerRes, err := e.client.Launch(ctx, learner("learner-001"))
	require.NoError(t, err)

	preview := learner("instructor-001")
	preview.Learner.Role = launch.RoleInstructor
	previewRes, err := e.client.Launch(ctx, preview)
	require.NoError(t, err)
	e.settle()

	tests := []struct {
		name     string
		previews bool
		want     map[string]bool
	}{
		{name: "left out by default", want: map[string]bool{learnerRes.SessionID: false}},
		{name: "included on request", previews: true, want: map[string]bool{
			learnerRes.SessionID: false, previewRes.SessionID: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := map[string]bool{}
			q := partner.SessionQuery{CohortID: cohortID, IncludePreviews: tt.previews}
			for s, err := range e.client.Sessions(ctx, q) {
				require.NoError(t, err)
				got[s.SessionID] = s.Preview
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestWrongBaseURL points the client at VAP's host without the API's base
// path: the host's bare 404 must not read as "the session does not exist".
func TestWrongBaseURL(t *testing.T) {
	e := newEnv(t)
	host := http.NewServeMux()
	host.Handle(reporting.DefaultBasePath+"/", e.vap.Config.Handler)
	mounted := httptest.NewServer(host)
	t.Cleanup(mounted.Close)

	tests := []struct {
		name     string
		baseURL  string
		wantCode string
	}{
		{name: "host without the base path", baseURL: mounted.URL},
		{name: "handler at the root, wrong base path", baseURL: e.vap.URL + "/vap/v1",
			wantCode: reporting.CodeNoEndpoint},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := partner.NewClient(partner.ClientConfig{
				BaseURL: tt.baseURL, Ring: e.ring, APIAudience: apiAud,
				InsecureAllowHTTP: true, Now: e.clock.Now,
			})
			require.NoError(t, err)

			_, err = c.Summary(context.Background(), "0b7e8a9c-5e37-4b3c-9a40-0a1d6f0e2f11")
			var apiErr *partner.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, http.StatusNotFound, apiErr.Status)
			assert.Equal(t, tt.wantCode, apiErr.Code)
			assert.NotErrorIs(t, err, partner.ErrNotFound)
		})
	}
}
