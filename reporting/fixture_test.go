package reporting_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/launch"
	"github.com/virtualaipatient/integration/reporting"
	"github.com/virtualaipatient/integration/reporting/analytics"
	"github.com/virtualaipatient/integration/scoring"
	"github.com/virtualaipatient/integration/session"
	"github.com/virtualaipatient/integration/store/memory"
)

const (
	partnerA    = "partner-a"
	partnerB    = "partner-b"
	launchAud   = "https://vap.example/launch"
	apiAud      = "https://vap.example/api"
	learnerApp  = "https://learn.vap.example/app"
	base        = reporting.DefaultBasePath
	caseChest   = "acs-chest-pain"
	caseSepsis  = "sepsis-early"
	caseSetCore = "core-emergencies"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()

	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()

	c.t = c.t.Add(d)
}

// trackingStore wraps the memory store and records, at commit, the change
// time of every session written and the ids of cases and case sets, so
// that it can implement reporting.ChangeLister, reporting.Catalog and
// reporting.AnalyticsSource for tests.
type trackingStore struct {
	*memory.Store
	now func() time.Time

	mu       sync.Mutex
	changed  map[[2]string]time.Time
	cases    map[string]bool
	caseSets map[string]bool
}

func newTrackingStore(now func() time.Time) *trackingStore {
	return &trackingStore{Store: memory.New(), now: now, changed: map[[2]string]time.Time{},
		cases: map[string]bool{}, caseSets: map[string]bool{}}
}

type trackingTx struct {
	session.Tx
	sessions [][2]string
	cases    []string
	sets     []string
}

func (t *trackingTx) InsertSession(ctx context.Context, s session.Session) error {
	if err := t.Tx.InsertSession(ctx, s); err != nil {
		return err
	}

	t.sessions = append(t.sessions, [2]string{s.PartnerID, s.ID})
	return nil
}

func (t *trackingTx) UpdateSession(ctx context.Context, s session.Session, prev int64) error {
	if err := t.Tx.UpdateSession(ctx, s, prev); err != nil {
		return err
	}

	t.sessions = append(t.sessions, [2]string{s.PartnerID, s.ID})
	return nil
}

func (t *trackingTx) PutCase(ctx context.Context, c session.Case) error {
	t.cases = append(t.cases, c.ID)
	return t.Tx.PutCase(ctx, c)
}

func (t *trackingTx) PutCaseSet(ctx context.Context, s session.CaseSet) error {
	t.sets = append(t.sets, s.ID)
	return t.Tx.PutCaseSet(ctx, s)
}

func (s *trackingStore) WithTx(ctx context.Context, fn func(tx session.Tx) error) error {
	var rec *trackingTx
	err := s.Store.WithTx(ctx, func(tx session.Tx) error {
		rec = &trackingTx{Tx: tx}
		return fn(rec)
	})
	if err != nil || rec == nil {
		return err
	}

	s.mu.Lock()
	defer s.mu.Unlock()

	at := s.now().UTC()
	for _, k := range rec.sessions {
		s.changed[k] = at
	}

	for _, id := range rec.cases {
		s.cases[id] = true
	}

	for _, id := range rec.sets {
		s.caseSets[id] = true
	}

	return nil
}

func (s *trackingStore) ListChangedSessions(ctx context.Context, partnerID string,
	q reporting.ChangeQuery) ([]reporting.ChangedSession, error) {
	var out []reporting.ChangedSession
	for _, k := range s.keys(partnerID) {
		at := s.changedAt(k)
		if at.Before(q.Since) || !at.Before(q.Before) {
			continue
		}

		if q.After != nil && (at.Before(q.After.ChangedAt) ||
			(at.Equal(q.After.ChangedAt) && k[1] <= q.After.SessionID)) {
			continue
		}

		ss, err := s.GetSession(ctx, partnerID, k[1])
		if err != nil {
			return nil, err
		}

		if q.CohortID == "" || ss.CohortID == q.CohortID {
			out = append(out, reporting.ChangedSession{Session: ss, ChangedAt: at})
		}
	}

	slices.SortFunc(out, func(a, b reporting.ChangedSession) int {
		if c := a.ChangedAt.Compare(b.ChangedAt); c != 0 {
			return c
		}

		return compareStrings(a.Session.ID, b.Session.ID)
	})

	return out[:min(len(out), q.Limit)], nil
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}

	return 0
}

func (s *trackingStore) keys(partnerID string) [][2]string {
	s.mu.Lock()
	defer s.mu.Unlock()

	var out [][2]string
	for k := range s.changed {
		if k[0] == partnerID {
			out = append(out, k)
		}
	}

	return out
}

func (s *trackingStore) changedAt(k [2]string) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()

	return s.changed[k]
}

func (s *trackingStore) ListCases(ctx context.Context) ([]session.Case, error) {
	s.mu.Lock()
	ids := sortedKeys(s.cases)
	s.mu.Unlock()

	var out []session.Case
	for _, id := range ids {
		c, err := s.GetCase(ctx, id)
		if err != nil {
			return nil, err
		}

		out = append(out, c)
	}

	return out, nil
}

func (s *trackingStore) ListCaseSets(ctx context.Context) ([]session.CaseSet, error) {
	s.mu.Lock()
	ids := sortedKeys(s.caseSets)
	s.mu.Unlock()

	var out []session.CaseSet
	for _, id := range ids {
		c, err := s.GetCaseSet(ctx, id)
		if err != nil {
			return nil, err
		}

		out = append(out, c)
	}

	return out, nil
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}

	slices.Sort(out)
	return out
}

// CohortAnalytics loads the partner's sessions and runs the reference
// computation.
func (s *trackingStore) CohortAnalytics(ctx context.Context, partnerID string,
	q analytics.Query) (analytics.Report, error) {
	var facts []analytics.Fact
	for _, k := range s.keys(partnerID) {
		ss, err := s.GetSession(ctx, partnerID, k[1])
		if err != nil {
			return analytics.Report{}, err
		}

		facts = append(facts, analytics.FactOf(ss))
	}

	return analytics.Compute(q, facts)
}

// partnerKeys is one partner's signing side.
type partnerKeys struct {
	id     string
	issuer string
	minter *launch.Minter
}

// env is a full handler over the memory store with two partners.
type env struct {
	t       testing.TB
	clock   *clock
	store   *trackingStore
	service *session.Service
	tokens  *launch.SessionTokens
	handler *reporting.Handler
	a, b    partnerKeys
}

type envOption func(*reporting.Config)

func newEnv(t testing.TB, opts ...envOption) *env {
	t.Helper()
	e := &env{t: t, clock: &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}}
	e.store = newTrackingStore(e.clock.Now)
	e.service = &session.Service{Store: e.store, Now: e.clock.Now}

	var partners []launch.Partner
	e.a, partners = e.newPartner(partnerA, partners)
	e.b, partners = e.newPartner(partnerB, partners)
	verifier, err := launch.NewVerifier(launch.VerifierConfig{Partners: partners, Now: e.clock.Now})
	require.NoError(t, err)
	t.Cleanup(verifier.Close)

	vapKey := newKey(t)
	e.tokens, err = launch.NewSessionTokens(launch.SessionTokenConfig{
		Issuer: "https://vap.example", Signer: vapKey, KeyID: "vap-1", Now: e.clock.Now,
	})
	require.NoError(t, err)

	cfg := reporting.Config{
		Verifier: verifier, Service: e.service, Tokens: e.tokens, LearnerAppURL: learnerApp,
		Catalog: e.store, Changes: e.store, Analytics: e.store, Now: e.clock.Now,
	}
	for _, o := range opts {
		o(&cfg)
	}

	e.handler, err = reporting.New(cfg)
	require.NoError(t, err)
	e.seed()

	return e
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)

	return k
}

func (e *env) newPartner(id string, list []launch.Partner) (partnerKeys, []launch.Partner) {
	key := newKey(e.t)
	issuer := "https://" + id + ".example"
	pub, err := launch.PublicKeyOf(key, id+"-1", "ES256")
	require.NoError(e.t, err)

	m, err := launch.NewMinter(launch.MinterConfig{Issuer: issuer, Audience: launchAud,
		Signer: key, KeyID: id + "-1", Now: e.clock.Now})
	require.NoError(e.t, err)

	p := launch.Partner{ID: id, Issuer: issuer, Audience: launchAud, APIAudience: apiAud,
		Algorithms: []string{"ES256"}, Keys: []launch.PublicKey{pub}}

	return partnerKeys{id: id, issuer: issuer, minter: m}, append(list, p)
}

// seed registers two published cases, a case set and one cohort per
// partner ("cohort-1" for both, to prove scoping).
func (e *env) seed() {
	ctx := context.Background()
	for _, c := range []session.Case{
		{ID: caseChest, Title: "Chest pain", Summary: "A man with chest pain", Tags: []string{"cardio"}},
		{ID: caseSepsis, Title: "Early sepsis", Summary: "A febrile woman"},
		{ID: "draft-case", Title: "Draft"},
	} {
		_, err := e.service.PutCase(ctx, c)
		require.NoError(e.t, err)
	}

	for _, id := range []string{caseChest, caseSepsis} {
		_, err := e.service.PublishCaseVersion(ctx, session.CaseVersion{CaseID: id, Major: 1,
			Minor: 0, Rubric: referenceRubric()})
		require.NoError(e.t, err)
	}

	_, err := e.service.PutCaseSet(ctx, session.CaseSet{ID: caseSetCore, Title: "Core emergencies",
		Cases: []session.CaseRef{{CaseID: caseChest}, {CaseID: caseSepsis}}})
	require.NoError(e.t, err)

	roster := 30
	for _, p := range []string{partnerA, partnerB} {
		_, err := e.service.PutCohort(ctx, session.Cohort{PartnerID: p, ID: "cohort-1",
			Name: "Cohort", RosterSize: &roster})
		require.NoError(e.t, err)
	}
}

// referenceRubric is DOMAIN.md's reference rubric.
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

// mint returns a launch token of the partner.
func (e *env) mint(p partnerKeys, sub, caseID string) string {
	tok, err := p.minter.Mint(context.Background(), launch.LaunchRequest{Subject: sub,
		Role: launch.RoleLearner, CohortID: "cohort-1", CaseID: caseID})
	require.NoError(e.t, err)

	return tok
}

// credential returns an API credential of the partner.
func (e *env) credential(p partnerKeys) string {
	tok, err := p.minter.MintAPICredential(context.Background(), apiAud)
	require.NoError(e.t, err)

	return tok
}
