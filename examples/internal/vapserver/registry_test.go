package vapserver

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/launch"
	"github.com/virtualaipatient/integration/partner"
	"github.com/virtualaipatient/integration/session"
	"github.com/virtualaipatient/integration/store/sqlite"
)

// TestRegistrationsAreWhatIsVerified checks that a partner configured with
// nothing but the values of Registrations gets its launch tokens and API
// credentials accepted, and that the values are the documented ones.
func TestRegistrationsAreWhatIsVerified(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "vap.db"), sqlite.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })

	// The partner's keys, served as the JWK Set its registration names.
	key, err := partner.GenerateKey()
	require.NoError(t, err)
	placeholder, err := partner.NewRing(partner.RingConfig{Issuer: "x", Audience: "x"}, key)
	require.NoError(t, err)
	jwks := httptest.NewServer(placeholder.JWKSHandler())
	t.Cleanup(jwks.Close)

	srv, err := New(ctx, Config{
		Store: st, PublicURL: "http://127.0.0.1:9/",
		Partners: []Partner{{
			ID: "acme-lms", Issuer: "https://lms.acme.example", JWKSURL: jwks.URL,
			WebhookURL: "http://127.0.0.1:9/hooks", WebhookSecret: testSecret,
			Cohorts: []session.Cohort{{ID: "acme-cohort", Name: "Acme"}},
		}},
	})
	require.NoError(t, err)
	t.Cleanup(srv.Close)

	regs := srv.Registrations()
	require.Len(t, regs, 1)
	reg := regs[0]
	assert.Equal(t, Registration{
		PartnerID: "acme-lms", Issuer: "https://lms.acme.example",
		LaunchAudience: "http://127.0.0.1:9/integrations/partner/launch",
		APIAudience:    "http://127.0.0.1:9/integrations/partner",
		Algorithms:     []string{launch.ES256},
		JWKSURL:        jwks.URL, WebhookURL: "http://127.0.0.1:9/hooks",
		CohortIDs:     []string{"acme-cohort"},
		APIBaseURL:    "http://127.0.0.1:9/integrations/partner",
		LearnerAppURL: "http://127.0.0.1:9/app/launch",
	}, reg)

	ring, err := partner.NewRing(partner.RingConfig{
		Issuer: reg.Issuer, Audience: reg.LaunchAudience, Algorithm: reg.Algorithms[0],
	}, key)
	require.NoError(t, err)

	token, err := ring.Mint(ctx, launch.LaunchRequest{
		Subject: "learner-1", Role: launch.RoleLearner, CohortID: reg.CohortIDs[0],
	})
	require.NoError(t, err)
	l, err := srv.verifier.VerifyUnconsumed(ctx, token)
	require.NoError(t, err)
	assert.Equal(t, reg.PartnerID, l.PartnerID)

	cred, _, err := ring.MintAPICredential(ctx, reg.APIAudience)
	require.NoError(t, err)
	c, err := srv.verifier.VerifyAPICredential(ctx, cred)
	require.NoError(t, err)
	assert.Equal(t, reg.PartnerID, c.PartnerID)
}

// testSecret is a webhook secret of the tests: "whsec_" and 32 bytes.
const testSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw7ZhdnL1qcoM="
