package launch

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"

	"github.com/MicahParks/jwkset"
)

// PublicKey is a verification key with its identifiers.
type PublicKey struct {
	// KeyID is the "kid" that selects this key. It may be empty only when a
	// partner has exactly one key and no JWKS URL.
	KeyID string
	// Algorithm, when set, restricts the key to that algorithm.
	Algorithm string
	// Key is an *ecdsa.PublicKey (P-256), an ed25519.PublicKey or an
	// *rsa.PublicKey (2048 bits or more). For HS256 verification only, it
	// may be a []byte secret of at least 32 bytes; such a key is never
	// published.
	Key any
}

// LoadPrivateKeyPEM parses a PEM-encoded private key ("PRIVATE KEY" in PKCS
// #8, "EC PRIVATE KEY" or "RSA PRIVATE KEY") and returns it as a
// crypto.Signer. Keys of unsupported types or sizes are refused with
// ErrKeyUnsupported.
func LoadPrivateKeyPEM(data []byte) (crypto.Signer, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errorf(ErrKeyUnsupported, "no PEM block found")
	}

	var (
		key any
		err error
	)
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	default:
		return nil, errorf(ErrKeyUnsupported, "PEM block type %q is not a private key", block.Type)
	}
	if err != nil {
		return nil, errorf(ErrKeyUnsupported, "parse private key: %w", err)
	}

	signer, ok := key.(crypto.Signer)
	if !ok || !usablePublicKey(signer.Public()) {
		return nil, errorf(ErrKeyUnsupported, "private key type or size not supported")
	}

	return signer, nil
}

// ParsePublicKeyPEM parses a PEM-encoded public key ("PUBLIC KEY" in PKIX,
// "RSA PUBLIC KEY" in PKCS #1, or the key of a "CERTIFICATE"). Keys of
// unsupported types or sizes are refused with ErrKeyUnsupported.
func ParsePublicKeyPEM(data []byte) (crypto.PublicKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errorf(ErrKeyUnsupported, "no PEM block found")
	}

	var (
		key any
		err error
	)
	switch block.Type {
	case "PUBLIC KEY":
		key, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		key, err = x509.ParsePKCS1PublicKey(block.Bytes)
	case "CERTIFICATE":
		var cert *x509.Certificate
		cert, err = x509.ParseCertificate(block.Bytes)
		if err == nil {
			key = cert.PublicKey
		}
	default:
		return nil, errorf(ErrKeyUnsupported, "PEM block type %q is not a public key", block.Type)
	}
	if err != nil {
		return nil, errorf(ErrKeyUnsupported, "parse public key: %w", err)
	}

	if !usablePublicKey(key) {
		return nil, errorf(ErrKeyUnsupported, "public key type or size not supported")
	}

	return key, nil
}

// ParsePublicJWK parses one JSON Web Key holding a public key. Private
// members, if any, are ignored; symmetric ("oct") keys are refused.
func ParsePublicJWK(data []byte) (PublicKey, error) {
	jwk, err := jwkset.NewJWKFromRawJSON(data, jwkset.JWKMarshalOptions{}, jwkset.JWKValidateOptions{})
	if err != nil {
		return PublicKey{}, errorf(ErrKeyUnsupported, "parse JWK: %w", err)
	}

	return publicKeyFromJWK(jwk)
}

// ParseJWKS parses a JSON Web Key Set document and returns its usable
// public keys. Each member is parsed on its own: members that are
// malformed or not usable signature keys (symmetric, encryption-only,
// unsupported type or size) are skipped; a set with no usable key is
// refused, and so is a document that is not a JWK Set, with a Hint that
// says so.
func ParseJWKS(data []byte) ([]PublicKey, error) {
	keys, err := parseKeySet(data)
	if err != nil {
		// No key was looked at: the sentinel's hint, about key types, would
		// not fit.
		return nil, &hintedError{err: errorf(ErrKeyUnsupported, "parse JWKS: %w", err),
			hint: notKeySetHint}
	}

	if len(keys) == 0 {
		return nil, errorf(ErrKeyUnsupported, "JWKS holds no usable signing key")
	}

	return keys, nil
}

// errNotKeySet is returned for a document that is not a JSON object with a
// "keys" array.
var errNotKeySet = errors.New(`not a JSON object with a "keys" array`)

// notKeySetHint is the hint for a document that is not a JWK Set.
const notKeySetHint = `the document is not a JWK Set: give a JSON object whose "keys" array ` +
	"holds the public keys as JWKs (RFC 7517)"

// parseKeySet returns the usable public keys of a JWK Set document, which
// may be none. Only a document that is not a JSON object with a "keys"
// array is an error; each member is parsed alone through jwkset's per-JWK
// parser, so that one malformed or unsupported member costs only itself.
func parseKeySet(data []byte) ([]PublicKey, error) {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &set); err != nil || set.Keys == nil {
		return nil, errNotKeySet
	}

	keys := make([]PublicKey, 0, len(set.Keys))
	for _, raw := range set.Keys {
		jwk, err := jwkset.NewJWKFromRawJSON(raw, jwkset.JWKMarshalOptions{},
			jwkset.JWKValidateOptions{})
		if err != nil {
			continue
		}

		if k, err := publicKeyFromJWK(jwk); err == nil {
			keys = append(keys, k)
		}
	}

	return keys, nil
}

// MarshalPublicJWK returns the JSON Web Key of a public key, with "kid",
// "alg" (when set) and "use":"sig". Secrets and private keys are refused.
func MarshalPublicJWK(k PublicKey) ([]byte, error) {
	m, err := publicJWKMarshal(k)
	if err != nil {
		return nil, err
	}

	return json.Marshal(m)
}

// PublicKeyOf returns the public half of signer as a PublicKey with the
// given key id and algorithm, ready to be published or registered.
func PublicKeyOf(signer crypto.Signer, keyID, algorithm string) (PublicKey, error) {
	if signer == nil {
		return PublicKey{}, errorf(ErrConfig, "no signer")
	}

	k := PublicKey{KeyID: keyID, Algorithm: algorithm, Key: signer.Public()}
	if !usablePublicKey(k.Key) || (algorithm != "" && !keyFits(algorithm, k.Key)) {
		return PublicKey{}, errorf(ErrKeyUnsupported, "key does not suit algorithm %q", algorithm)
	}

	return k, nil
}

func publicJWKMarshal(k PublicKey) (jwkset.JWKMarshal, error) {
	if !usablePublicKey(k.Key) {
		return jwkset.JWKMarshal{}, errorf(ErrKeyUnsupported, "only public signature keys are published")
	}

	if k.Algorithm != "" && !keyFits(k.Algorithm, k.Key) {
		return jwkset.JWKMarshal{}, errorf(ErrKeyUnsupported, "key does not suit algorithm %q", k.Algorithm)
	}

	opts := jwkset.JWKOptions{Metadata: jwkset.JWKMetadataOptions{
		KID: k.KeyID,
		ALG: jwkset.ALG(k.Algorithm),
		USE: jwkset.UseSig,
	}}
	jwk, err := jwkset.NewJWKFromKey(k.Key, opts)
	if err != nil {
		return jwkset.JWKMarshal{}, errorf(ErrKeyUnsupported, "encode JWK: %w", err)
	}

	return jwk.Marshal(), nil
}

// publicKeyFromJWK turns a parsed JWK into a PublicKey when it is a usable
// signature key.
func publicKeyFromJWK(jwk jwkset.JWK) (PublicKey, error) {
	m := jwk.Marshal()
	if m.USE != "" && m.USE != jwkset.UseSig {
		return PublicKey{}, errorf(ErrKeyUnsupported, "JWK use %q is not a signature use", m.USE)
	}

	key := publicPart(jwk.Key())
	if !usablePublicKey(key) {
		return PublicKey{}, errorf(ErrKeyUnsupported, "JWK type or size not supported")
	}

	alg := m.ALG.String()
	if alg != "" && !keyFits(alg, key) {
		return PublicKey{}, errorf(ErrKeyUnsupported, "JWK alg %q not supported for this key", alg)
	}

	return PublicKey{KeyID: m.KID, Algorithm: alg, Key: key}, nil
}

// publicPart returns the public key of a private key, or key itself.
func publicPart(key any) any {
	switch k := key.(type) {
	case *ecdsa.PrivateKey:
		return &k.PublicKey
	case *rsa.PrivateKey:
		return &k.PublicKey
	case ed25519.PrivateKey:
		return k.Public()
	default:
		return key
	}
}

// usablePublicKey reports whether key is an asymmetric public key that at
// least one supported algorithm accepts.
func usablePublicKey(key any) bool {
	if _, secret := key.([]byte); secret {
		return false
	}

	return anyAlgorithmFits([]string{ES256, EdDSA, RS256}, key)
}
