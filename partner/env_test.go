package partner_test

import (
	"context"
	"crypto"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/launch"
	"github.com/virtualaipatient/integration/partner"
	"github.com/virtualaipatient/integration/reporting"
	"github.com/virtualaipatient/integration/scoring"
	"github.com/virtualaipatient/integration/session"
	"github.com/virtualaipatient/integration/store/memory"
)

const (
	partnerID   = "acme-cme"
	issuer      = "https://cme.acme.example"
	launchAud   = "https://vap.example/launch"
	apiAud      = "https://vap.example/api"
	learnerApp  = "https://learn.vap.example/app"
	cohortID    = "cardio-2026"
	caseChest   = "acs-chest-pain"
	caseSepsis  = "sepsis-early"
	caseSetCore = "core-emergencies"
)

// testClock is a settable clock shared by the partner and VAP.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *testClock {
	return &testClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()

	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()

	c.t = c.t.Add(d)
}

// fault answers a request instead of the real handler when it returns
// true.
type fault = func(http.ResponseWriter, *http.Request) bool

// faults lets a test make the VAP server fail some requests before they
// reach the real handler.
type faults struct {
	mu     sync.Mutex
	plan   []fault
	counts map[string]int
}

// add queues a fault: the next request for which fault returns true is
// answered by it.
func (f *faults) add(next fault) {
	f.mu.Lock()
	defer f.mu.Unlock()

	f.plan = append(f.plan, next)
}

// count returns how many requests reached the server for "METHOD /path".
func (f *faults) count(route string) int {
	f.mu.Lock()
	defer f.mu.Unlock()

	return f.counts[route]
}

func (f *faults) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		if f.counts == nil {
			f.counts = map[string]int{}
		}

		f.counts[r.Method+" "+strings.TrimPrefix(r.URL.Path, reporting.DefaultBasePath)]++
		var injected fault
		if len(f.plan) > 0 {
			injected, f.plan = f.plan[0], f.plan[1:]
		}
		f.mu.Unlock()

		if injected != nil && injected(w, r) {
			return
		}

		next.ServeHTTP(w, r)
	})
}

// unavailable answers 503 with a Retry-After of the given seconds.
func unavailable(seconds string) fault {
	return func(w http.ResponseWriter, _ *http.Request) bool {
		w.Header().Set("Retry-After", seconds)
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(`{"type":"urn:vap:problem:store_unavailable",` +
			`"title":"Service Unavailable",` +
			`"status":503,"code":"store_unavailable"}`))

		return true
	}
}

// tester is what the test environment needs of a *testing.T; examples
// supply one that panics.
type tester interface {
	require.TestingT
	Helper()
	Cleanup(func())
}

// env is a VAP backend (the real reporting handler over the memory store)
// and a partner (ring, JWKS server, client) wired together.
type env struct {
	t       tester
	clock   *testClock
	store   *memory.Store
	service *session.Service
	faults  *faults
	vap     *httptest.Server
	jwks    *httptest.Server
	ring    *partner.Ring
	client  *partner.Client
	sleeps  *[]time.Duration
}

func newEnv(t tester) *env {
	t.Helper()
	e := &env{t: t, clock: newClock(), faults: &faults{}}
	e.store = memory.New(memory.WithClock(e.clock.Now))
	e.service = &session.Service{Store: e.store, Now: e.clock.Now}

	e.ring = newRing(t, e.clock.Now, newKey(t))
	e.jwks = httptest.NewServer(e.ring.JWKSHandler())
	t.Cleanup(e.jwks.Close)

	handler := e.newHandler()
	e.vap = httptest.NewServer(e.faults.wrap(handler))
	t.Cleanup(e.vap.Close)

	e.client, e.sleeps = newClient(t, e.vap, e.ring, e.clock.Now)
	e.seed()

	return e
}

func newKey(t tester) crypto.Signer {
	t.Helper()
	key, err := partner.GenerateKey()
	require.NoError(t, err)

	return key
}

func newRing(t tester, now func() time.Time, key crypto.Signer) *partner.Ring {
	t.Helper()
	ring, err := partner.NewRing(partner.RingConfig{Issuer: issuer, Audience: launchAud, Now: now},
		key)
	require.NoError(t, err)

	return ring
}

// newClient returns a client of srv whose retry waits are recorded, not
// slept.
func newClient(t tester, srv *httptest.Server, ring *partner.Ring,
	now func() time.Time) (*partner.Client, *[]time.Duration) {
	t.Helper()
	c, err := partner.NewClient(partner.ClientConfig{
		BaseURL: srv.URL + reporting.DefaultBasePath, Ring: ring, APIAudience: apiAud,
		HTTPClient: srv.Client(), Now: now, FormActionOrigins: []string{learnerApp},
	})
	require.NoError(t, err)

	var mu sync.Mutex
	sleeps := &[]time.Duration{}
	partner.SetSleep(c, func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		defer mu.Unlock()

		*sleeps = append(*sleeps, d)

		return ctx.Err()
	})

	return c, sleeps
}

// newHandler builds VAP's verifier (fetching the partner's JWK Set) and
// reporting handler.
func (e *env) newHandler() *reporting.Handler {
	verifier, err := launch.NewVerifier(launch.VerifierConfig{
		Partners: []launch.Partner{{ID: partnerID, Issuer: issuer, Audience: launchAud,
			APIAudience: apiAud, Algorithms: []string{launch.ES256}, JWKSURL: e.jwks.URL}},
		Now:          e.clock.Now,
		JWKSCooldown: time.Nanosecond,
	})
	require.NoError(e.t, err)
	e.t.Cleanup(verifier.Close)

	tokens, err := launch.NewSessionTokens(launch.SessionTokenConfig{
		Issuer: "https://vap.example", Signer: newKey(e.t), KeyID: "vap-1", Now: e.clock.Now,
	})
	require.NoError(e.t, err)

	fast := reporting.RateLimit{PerSecond: 1e6, Burst: 1e6}
	h, err := reporting.New(reporting.Config{
		Verifier: verifier, Service: e.service, Tokens: tokens, LearnerAppURL: learnerApp,
		Catalog: e.store, Changes: e.store, Analytics: e.store, Now: e.clock.Now,
		LaunchRate: fast, ReportingRate: fast,
	})
	require.NoError(e.t, err)

	return h
}

// seed publishes two cases and a case set, and registers the cohort.
func (e *env) seed() {
	ctx := context.Background()
	for _, c := range []session.Case{
		{ID: caseChest, Title: "Chest pain", Summary: "A man with chest pain",
			Tags: []string{"cardio"}},
		{ID: caseSepsis, Title: "Early sepsis", Summary: "A febrile woman"},
	} {
		_, err := e.service.PutCase(ctx, c)
		require.NoError(e.t, err)

		_, err = e.service.PublishCaseVersion(ctx, session.CaseVersion{CaseID: c.ID, Major: 1,
			Title: c.Title, Rubric: referenceRubric()})
		require.NoError(e.t, err)
	}

	_, err := e.service.PutCaseSet(ctx, session.CaseSet{ID: caseSetCore, Title: "Core emergencies",
		Cases: []session.CaseRef{{CaseID: caseChest}, {CaseID: caseSepsis}}})
	require.NoError(e.t, err)

	roster := 40
	_, err = e.service.PutCohort(ctx, session.Cohort{PartnerID: partnerID, ID: cohortID,
		Name: "Cardiology 2026", RosterSize: &roster})
	require.NoError(e.t, err)
}

// referenceRubric is the reference rubric of DOMAIN.md.
func referenceRubric() scoring.Rubric {
	hurdle := 0.5

	return scoring.Rubric{
		Domains: []scoring.Domain{
			{Code: "history_taking", MaxPoints: 20, Weight: 30},
			{Code: "physical_exam", MaxPoints: 10, Weight: 15},
			{Code: "diagnostic_reasoning", MaxPoints: 8, Weight: 25},
			{Code: "management", MaxPoints: 10, Weight: 20},
			{Code: "communication", MaxPoints: 12, Weight: 10, Minimum: &hurdle},
		},
		Threshold: 0.7,
		Critical:  scoring.CriticalRule{Action: scoring.CriticalCap, Cap: 0.5},
	}
}

// caseA is DOMAIN.md's case A: 76.75 %, passed.
func caseA() *scoring.Input {
	return &scoring.Input{Points: map[string]float64{"history_taking": 16, "physical_exam": 7,
		"diagnostic_reasoning": 6, "management": 8, "communication": 9}}
}

// complete starts and completes a session with case A's points.
func (e *env) complete(sessionID string) {
	ctx := context.Background()
	_, err := e.service.Start(ctx, partnerID, sessionID)
	require.NoError(e.t, err)

	e.clock.Advance(10 * time.Minute)
	_, err = e.service.Complete(ctx, partnerID, sessionID, session.Completion{Input: caseA()})
	require.NoError(e.t, err)
}

// settle moves the clock past reporting's change settling delay.
func (e *env) settle() { e.clock.Advance(5 * time.Second) }

// launchCount counts requests that reached POST /launch.
func (e *env) launchCount() int { return e.faults.count("POST /launch") }
