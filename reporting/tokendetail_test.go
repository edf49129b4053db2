package reporting_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/launch"
	"github.com/virtualaipatient/integration/reporting"
)

// signRaw signs claims as partner p's launch key would, without the
// minter's checks, so that a test can send claims the minter refuses.
func (e *env) signRaw(p partnerKeys, claims jwt.MapClaims) string {
	tok := jwt.NewWithClaims(jwt.SigningMethodES256, claims)
	tok.Header["typ"] = launch.TypeLaunch
	tok.Header["kid"] = p.id + "-1"
	s, err := tok.SignedString(p.key)
	require.NoError(e.t, err)

	return s
}

// TestLaunchClaimDetail checks that a launch refused for a claim names the
// claim and the rule in the problem detail, never the claim's value.
func TestLaunchClaimDetail(t *testing.T) {
	e := newEnv(t)
	now := e.clock.Now().Unix()
	base := func() jwt.MapClaims {
		return jwt.MapClaims{"iss": e.a.issuer, "aud": launchAud, "sub": "user-1",
			"role": "learner", "cohort_id": "cohort-1", "case_id": caseChest,
			"iat": now, "exp": now + 60, "jti": "0123456789abcdef0123456789abcdef"}
	}

	for _, tt := range []struct {
		name   string
		edit   func(jwt.MapClaims)
		code   string
		detail string
		value  string
	}{
		{"bad role", func(c jwt.MapClaims) { c["role"] = "dean-of-medicine" },
			"claim_invalid", "role must be learner or instructor", "dean-of-medicine"},
		{"string exp", func(c jwt.MapClaims) { c["exp"] = "tomorrow" },
			"claim_invalid", `member "exp" has the wrong type`, "tomorrow"},
		{"e-mail sub", func(c jwt.MapClaims) { c["sub"] = "ada@uni.example.edu" },
			"claim_invalid", "sub is shaped like an e-mail address", "ada@uni.example.edu"},
		{"no cohort", func(c jwt.MapClaims) { delete(c, "cohort_id") },
			"claim_missing", "cohort_id", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := base()
			tt.edit(c)
			rec := e.launchJSON(e.signRaw(e.a, c))
			require.Equal(t, http.StatusUnauthorized, rec.Code, rec.Body.String())
			var p reporting.Problem
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &p))
			assert.Equal(t, tt.code, p.Code)
			assert.Contains(t, p.Detail, tt.detail)
			assert.False(t, strings.HasPrefix(p.Detail, "launch:"), p.Detail)
			if tt.value != "" {
				assert.NotContains(t, rec.Body.String(), tt.value, "the value is never echoed")
			}
		})
	}

	valid := e.launchJSON(e.signRaw(e.a, base()))
	assert.Equal(t, http.StatusCreated, valid.Code, "the raw signer makes valid tokens: %s",
		valid.Body.String())
}
