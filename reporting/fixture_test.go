package reporting_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/launch"
	"github.com/virtualaipatient/integration/reporting"
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

// partnerKeys is one partner's signing side.
type partnerKeys struct {
	id     string
	issuer string
	minter *launch.Minter
	key    *ecdsa.PrivateKey
}

// env is a full handler over the memory store with two partners.
type env struct {
	t       testing.TB
	clock   *clock
	store   *memory.Store
	service *session.Service
	tokens  *launch.SessionTokens
	handler *reporting.Handler
	a, b    partnerKeys
}

type envOption func(*reporting.Config)

func newEnv(t testing.TB, opts ...envOption) *env {
	t.Helper()

	return newEnvWithPartners(t, nil, opts...)
}

// newEnvWithPartners is newEnv with edit applied to each partner's registry
// entry before the verifier is built.
func newEnvWithPartners(t testing.TB, edit func(*launch.Partner), opts ...envOption) *env {
	t.Helper()
	e := &env{t: t, clock: &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}}
	e.store = memory.New(memory.WithClock(e.clock.Now))
	e.service = &session.Service{Store: e.store, Now: e.clock.Now}

	var partners []launch.Partner
	e.a, partners = e.newPartner(partnerA, partners)
	e.b, partners = e.newPartner(partnerB, partners)
	for i := range partners {
		if edit != nil {
			edit(&partners[i])
		}
	}

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

	return partnerKeys{id: id, issuer: issuer, minter: m, key: key}, append(list, p)
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
