package launch

import (
	"context"
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestKeySetRotation(t *testing.T) {
	loadTestKeys()
	k2 := newECKey(t)
	tests := []struct {
		name    string
		overlap time.Duration
		after   time.Duration
		wantIDs []string
	}{
		{"within overlap", time.Hour, 59 * time.Minute, []string{"k2", "k1"}},
		{"overlap over", time.Hour, time.Hour, []string{"k2"}},
		{"no overlap", 0, 0, []string{"k2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := t0
			s := NewKeySet(KeySetConfig{Now: func() time.Time { return now }})
			require.NoError(t, s.SetCurrent(PublicKey{KeyID: "k1", Algorithm: ES256, Key: ecKey.Public()}, 0))
			require.NoError(t, s.SetCurrent(PublicKey{KeyID: "k2", Algorithm: ES256, Key: k2.Public()}, tt.overlap))
			now = now.Add(tt.after)

			var ids []string
			for _, k := range s.Keys() {
				ids = append(ids, k.KeyID)
			}
			assert.Equal(t, tt.wantIDs, ids)
		})
	}
}

func TestKeySetPublishesEachKeyIDOnce(t *testing.T) {
	loadTestKeys()
	k1 := PublicKey{KeyID: "k1", Algorithm: ES256, Key: ecKey.Public()}
	k2 := PublicKey{KeyID: "k2", Algorithm: ES256, Key: newECKey(t).Public()}
	tests := []struct {
		name    string
		steps   func(s *KeySet)
		after   time.Duration
		wantIDs []string
	}{
		{"rotate back to a previous key", func(s *KeySet) {
			require.NoError(t, s.SetCurrent(k2, time.Hour))
			require.NoError(t, s.SetCurrent(k1, time.Hour))
		}, 0, []string{"k1", "k2"}},
		{"add the current key as previous", func(s *KeySet) {
			require.NoError(t, s.AddPrevious(k1, t0.Add(time.Hour)))
		}, 0, []string{"k1"}},
		{"add a previous key twice keeps the later time", func(s *KeySet) {
			require.NoError(t, s.AddPrevious(k2, t0.Add(2*time.Hour)))
			require.NoError(t, s.AddPrevious(k2, t0.Add(time.Hour)))
		}, 90 * time.Minute, []string{"k1", "k2"}},
		{"retiring a key already previous keeps the later time", func(s *KeySet) {
			require.NoError(t, s.AddPrevious(k1, t0.Add(3*time.Hour)))
			require.NoError(t, s.SetCurrent(k2, time.Hour))
		}, 2 * time.Hour, []string{"k2", "k1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := t0
			s := NewKeySet(KeySetConfig{Now: func() time.Time { return now }})
			require.NoError(t, s.SetCurrent(k1, 0))
			tt.steps(s)
			now = now.Add(tt.after)

			var ids []string
			for _, k := range s.Keys() {
				ids = append(ids, k.KeyID)
			}
			assert.Equal(t, tt.wantIDs, ids)
			doc, err := s.JSON()
			require.NoError(t, err)
			_, err = ParseJWKS(doc)
			assert.NoError(t, err)
		})
	}
}

func TestKeySetRefusesSecretsAndPrivateKeys(t *testing.T) {
	loadTestKeys()
	tests := []struct {
		name string
		key  PublicKey
	}{
		{"secret", PublicKey{KeyID: "s", Key: testSecret}},
		{"private key", PublicKey{KeyID: "p", Key: ecKey}},
		{"no key id", PublicKey{Key: ecKey.Public()}},
		{"algorithm mismatch", PublicKey{KeyID: "m", Algorithm: RS256, Key: ecKey.Public()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewKeySet(KeySetConfig{})
			assert.Error(t, s.SetCurrent(tt.key, 0))
			assert.Error(t, s.AddPrevious(tt.key, t0))
		})
	}
}

func TestJWKSHandlerServesRotatingKeys(t *testing.T) {
	loadTestKeys()
	now := t0
	set := NewKeySet(KeySetConfig{Now: func() time.Time { return now }})
	require.NoError(t, set.SetCurrent(PublicKey{KeyID: "k1", Algorithm: ES256, Key: ecKey.Public()}, 0))
	srv := httptest.NewServer(NewJWKSHandler(set))
	t.Cleanup(srv.Close)

	// A token signed with k1 just before the rotation still verifies after it.
	oldToken := mintWith(t, ecKey, "k1")
	k2 := newECKey(t)
	require.NoError(t, set.SetCurrent(PublicKey{KeyID: "k2", Algorithm: ES256, Key: k2.Public()}, time.Hour))
	v := remoteVerifier(t, srv.URL, time.Nanosecond)
	waitIdle(v)

	tests := []struct {
		name  string
		token string
	}{
		{"previous key within overlap", oldToken},
		{"current key", mintWith(t, k2, "k2")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := v.Verify(context.Background(), tt.token)
			assert.NoError(t, err)
		})
	}
}

func TestJWKSHandlerHTTP(t *testing.T) {
	loadTestKeys()
	set := NewKeySet(KeySetConfig{})
	require.NoError(t, set.SetCurrent(PublicKey{KeyID: "k1", Key: ecKey.Public()}, 0))
	h := NewJWKSHandler(set)
	tests := []struct {
		name       string
		method     string
		wantStatus int
		wantBody   bool
	}{
		{"GET", http.MethodGet, http.StatusOK, true},
		{"HEAD", http.MethodHead, http.StatusOK, false},
		{"POST", http.MethodPost, http.StatusMethodNotAllowed, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tt.method, "/jwks.json", nil))

			assert.Equal(t, tt.wantStatus, rec.Code)
			if !tt.wantBody {
				return
			}

			assert.Equal(t, "application/jwk-set+json", rec.Header().Get("Content-Type"))
			body, err := io.ReadAll(rec.Body)
			require.NoError(t, err)
			keys, err := ParseJWKS(body)
			require.NoError(t, err)
			require.Len(t, keys, 1)
			assert.Equal(t, "k1", keys[0].KeyID)
			assert.NotContains(t, string(body), `"d"`, "no private member")
		})
	}
}

func TestPEMHelpers(t *testing.T) {
	loadTestKeys()
	pkcs8, err := x509.MarshalPKCS8PrivateKey(ecKey)
	require.NoError(t, err)
	pkix, err := x509.MarshalPKIXPublicKey(ecKey.Public())
	require.NoError(t, err)
	small, err := testRSA1024()
	require.NoError(t, err)

	tests := []struct {
		name    string
		pem     []byte
		private bool
		wantErr bool
	}{
		{"PKCS8 private key", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}), true, false},
		{"RSA private key", pem.EncodeToMemory(&pem.Block{
			Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey),
		}), true, false},
		{"weak RSA private key", pem.EncodeToMemory(&pem.Block{
			Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(small),
		}), true, true},
		{"PKIX public key", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pkix}), false, false},
		{"RSA public key", pem.EncodeToMemory(&pem.Block{
			Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&rsaKey.PublicKey),
		}), false, false},
		{"not PEM", []byte("hello"), false, true},
		{"public key given as private",
			pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pkix}), true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if tt.private {
				_, err = LoadPrivateKeyPEM(tt.pem)
			} else {
				_, err = ParsePublicKeyPEM(tt.pem)
			}

			if tt.wantErr {
				assert.ErrorIs(t, err, ErrKeyUnsupported)
			} else {
				assert.NoError(t, err)
			}
		})
	}
}

func TestJWKRoundTrip(t *testing.T) {
	loadTestKeys()
	for _, alg := range []string{ES256, EdDSA, RS256} {
		t.Run(alg, func(t *testing.T) {
			signer, _ := testSigner(alg)
			k, err := PublicKeyOf(signer, "kid-"+alg, alg)
			require.NoError(t, err)
			b, err := MarshalPublicJWK(k)
			require.NoError(t, err)

			got, err := ParsePublicJWK(b)
			require.NoError(t, err)
			assert.Equal(t, k.KeyID, got.KeyID)
			assert.Equal(t, alg, got.Algorithm)
			assert.True(t, keyFits(alg, got.Key))
			if ec, ok := k.Key.(*ecdsa.PublicKey); ok {
				assert.True(t, ec.Equal(got.Key))
			}
		})
	}
}
