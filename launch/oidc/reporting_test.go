package oidc_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/launch"
	"github.com/virtualaipatient/integration/reporting"
	"github.com/virtualaipatient/integration/scoring"
	"github.com/virtualaipatient/integration/session"
	"github.com/virtualaipatient/integration/store/memory"
)

const learnerApp = "https://" + learnerHost + "/app"

// newReporting returns the partner API on a memory store with one
// published case and the cohort "im-2026" of partner-a.
func newReporting(t *testing.T) (*reporting.Handler, *session.Service) {
	ctx := context.Background()
	svc := session.New(memory.New())
	_, err := svc.PutCase(ctx, session.Case{ID: "acs-chest-pain", Title: "Chest pain"})
	require.NoError(t, err)
	_, err = svc.PublishCaseVersion(ctx, session.CaseVersion{CaseID: "acs-chest-pain",
		Major: 1, Rubric: scoring.Rubric{
			Domains:   []scoring.Domain{{Code: "history_taking", MaxPoints: 10, Weight: 1}},
			Threshold: 0.7,
		}})
	require.NoError(t, err)
	_, err = svc.PutCohort(ctx, session.Cohort{PartnerID: partnerA, ID: "im-2026"})
	require.NoError(t, err)

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	v, err := launch.NewVerifier(launch.VerifierConfig{Partners: []launch.Partner{{
		ID: partnerA, Issuer: "https://lms.partner.example", Audience: "https://vap.example",
		Algorithms: []string{"ES256"}, Keys: []launch.PublicKey{{Key: &key.PublicKey}},
	}}})
	require.NoError(t, err)

	tokens, err := launch.NewSessionTokens(launch.SessionTokenConfig{
		Issuer: "https://vap.example", Signer: key, KeyID: "vap-1"})
	require.NoError(t, err)

	h, err := reporting.New(reporting.Config{Verifier: v, Service: svc, Tokens: tokens,
		LearnerAppURL: learnerApp})
	require.NoError(t, err)

	return h, svc
}

// TestSignInToSession runs a sign-in through to the learner app and the
// code exchange, exactly as a launch token would.
func TestSignInToSession(t *testing.T) {
	rh, svc := newReporting(t)
	e := newEnv(t, func(_ *env, s *setup) { s.handler.Complete = rh.CompleteLaunch })

	end := e.browser.signIn(e.browser.start("/sso/login", target("im-2026")))
	require.Equal(t, http.StatusSeeOther, end.status, end.body)
	require.True(t, strings.HasPrefix(end.location, learnerApp+"#code="), end.location)

	frag, err := url.ParseQuery(strings.SplitN(end.location, "#", 2)[1])
	require.NoError(t, err)

	body, err := json.Marshal(reporting.ExchangeRequest{Code: frag.Get("code")})
	require.NoError(t, err)

	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, reporting.DefaultBasePath+"/launch/exchange",
		strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	rh.ServeHTTP(rec, req)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())

	var ex reporting.ExchangeResponse
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &ex))
	ss, err := svc.Store.GetSession(context.Background(), partnerA, ex.SessionID)
	require.NoError(t, err)
	assert.Equal(t, "id2", ss.PartnerUserID)
	assert.Equal(t, "acs-chest-pain", ss.CaseID)
}

// TestCompleteLaunchOnce shows the session service consuming a sign-in's
// TokenID once, as it does a launch token's jti.
func TestCompleteLaunchOnce(t *testing.T) {
	rh, _ := newReporting(t)
	var got *launch.Launch
	e := newEnv(t, func(e *env, s *setup) {
		s.handler.Complete = func(w http.ResponseWriter, r *http.Request, l *launch.Launch) {
			got = l
			rh.CompleteLaunch(w, r, l)
		}
	})

	end := e.browser.signIn(e.browser.start("/sso/login", target("im-2026")))
	require.Equal(t, http.StatusSeeOther, end.status, end.body)
	require.NotNil(t, got)

	rec := httptest.NewRecorder()
	rh.CompleteLaunch(rec, httptest.NewRequest(http.MethodGet, "/sso/callback", nil), got)
	assert.Equal(t, http.StatusConflict, rec.Code)
	assert.Contains(t, rec.Body.String(), reporting.CodeLaunchReplayed)
}
