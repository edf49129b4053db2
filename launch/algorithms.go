package launch

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"errors"
	"fmt"

	"github.com/golang-jwt/jwt/v5"
)

// Algorithm names accepted in the "alg" header and in configurations.
const (
	// ES256 is ECDSA with P-256 and SHA-256, the default.
	ES256 = "ES256"
	// EdDSA is Ed25519.
	EdDSA = "EdDSA"
	// RS256 is RSASSA-PKCS1-v1_5 with SHA-256 (RSA keys of 2048 bits or more).
	RS256 = "RS256"
	// PS256 is RSASSA-PSS with SHA-256 (RSA keys of 2048 bits or more).
	PS256 = "PS256"
	// HS256 is HMAC with SHA-256 and a shared secret of at least 32 bytes.
	// It is used only where it is chosen explicitly.
	HS256 = "HS256"
)

const (
	minRSABits      = 2048
	minSecretLength = 32
)

// signatureMethods are the golang-jwt implementations used to check
// signatures; the map doubles as the list of supported algorithms.
var signatureMethods = map[string]jwt.SigningMethod{
	ES256: jwt.SigningMethodES256,
	EdDSA: jwt.SigningMethodEdDSA,
	RS256: jwt.SigningMethodRS256,
	PS256: jwt.SigningMethodPS256,
	HS256: jwt.SigningMethodHS256,
}

// checkAlgorithmList validates a configured allow-list: not empty, only
// supported names, no "none".
func checkAlgorithmList(algs []string) error {
	if len(algs) == 0 {
		return errors.New("no algorithm listed")
	}

	for _, a := range algs {
		if _, ok := signatureMethods[a]; !ok {
			return fmt.Errorf("algorithm %q is not supported", a)
		}
	}

	return nil
}

// keyFits reports whether key can verify (or, for secrets, sign) tokens of
// algorithm alg, including the minimum sizes.
func keyFits(alg string, key any) bool {
	switch k := key.(type) {
	case *ecdsa.PublicKey:
		return alg == ES256 && k.Curve == elliptic.P256()
	case ed25519.PublicKey:
		return alg == EdDSA && len(k) == ed25519.PublicKeySize
	case *rsa.PublicKey:
		return (alg == RS256 || alg == PS256) && k.N.BitLen() >= minRSABits
	case []byte:
		return alg == HS256 && len(k) >= minSecretLength
	default:
		return false
	}
}

// anyAlgorithmFits reports whether key suits at least one of algs.
func anyAlgorithmFits(algs []string, key any) bool {
	for _, a := range algs {
		if keyFits(a, key) {
			return true
		}
	}

	return false
}

// keyMismatch is the ErrKeyNotFound for a token whose kid names key k, of
// another algorithm than alg. Both names are safe to show: alg passed the
// partner's allow-list, and k.Algorithm is in it too. The hint says that
// the kid is known, so that nobody looks for it in the JWKS.
func keyMismatch(alg string, k PublicKey) error {
	if k.Algorithm != "" && k.Algorithm != alg {
		return &hintedError{
			err: errorf(ErrKeyNotFound, "the key with this kid is published for %s, not %s",
				k.Algorithm, alg),
			hint: fmt.Sprintf("the token is signed %s but the key with this kid is published "+
				"for %s; sign with %s or publish the key for %s", alg, k.Algorithm, k.Algorithm, alg),
		}
	}

	return &hintedError{
		err: errorf(ErrKeyNotFound, "the key with this kid does not suit the algorithm"),
		hint: fmt.Sprintf("the token is signed %s but the key with this kid is %s; sign with "+
			"its algorithm or publish a key for %s", alg, keyKind(k.Key), alg),
	}
}

// keyKind describes a key by its type and the algorithms it signs.
func keyKind(key any) string {
	switch key.(type) {
	case *ecdsa.PublicKey:
		return "an ECDSA key (ES256 with P-256)"
	case ed25519.PublicKey:
		return "an Ed25519 key (EdDSA)"
	case *rsa.PublicKey:
		return "an RSA key (RS256 or PS256, 2048 bits or more)"
	case []byte:
		return "a shared secret (HS256)"
	default:
		return "a key of an unsupported type"
	}
}
