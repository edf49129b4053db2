package sqlstoretest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/launch"
	"github.com/virtualaipatient/integration/reporting"
	"github.com/virtualaipatient/integration/session"
)

// HandlerStore is a SQL store with everything the reporting handler reads.
type HandlerStore interface {
	session.Store
	reporting.ChangeLister
	reporting.Catalog
	reporting.AnalyticsSource
	reporting.CodeStore
}

const (
	launchAud = "https://vap.example/launch"
	apiAud    = "https://vap.example/api"
)

// handlerEnv is a full reporting handler over a store, with the seeded
// partner's minter.
type handlerEnv struct {
	handler *reporting.Handler
	minter  *launch.Minter
}

func newHandlerEnv(b *testing.B, st HandlerStore) *handlerEnv {
	Seed(b, st)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(b, err)
	pub, err := launch.PublicKeyOf(key, "k1", "ES256")
	require.NoError(b, err)
	minter, err := launch.NewMinter(launch.MinterConfig{Issuer: issuer, Audience: launchAud,
		Signer: key, KeyID: "k1"})
	require.NoError(b, err)

	verifier, err := launch.NewVerifier(launch.VerifierConfig{Partners: []launch.Partner{{
		ID: partnerID, Issuer: issuer, Audience: launchAud, APIAudience: apiAud,
		Algorithms: []string{"ES256"}, Keys: []launch.PublicKey{pub},
	}}})
	require.NoError(b, err)
	b.Cleanup(verifier.Close)

	tokens, err := launch.NewSessionTokens(launch.SessionTokenConfig{
		Issuer: "https://vap.example", Signer: key, KeyID: "vap-1"})
	require.NoError(b, err)

	unlimited := reporting.RateLimit{PerSecond: 1e9, Burst: 1 << 30}
	h, err := reporting.New(reporting.Config{Verifier: verifier, Service: session.New(st),
		Tokens: tokens, LearnerAppURL: "https://learn.vap.example/app", Codes: st,
		Catalog: st, Changes: st, Analytics: st, LaunchRate: unlimited,
		ReportingRate: unlimited, ChangeSettle: time.Nanosecond})
	require.NoError(b, err)

	return &handlerEnv{handler: h, minter: minter}
}

func (e *handlerEnv) launch(b *testing.B, token string) string {
	body, err := json.Marshal(reporting.LaunchRequest{LaunchToken: token})
	require.NoError(b, err)
	req := httptest.NewRequest(http.MethodPost, reporting.DefaultBasePath+"/launch",
		strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	e.handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusCreated {
		b.Fatalf("launch: status %d: %s", rec.Code, rec.Body.String())
	}

	var out reporting.LaunchResponse
	require.NoError(b, json.Unmarshal(rec.Body.Bytes(), &out))

	return out.SessionID
}

func (e *handlerEnv) mint(b *testing.B, i int) string {
	tok, err := e.minter.Mint(context.Background(), launch.LaunchRequest{
		Subject: subject(i), Role: launch.RoleLearner, CohortID: cohortID, CaseID: caseID})
	require.NoError(b, err)

	return tok
}

// BenchmarkHandlerLaunch measures POST /launch through the full reporting
// handler on st: token verification, session creation in the store and a
// one-time code kept in the store. Tokens are minted before the timer.
func BenchmarkHandlerLaunch(b *testing.B, st HandlerStore) {
	e := newHandlerEnv(b, st)
	tokens := make([]string, 0, b.N)
	for i := range b.N {
		tokens = append(tokens, e.mint(b, i))
	}

	b.ResetTimer()
	for i := range b.N {
		e.launch(b, tokens[i])
	}
}

// BenchmarkHandlerSummary measures GET /sessions/{id} (a summary read with
// credential check) through the full handler on st.
func BenchmarkHandlerSummary(b *testing.B, st HandlerStore) {
	e := newHandlerEnv(b, st)
	id := e.launch(b, e.mint(b, 0))
	cred, err := e.minter.MintAPICredential(context.Background(), apiAud)
	require.NoError(b, err)

	b.ResetTimer()
	for range b.N {
		e.get(b, cred, "/sessions/"+id)
	}
}

// BenchmarkHandlerSessionPage measures GET /sessions?limit=100 over 200
// launched sessions through the full handler on st.
func BenchmarkHandlerSessionPage(b *testing.B, st HandlerStore) {
	e := newHandlerEnv(b, st)
	for i := range 200 {
		e.launch(b, e.mint(b, i))
	}

	cred, err := e.minter.MintAPICredential(context.Background(), apiAud)
	require.NoError(b, err)

	b.ResetTimer()
	for range b.N {
		e.get(b, cred, "/sessions?limit=100&updated_since=2000-01-01T00:00:00Z")
	}
}

func (e *handlerEnv) get(b *testing.B, cred, path string) {
	req := httptest.NewRequest(http.MethodGet, reporting.DefaultBasePath+path, nil)
	req.Header.Set("Authorization", "Bearer "+cred)
	rec := httptest.NewRecorder()
	e.handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("%s: status %d: %s", path, rec.Code, rec.Body.String())
	}
}
