package oidc_test

import (
	"crypto/rand"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/launch"
	"github.com/virtualaipatient/integration/launch/oidc"
)

func cookieFlows(t *testing.T) *oidc.CookieFlows {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	c, err := oidc.NewCookieFlows(key)
	require.NoError(t, err)

	return c
}

func TestSignIn(t *testing.T) {
	groups := []any{"vap-cohort:im-2026", "vap-role:instructor", "staff"}
	tests := []struct {
		name      string
		cookies   bool
		configure func(c *oidc.Config)
		claims    map[string]any
		initiate  bool
		wantRole  launch.Role
		cohort    string
	}{
		{name: "client secret, memory flows", wantRole: launch.RoleLearner, cohort: "c-1"},
		{name: "client secret in body, cookie flows", cookies: true,
			configure: func(c *oidc.Config) { c.ClientAuth.SecretInBody = true },
			wantRole:  launch.RoleLearner, cohort: "c-1"},
		{name: "private_key_jwt", cookies: true, configure: func(c *oidc.Config) {
			c.ClientID = jwtClient
			c.ClientAuth = oidc.ClientAuth{Key: clientKey, KeyID: clientKeyID}
		}, wantRole: launch.RoleLearner, cohort: "c-1"},
		{name: "groups map role and cohort", claims: map[string]any{"groups": groups},
			configure: func(c *oidc.Config) {
				c.Mapping.Role = oidc.FromGroup("vap-role:")
				c.Mapping.Cohort = oidc.FromGroup("vap-cohort:")
			}, wantRole: launch.RoleInstructor, cohort: "im-2026"},
		{name: "claim and verified email", claims: map[string]any{"vap_cohort": "from-claim"},
			configure: func(c *oidc.Config) {
				c.Mapping.Cohort = oidc.FromClaim("vap_cohort")
				c.RequireVerifiedEmail = true
			}, wantRole: launch.RoleLearner, cohort: "from-claim"},
		{name: "partner-initiated post with login hint", initiate: true, cookies: true,
			wantRole: launch.RoleLearner, cohort: "c-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			testKeys(t)
			e := newEnv(t, func(e *env, s *setup) {
				if tt.configure != nil {
					tt.configure(&s.partners[0])
				}

				if tt.cookies {
					s.handler.Cookies = cookieFlows(t)
				}

				e.op.storage.setTamper(tamper{claims: tt.claims})
			})

			var login page
			if tt.initiate {
				form := target("c-1")
				form.Set("login_hint", userName)
				login = e.browser.post("/sso/initiate", form)
			} else {
				login = e.browser.start("/sso/login", target("c-1"))
			}

			end := e.browser.signIn(login)
			require.Equal(t, http.StatusOK, end.status, end.body)
			assert.Equal(t, "launched", end.body)

			got := e.recorded()
			require.Len(t, got, 1)
			l := got[0]
			assert.Equal(t, partnerA, l.PartnerID)
			assert.Equal(t, e.op.issuer, l.Issuer)
			assert.Equal(t, "id2", l.Subject)
			assert.Equal(t, "Test User2", l.Name)
			assert.Equal(t, tt.wantRole, l.Role)
			assert.Equal(t, tt.cohort, l.CohortID)
			assert.Equal(t, "acs-chest-pain", l.CaseID)
			assert.True(t, strings.HasPrefix(l.TokenID, oidc.TokenIDPrefix))
			assert.True(t, l.ExpiresAt.After(time.Now()))
		})
	}
}

func TestConcurrentSignIns(t *testing.T) {
	for _, cookies := range []bool{false, true} {
		t.Run(map[bool]string{false: "memory flows", true: "cookie flows"}[cookies],
			func(t *testing.T) {
				e := newEnv(t, func(_ *env, s *setup) {
					if cookies {
						s.handler.Cookies = cookieFlows(t)
					}
				})

				// Two tabs of one browser start, then finish in reverse order.
				first := e.browser.start("/sso/login", target("cohort-one"))
				second := e.browser.start("/sso/login", target("cohort-two"))
				for _, login := range []page{second, first} {
					end := e.browser.signIn(login)
					require.Equal(t, http.StatusOK, end.status, end.body)
				}

				got := e.recorded()
				require.Len(t, got, 2)
				assert.Equal(t, "cohort-two", got[0].CohortID)
				assert.Equal(t, "cohort-one", got[1].CohortID)
				assert.NotEqual(t, got[0].TokenID, got[1].TokenID)
			})
	}
}

func TestReplayedCallback(t *testing.T) {
	for _, cookies := range []bool{false, true} {
		t.Run(map[bool]string{false: "memory flows", true: "cookie flows"}[cookies],
			func(t *testing.T) {
				e := newEnv(t, func(_ *env, s *setup) {
					if cookies {
						s.handler.Cookies = cookieFlows(t)
					}
				})

				end := e.browser.signIn(e.browser.start("/sso/login", target("c-1")))
				require.Equal(t, http.StatusOK, end.status, end.body)

				again := e.browser.get(e.browser.lastCallback())
				assert.Equal(t, http.StatusBadRequest, again.status)
				assert.Contains(t, again.body, "state_mismatch")
				assert.Len(t, e.recorded(), 1)
			})
	}
}

func TestNonce(t *testing.T) {
	empty, wrong := "", "not-the-flows-nonce"
	tests := []struct {
		name   string
		tamper tamper
	}{
		{name: "missing", tamper: tamper{nonce: &empty}},
		{name: "empty", tamper: tamper{nonce: &empty, claims: map[string]any{"nonce": ""}}},
		{name: "wrong", tamper: tamper{nonce: &wrong}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.op.storage.setTamper(tt.tamper)

			end := e.browser.signIn(e.browser.start("/sso/login", target("c-1")))
			assert.Equal(t, http.StatusUnauthorized, end.status)
			assert.Contains(t, end.body, "nonce_mismatch")
			assert.Empty(t, e.recorded())
		})
	}
}

func TestWrongIssuer(t *testing.T) {
	t.Run("trailing slash is another issuer", func(t *testing.T) {
		e := newEnv(t, func(e *env, s *setup) { s.partners[0].Issuer = e.op.issuer + "/" })

		login := e.browser.start("/sso/login", target("c-1"))
		assert.Equal(t, http.StatusUnauthorized, login.status)
		assert.Contains(t, login.body, "issuer_mismatch")
	})

	t.Run("id token from another issuer", func(t *testing.T) {
		var alias string
		e := newEnv(t, func(e *env, s *setup) {
			alias = strings.Replace(e.op.issuer, "127.0.0.1", "localhost", 1)
			s.partners[0].Issuer = alias
		})

		// Discovery claims the configured issuer; the tokens carry the
		// provider's own.
		rw := replaceIssuer(e.op.issuer, alias)
		e.op.rewrite.Store(&rw)

		end := e.browser.signIn(e.browser.start("/sso/login", target("c-1")))
		assert.Equal(t, http.StatusUnauthorized, end.status)
		assert.Contains(t, end.body, "issuer_mismatch")
		assert.Empty(t, e.recorded())
	})
}

func TestIDTokenForAnotherClient(t *testing.T) {
	e := newEnv(t, func(e *env, s *setup) {
		s.partners = append(s.partners, partnerConfig(partnerB, e.op.issuer, otherClient))
	})

	// A real sign-in of another client yields an ID token for it.
	var stolen string
	capture := func(m map[string]any) { stolen, _ = m["id_token"].(string) }
	e.op.tokenHook.Store(&capture)
	q := target("c-1")
	q.Set("partner", partnerB)
	end := e.browser.signIn(e.browser.start("/sso/login", q))
	require.Equal(t, http.StatusOK, end.status, end.body)
	require.NotEmpty(t, stolen)

	// The token endpoint now answers partner-a's exchange with it.
	substitute := func(m map[string]any) { m["id_token"] = stolen }
	e.op.tokenHook.Store(&substitute)
	end = e.browser.signIn(e.browser.start("/sso/login", target("c-1")))
	assert.Equal(t, http.StatusUnauthorized, end.status)
	assert.Contains(t, end.body, "audience_mismatch")
	assert.Len(t, e.recorded(), 1)
}

func TestKeyRotation(t *testing.T) {
	e := newEnv(t)

	end := e.browser.signIn(e.browser.start("/sso/login", target("c-1")))
	require.Equal(t, http.StatusOK, end.status, end.body)

	// The provider signs with a new key and stops publishing the old one.
	e.op.storage.rotate()
	end = e.browser.signIn(e.browser.start("/sso/login", target("c-1")))
	assert.Equal(t, http.StatusOK, end.status, end.body)
	assert.Len(t, e.recorded(), 2)
}

func TestProviderDown(t *testing.T) {
	t.Run("at login", func(t *testing.T) {
		e := newEnv(t)
		e.op.srv.Close()

		login := e.browser.start("/sso/login", target("c-1"))
		assert.Equal(t, http.StatusServiceUnavailable, login.status)
		assert.Contains(t, login.body, "provider_unavailable")
	})

	t.Run("before the code exchange", func(t *testing.T) {
		e := newEnv(t)
		e.browser.setStopAtCallback(true)
		e.browser.signIn(e.browser.start("/sso/login", target("c-1")))
		e.op.srv.Close()

		end := e.browser.get(e.browser.lastCallback())
		assert.Equal(t, http.StatusBadGateway, end.status)
		assert.Contains(t, end.body, "token_exchange_failed")
		assert.Empty(t, e.recorded())
	})
}

func TestLoginRequests(t *testing.T) {
	tests := []struct {
		name     string
		query    url.Values
		wantCode string
		status   int
	}{
		{name: "unknown partner", query: url.Values{"partner": {"nobody"}},
			wantCode: "partner_unknown", status: http.StatusNotFound},
		{name: "no partner", query: url.Values{"cohort": {"c"}},
			wantCode: "request_invalid", status: http.StatusBadRequest},
		{name: "repeated cohort", query: url.Values{"partner": {partnerA}, "cohort": {"a", "b"}},
			wantCode: "request_invalid", status: http.StatusBadRequest},
		{name: "control character", query: url.Values{"partner": {partnerA}, "case": {"a\nb"}},
			wantCode: "request_invalid", status: http.StatusBadRequest},
		{name: "format character", query: url.Values{"partner": {partnerA},
			"cohort": {"a\u200bb"}}, wantCode: "request_invalid", status: http.StatusBadRequest},
		{name: "dot dot", query: url.Values{"partner": {partnerA}, "case_set": {".."}},
			wantCode: "request_invalid", status: http.StatusBadRequest},
	}
	e := newEnv(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := e.browser.start("/sso/login", tt.query)
			assert.Equal(t, tt.status, p.status)
			assert.Contains(t, p.body, tt.wantCode)
		})
	}
}

func TestCallbackRequests(t *testing.T) {
	tests := []struct {
		name     string
		query    string
		wantCode string
	}{
		{name: "no state", query: "code=abc", wantCode: "state_mismatch"},
		{name: "unknown state", query: "code=abc&state=forged", wantCode: "state_mismatch"},
	}
	e := newEnv(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := e.browser.get(e.vap.URL + callback + "?" + tt.query)
			assert.Equal(t, http.StatusBadRequest, p.status)
			assert.Contains(t, p.body, tt.wantCode)
			assert.NotContains(t, p.body, "abc")
		})
	}

	t.Run("provider error", func(t *testing.T) {
		e.browser.setStopAtCallback(true)
		defer e.browser.setStopAtCallback(false)
		e.browser.signIn(e.browser.start("/sso/login", target("c-1")))
		u, err := url.Parse(e.browser.lastCallback())
		require.NoError(t, err)

		q := u.Query()
		q.Del("code")
		q.Set("error", "access_denied")
		u.RawQuery = q.Encode()
		p := e.browser.get(u.String())
		assert.Equal(t, http.StatusUnauthorized, p.status)
		assert.Contains(t, p.body, "provider_error")
	})

	// Codes are opaque and may be long: one of 550 bytes goes to the token
	// endpoint (which refuses this one, as it is not the code it issued);
	// one above the 4 KiB cap is refused before the exchange.
	for _, tt := range []struct {
		name     string
		extra    int
		status   int
		wantCode string
	}{
		{"long code", 500, http.StatusBadGateway, "token_exchange_failed"},
		{"code above the cap", 5000, http.StatusBadRequest, "request_invalid"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e.browser.setStopAtCallback(true)
			defer e.browser.setStopAtCallback(false)
			e.browser.signIn(e.browser.start("/sso/login", target("c-1")))
			u, err := url.Parse(e.browser.lastCallback())
			require.NoError(t, err)

			q := u.Query()
			q.Set("code", q.Get("code")+strings.Repeat("A", tt.extra))
			u.RawQuery = q.Encode()
			p := e.browser.get(u.String())
			assert.Equal(t, tt.status, p.status, p.body)
			assert.Contains(t, p.body, tt.wantCode)
		})
	}
}
