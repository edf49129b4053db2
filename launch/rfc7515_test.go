package launch

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type rfcVectors struct {
	Vectors []struct {
		Name  string          `json:"name"`
		Alg   string          `json:"alg"`
		JWK   json.RawMessage `json:"jwk"`
		Token string          `json:"token"`
	} `json:"vectors"`
	Unsecured struct {
		Token string `json:"token"`
	} `json:"unsecured"`
}

// rfcNow is before the examples' exp (1300819380).
var rfcNow = time.Unix(1300819000, 0).UTC()

func loadRFCVectors(t *testing.T) rfcVectors {
	t.Helper()
	data, err := os.ReadFile("testdata/rfc7515.json")
	require.NoError(t, err)
	var v rfcVectors
	require.NoError(t, json.Unmarshal(data, &v))

	return v
}

// rfcKey decodes the example key; the HMAC key is an "oct" JWK, which
// ParsePublicJWK refuses by design.
func rfcKey(t *testing.T, alg string, jwk json.RawMessage) any {
	t.Helper()
	if alg == HS256 {
		var oct struct{ K string }
		require.NoError(t, json.Unmarshal(jwk, &oct))
		k, err := base64.RawURLEncoding.DecodeString(oct.K)
		require.NoError(t, err)
		return k
	}

	k, err := ParsePublicJWK(jwk)
	require.NoError(t, err)

	return k.Key
}

func TestRFC7515Examples(t *testing.T) {
	vectors := loadRFCVectors(t)
	require.Len(t, vectors.Vectors, 3)

	for _, tc := range vectors.Vectors {
		t.Run(tc.Name, func(t *testing.T) {
			key := rfcKey(t, tc.Alg, tc.JWK)
			i := strings.LastIndexByte(tc.Token, '.')
			parts := compactParts{signingInput: tc.Token[:i], signature: tc.Token[i+1:]}

			// The signature is valid...
			require.NoError(t, checkSignature(tc.Alg, parts, key))
			tampered := parts
			tampered.signingInput += "x"
			assert.ErrorIs(t, checkSignature(tc.Alg, tampered, key), ErrBadSignature)

			// ...yet it is no launch: the claims fail (no aud, iat, jti...).
			var c claimSet
			payload := strings.Split(tc.Token, ".")[1]
			require.NoError(t, decodeSegment(payload, &c, ErrInvalidClaim))
			assert.Equal(t, "joe", c.Issuer)
			err := checkRegisteredClaims(&c, testAudience, MaxLifetime, DefaultLeeway, rfcNow)
			assert.ErrorIs(t, err, ErrAudience)
			assert.ErrorIs(t, checkLaunchClaims(&c), ErrMissingClaim)

			// Full verification refuses it, the header type failing first.
			v := newTestVerifier(t, rfcNow, Partner{
				ID: "rfc", Issuer: "joe", Audience: testAudience, Algorithms: []string{tc.Alg},
				Keys: []PublicKey{{Key: key}},
			})
			_, err = v.Verify(context.Background(), tc.Token)
			assert.ErrorIs(t, err, ErrType)
		})
	}
}

func TestRFC7515UnsecuredRefused(t *testing.T) {
	vectors := loadRFCVectors(t)
	v := newTestVerifier(t, rfcNow, Partner{
		ID: "rfc", Issuer: "joe", Audience: testAudience, Algorithms: []string{HS256},
		Keys: []PublicKey{{Key: testSecret}},
	})

	_, err := v.Verify(context.Background(), vectors.Unsecured.Token)
	assert.ErrorIs(t, err, ErrAlgorithmNotAllowed)
}
