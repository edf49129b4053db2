package oidc

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var testNow = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

func testCookieFlows(t testing.TB) *CookieFlows {
	c, err := NewCookieFlows([]byte("0123456789abcdef0123456789abcdef"))
	require.NoError(t, err)

	return c
}

func TestCookieFlows(t *testing.T) {
	c := testCookieFlows(t)
	f := Flow{State: "st", PartnerID: "p", Nonce: "n", Verifier: "v",
		ExpiresAt: testNow.Add(time.Minute)}
	ck, err := c.seal(f, "/sso/callback", testNow)
	require.NoError(t, err)

	tests := []struct {
		name   string
		state  string
		mutate func(ck http.Cookie) *http.Cookie
		now    time.Time
		found  bool
	}{
		{name: "round trip", state: "st", now: testNow, found: true},
		{name: "expired", state: "st", now: testNow.Add(time.Minute)},
		{name: "other state", state: "other", now: testNow},
		{name: "tampered", state: "st", now: testNow, mutate: func(ck http.Cookie) *http.Cookie {
			b := []byte(ck.Value)
			b[len(b)-2] ^= 1
			ck.Value = string(b)
			return &ck
		}},
		{name: "moved to another name", state: "other", now: testNow,
			mutate: func(ck http.Cookie) *http.Cookie {
				ck.Name = cookieName("other")
				return &ck
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/sso/callback", nil)
			sent := ck
			if tt.mutate != nil {
				sent = tt.mutate(*ck)
			}

			r.AddCookie(sent)
			got, err := c.open(r, tt.state, tt.now)
			if !tt.found {
				assert.ErrorIs(t, err, ErrFlowNotFound)
				return
			}

			require.NoError(t, err)
			assert.Equal(t, f, got)
		})
	}

	assert.True(t, ck.Secure && ck.HttpOnly && ck.Partitioned)
	assert.Equal(t, http.SameSiteNoneMode, ck.SameSite)
	assert.Equal(t, "/sso/callback", ck.Path)
	assert.Equal(t, 60, ck.MaxAge)
}

func FuzzCookieOpen(f *testing.F) {
	c := testCookieFlows(f)
	ck, err := c.seal(Flow{State: "st", ExpiresAt: testNow.Add(time.Minute)}, "/", testNow)
	require.NoError(f, err)
	f.Add(ck.Value)
	f.Add("")
	f.Add("AAAA")
	f.Fuzz(func(t *testing.T, value string) {
		_, _ = c.unseal(cookieName("st"), value)
	})
}

func FuzzClaimMapping(f *testing.F) {
	f.Add([]byte(`{"groups":["vap-role:instructor","vap-cohort:c"],"name":"n"}`))
	f.Add([]byte(`{"groups":"x","email_verified":"true"}`))
	cfg := Config{Mapping: Mapping{Role: FromGroup("vap-role:"),
		Cohort: FromGroup("vap-cohort:"), Case: FromClaim("case")}}.withDefaults()
	f.Fuzz(func(t *testing.T, data []byte) {
		var c claimSet
		if err := jsonUnmarshal(data, &c); err != nil {
			return
		}

		_ = c.emailVerified()
		_, _ = c.resolve(cfg.Mapping.Role, "", "groups", "role", true)
		_, _ = c.resolve(cfg.Mapping.Cohort, "", "groups", "cohort", true)
		_, _ = c.resolve(cfg.Mapping.Case, "", "groups", "case", false)
	})
}
