package oidc

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/launch"
)

func validConfig() Config {
	return Config{PartnerID: "p", Issuer: "https://idp.example", ClientID: "vap",
		ClientAuth: ClientAuth{Secret: "s"}, Mapping: Mapping{Cohort: Fixed("c")}}
}

func TestValidateIssuer(t *testing.T) {
	tests := []struct {
		name     string
		issuer   string
		insecure bool
		ok       bool
	}{
		{name: "https", issuer: "https://idp.example/realms/a", ok: true},
		{name: "http on 127.0.0.1", issuer: "http://127.0.0.1:8080", ok: true},
		{name: "http on localhost", issuer: "http://localhost:8080/", ok: true},
		{name: "http on ::1", issuer: "http://[::1]:8080", ok: true},
		{name: "http on another host", issuer: "http://idp.example"},
		{name: "http on a host named like loopback", issuer: "http://127.0.0.1.nip.io"},
		{name: "http with the insecure switch", issuer: "http://idp.internal", insecure: true,
			ok: true},
		{name: "empty", issuer: ""},
		{name: "no host", issuer: "https:///path"},
		{name: "relative", issuer: "idp.example"},
		{name: "other scheme", issuer: "ftp://idp.example"},
		{name: "query", issuer: "https://idp.example?tenant=a"},
		{name: "empty query", issuer: "https://idp.example?"},
		{name: "fragment", issuer: "https://idp.example#a"},
		{name: "user info", issuer: "https://u:p@idp.example"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validConfig()
			c.Issuer, c.InsecureHTTPIssuer = tt.issuer, tt.insecure
			err := c.Validate()
			if tt.ok {
				assert.NoError(t, err)
				return
			}

			assert.ErrorIs(t, err, ErrConfig)
		})
	}
}

func TestValidateNameClaim(t *testing.T) {
	tests := []struct {
		name  string
		claim string
		ok    bool
	}{
		{name: "default", claim: "", ok: true},
		{name: "name", claim: "name", ok: true},
		{name: "custom", claim: "display_name", ok: true},
		{name: "email", claim: "email"},
		{name: "phone", claim: "phone_number"},
		{name: "subject", claim: "sub"},
		{name: "user principal name", claim: "upn"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validConfig()
			c.Mapping.NameClaim = tt.claim
			err := c.Validate()
			if tt.ok {
				assert.NoError(t, err)
				return
			}

			require.ErrorIs(t, err, ErrConfig)
			assert.Contains(t, err.Error(), tt.claim)
		})
	}
}

func TestValidateTokenEndpointAudience(t *testing.T) {
	c := validConfig()
	c.ClientAuth.TokenEndpointAudience = true
	assert.ErrorIs(t, c.Validate(), ErrConfig, "only a client key signs an assertion")
}

// TestDefaultFlowsClock checks that the handler's own MemoryFlows tells
// expired flows by the handler's clock.
func TestDefaultFlowsClock(t *testing.T) {
	h, err := NewHandler(HandlerConfig{Partners: []Config{validConfig()},
		CallbackURL: "https://vap.example/sso/callback",
		Complete:    func(http.ResponseWriter, *http.Request, *launch.Launch) {},
		Now:         func() time.Time { return testNow }})
	require.NoError(t, err)

	k, ok := h.keeper.(storeKeeper)
	require.True(t, ok)
	m, ok := k.store.(*MemoryFlows)
	require.True(t, ok)
	require.NotNil(t, m.Now)
	assert.Equal(t, testNow, m.Now())
	assert.Zero(t, m.Max, "the default cap")
}
