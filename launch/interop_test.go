package launch

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/internal/testenv"
)

const interopDir = "testdata/interop"

// nodeInterop returns the node binary, or skips (fails under CI, see
// testenv.Required) when node or the jose package is missing.
func nodeInterop(t *testing.T) string {
	t.Helper()
	node := testenv.LookPath(t, "node")
	if _, err := os.Stat(filepath.Join(interopDir, "node_modules", "jose")); err != nil {
		testenv.Unavailable(t, "the npm package jose (run npm ci in launch/"+interopDir+")")
	}

	return node
}

func runJose(t *testing.T, node string, req map[string]any) map[string]any {
	t.Helper()
	in, err := json.Marshal(req)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	cmd := exec.CommandContext(ctx, node, "interop.mjs")
	cmd.Dir = interopDir
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, stderr.String())

	var resp map[string]any
	require.NoError(t, json.Unmarshal(out, &resp))

	return resp
}

// joseKey returns the JWK jose needs: private to sign, public to verify.
func joseKey(t *testing.T, alg string, private bool) any {
	t.Helper()
	signer, secret := testSigner(alg)
	if signer == nil {
		return map[string]string{"kty": "oct", "k": b64(string(secret))}
	}

	var key any = signer.Public()
	if private {
		key = signer
	}

	jwk, err := jwkset.NewJWKFromKey(key, jwkset.JWKOptions{Marshal: jwkset.JWKMarshalOptions{Private: private}})
	require.NoError(t, err)

	return jwk.Marshal()
}

func TestInteropJoseSignsWeVerify(t *testing.T) {
	node := nodeInterop(t)
	for _, alg := range []string{ES256, EdDSA, RS256, PS256, HS256} {
		t.Run(alg, func(t *testing.T) {
			resp := runJose(t, node, map[string]any{
				"op": "sign", "alg": alg, "key": joseKey(t, alg, true),
				"header": map[string]string{"alg": alg, "typ": TypeLaunch, "kid": "k1"},
				"claims": map[string]any{
					"iss": testIssuer, "aud": testAudience, "sub": "user-42", "role": "instructor",
					"cohort_id": "cohort-7", "case_set_id": "set-1", "jti": "jose-" + alg,
					"iat": t0.Unix(), "exp": t0.Add(time.Minute).Unix(),
				},
			})
			v := newTestVerifier(t, t0, testPartner(alg))

			l, err := v.Verify(context.Background(), resp["token"].(string))
			require.NoError(t, err)
			assert.Equal(t, RoleInstructor, l.Role)
			assert.Equal(t, "set-1", l.CaseSetID)
		})
	}
}

func TestInteropWeSignJoseVerifies(t *testing.T) {
	node := nodeInterop(t)
	for _, alg := range []string{ES256, EdDSA, RS256, PS256, HS256} {
		t.Run(alg, func(t *testing.T) {
			tok := mustMint(t, newTestMinter(t, alg, t0))

			resp := runJose(t, node, map[string]any{
				"op": "verify", "alg": alg, "key": joseKey(t, alg, false), "token": tok,
				"typ": TypeLaunch, "issuer": testIssuer, "audience": testAudience, "now": t0.Unix(),
			})
			claims := resp["claims"].(map[string]any)
			assert.Equal(t, "user-42", claims["sub"])
			assert.Equal(t, "learner", claims["role"])
		})
	}
}
