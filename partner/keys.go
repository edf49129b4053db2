package partner

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/virtualaipatient/integration/launch"
)

// GenerateKey returns a new ECDSA P-256 private key for ES256, the default
// algorithm. Save it with [MarshalKeyPEM]; a key lost is a key rotated.
func GenerateKey() (crypto.Signer, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("partner: generate key: %w", err)
	}

	return key, nil
}

// LoadKeyPEM parses a PEM-encoded private key ("PRIVATE KEY" in PKCS #8,
// "EC PRIVATE KEY" or "RSA PRIVATE KEY"). Keys of unsupported types or sizes
// are refused with an error wrapping launch.ErrKeyUnsupported.
func LoadKeyPEM(data []byte) (crypto.Signer, error) {
	key, err := launch.LoadPrivateKeyPEM(data)
	if err != nil {
		return nil, fmt.Errorf("partner: load key: %w", err)
	}

	return key, nil
}

// LoadKeyFile reads a PEM-encoded private key from path, as LoadKeyPEM.
func LoadKeyFile(path string) (crypto.Signer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("partner: load key: %w", err)
	}

	return LoadKeyPEM(data)
}

// MarshalKeyPEM encodes a private key as a PKCS #8 "PRIVATE KEY" PEM block.
// The result is a secret: store it as one.
func MarshalKeyPEM(key crypto.Signer) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("partner: encode key: %w", err)
	}

	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// thumbprintMembers are the required members of each key type, in the
// lexicographic order RFC 7638 hashes them.
var thumbprintMembers = map[string][]string{
	"EC":  {"crv", "kty", "x", "y"},
	"OKP": {"crv", "kty", "x"},
	"RSA": {"e", "kty", "n"},
}

// KeyID returns the RFC 7638 JWK thumbprint (SHA-256, base64url) of a
// public key, such as signer.Public(): a key id that is stable, unique to
// the key, and reveals nothing the JWK Set does not publish already.
func KeyID(pub crypto.PublicKey) (string, error) {
	if pub == nil {
		return "", configError("no key")
	}

	raw, err := launch.MarshalPublicJWK(launch.PublicKey{Key: pub})
	if err != nil {
		return "", fmt.Errorf("partner: key id: %w", err)
	}

	var members map[string]any
	if err := json.Unmarshal(raw, &members); err != nil {
		return "", fmt.Errorf("partner: key id: %w", err)
	}

	kty, _ := members["kty"].(string)
	names, ok := thumbprintMembers[kty]
	if !ok {
		return "", fmt.Errorf("partner: key id: key type %q has no thumbprint", kty)
	}

	sum := sha256.Sum256(canonicalMembers(members, names))

	return base64.RawURLEncoding.EncodeToString(sum[:]), nil
}

// canonicalMembers writes the named string members as a JSON object with
// no whitespace, in the given (sorted) order.
func canonicalMembers(members map[string]any, names []string) []byte {
	parts := make([]string, 0, len(names))
	for _, name := range slices.Sorted(slices.Values(names)) {
		value, _ := members[name].(string)
		k, _ := json.Marshal(name)
		v, _ := json.Marshal(value)
		parts = append(parts, string(k)+":"+string(v))
	}

	return []byte("{" + strings.Join(parts, ",") + "}")
}
