package partner_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"math/big"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/launch"
	"github.com/virtualaipatient/integration/partner"
)

func TestKeyRoundTrip(t *testing.T) {
	key := newKey(t)
	pemBytes, err := partner.MarshalKeyPEM(key)
	require.NoError(t, err)

	path := filepath.Join(t.TempDir(), "partner-key.pem")
	require.NoError(t, os.WriteFile(path, pemBytes, 0o600))

	loaded, err := partner.LoadKeyFile(path)
	require.NoError(t, err)
	assert.True(t, key.(*ecdsa.PrivateKey).Equal(loaded))
}

func TestLoadKeyPEM(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		wantErr error
	}{
		{name: "PKCS #8 P-256", file: "p256-pkcs8.pem"},
		{name: "SEC 1 P-256", file: "p256-sec1.pem"},
		{name: "RSA 1024 is too small", file: "rsa1024.pem", wantErr: launch.ErrKeyUnsupported},
		{name: "a public key", file: "p256-public.pem", wantErr: launch.ErrKeyUnsupported},
		{name: "not PEM", file: "not-pem.txt", wantErr: launch.ErrKeyUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tt.file))
			require.NoError(t, err)

			key, err := partner.LoadKeyPEM(data)
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
				assert.Nil(t, key)

				return
			}

			require.NoError(t, err)
			assert.NotNil(t, key.Public())
		})
	}
}

func TestLoadKeyFileMissing(t *testing.T) {
	_, err := partner.LoadKeyFile(filepath.Join(t.TempDir(), "absent.pem"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}

func TestKeyID(t *testing.T) {
	// The RSA key of RFC 7638, section 3.1, and its thumbprint.
	n, err := base64.RawURLEncoding.DecodeString(
		"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L" +
			"6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4" +
			"QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91Cb" +
			"OpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-c" +
			"sFCur-kEgU8awapJzKnqDKgw")
	require.NoError(t, err)

	rfcKey := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: 65537}
	edPub, _, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)

	p256 := newKey(t)
	tests := []struct {
		name    string
		key     any
		want    string
		wantErr error
	}{
		{name: "RFC 7638 example", key: rfcKey,
			want: "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"},
		{name: "P-256 is stable", key: p256.Public(), want: mustKeyID(t, p256.Public())},
		{name: "Ed25519", key: edPub},
		{name: "no key", wantErr: partner.ErrConfig},
		{name: "secret", key: []byte("0123456789abcdef0123456789abcdef"),
			wantErr: launch.ErrKeyUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kid, err := partner.KeyID(tt.key)
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)

				return
			}

			require.NoError(t, err)
			assert.Len(t, kid, 43)
			if tt.want != "" {
				assert.Equal(t, tt.want, kid)
			}
		})
	}
}

func mustKeyID(t *testing.T, pub any) string {
	t.Helper()
	kid, err := partner.KeyID(pub)
	require.NoError(t, err)

	return kid
}
