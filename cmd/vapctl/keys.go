package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/virtualaipatient/integration/launch"
)

// loadSigner reads a PEM private key file.
func loadSigner(path string) (crypto.Signer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read key file: %w", err)
	}

	signer, err := launch.LoadPrivateKeyPEM(data)
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}

	return signer, nil
}

// defaultAlgorithm returns the algorithm a key is used with when none is
// named: ES256 for P-256 and EdDSA for Ed25519. An RSA key has none: it
// signs RS256 or PS256, and only its JWKS says which (see rsaNeedsAlg).
func defaultAlgorithm(pub crypto.PublicKey) string {
	switch pub.(type) {
	case *ecdsa.PublicKey:
		return launch.ES256
	case ed25519.PublicKey:
		return launch.EdDSA
	default:
		return ""
	}
}

// rsaNeedsAlg returns the usage error for an RSA key given without
// --alg: guessing RS256 would sign tokens that a JWKS written by
// "keygen --alg PS256" refuses.
func rsaNeedsAlg(keyFile string) error {
	return usagef("the key in %s is an RSA key, which signs RS256 or PS256: "+
		"pass --alg RS256 or --alg PS256, whichever its JWKS names", keyFile)
}

// thumbprintMembers are the members hashed by RFC 7638 for each key type.
var thumbprintMembers = map[string][]string{
	"EC":  {"crv", "kty", "x", "y"},
	"OKP": {"crv", "kty", "x"},
	"RSA": {"e", "kty", "n"},
}

// thumbprint returns the RFC 7638 JWK thumbprint (SHA-256, base64url) of a
// public key, used as its default key id.
func thumbprint(pub crypto.PublicKey) (string, error) {
	raw, err := launch.MarshalPublicJWK(launch.PublicKey{Key: pub})
	if err != nil {
		return "", fmt.Errorf("thumbprint: %w", err)
	}

	var jwk map[string]any
	if err := json.Unmarshal(raw, &jwk); err != nil {
		return "", fmt.Errorf("thumbprint: %w", err)
	}

	kty, _ := jwk["kty"].(string)
	names, ok := thumbprintMembers[kty]
	if !ok {
		return "", fmt.Errorf("thumbprint: key type %q not supported", kty)
	}

	// encoding/json writes map keys sorted and without whitespace, which is
	// the canonical form RFC 7638 asks for (all members are plain strings).
	required := make(map[string]any, len(names))
	for _, n := range names {
		required[n] = jwk[n]
	}

	canonical, err := json.Marshal(required)
	if err != nil {
		return "", fmt.Errorf("thumbprint: %w", err)
	}

	sum := sha256.Sum256(canonical)

	return base64.RawURLEncoding.EncodeToString(sum[:]), nil
}

// publicKeyFor returns the public key of signer with its key id (the
// thumbprint unless kid is set) and algorithm (inferred unless alg is set;
// an RSA key needs alg).
func publicKeyFor(signer crypto.Signer, kid, alg string) (launch.PublicKey, error) {
	if alg == "" {
		alg = defaultAlgorithm(signer.Public())
	}

	if alg == "" {
		return launch.PublicKey{}, errors.New("no algorithm named for the key")
	}

	if kid == "" {
		var err error
		kid, err = thumbprint(signer.Public())
		if err != nil {
			return launch.PublicKey{}, err
		}
	}

	return launch.PublicKeyOf(signer, kid, alg)
}

// signingAlgorithms returns the algorithms k may verify: its Algorithm
// when set, else those of its key type.
func signingAlgorithms(k launch.PublicKey) []string {
	if k.Algorithm != "" {
		return []string{k.Algorithm}
	}

	switch k.Key.(type) {
	case *ecdsa.PublicKey:
		return []string{launch.ES256}
	case ed25519.PublicKey:
		return []string{launch.EdDSA}
	case *rsa.PublicKey:
		return []string{launch.RS256, launch.PS256}
	default:
		return nil
	}
}

// keyAlgorithms are the algorithms of the asymmetric keys vapctl works with.
var keyAlgorithms = []string{launch.ES256, launch.EdDSA, launch.RS256, launch.PS256}

// checkKeyAlgorithm returns a usage error unless alg is empty (inferred
// from the key) or one of keyAlgorithms.
func checkKeyAlgorithm(alg string) error {
	if alg != "" && !slices.Contains(keyAlgorithms, alg) {
		return usagef("--alg must be one of %s, not %q", strings.Join(keyAlgorithms, ", "), alg)
	}

	return nil
}

// publicKeyForFlags is publicKeyFor for the --kid and --alg flags: a key
// that does not suit an --alg given, and an RSA key without --alg, are
// usage errors.
func publicKeyForFlags(signer crypto.Signer, kid, alg, keyFile string) (launch.PublicKey, error) {
	if _, isRSA := signer.Public().(*rsa.PublicKey); isRSA && alg == "" {
		return launch.PublicKey{}, rsaNeedsAlg(keyFile)
	}

	pub, err := publicKeyFor(signer, kid, alg)
	if alg != "" && errors.Is(err, launch.ErrKeyUnsupported) {
		return pub, usagef("--alg %s does not suit the key in %s", alg, keyFile)
	}

	return pub, err
}

// jwksDocument returns the JWK Set holding one public key.
func jwksDocument(k launch.PublicKey) (json.RawMessage, error) {
	set := launch.NewKeySet(launch.KeySetConfig{})
	if err := set.SetCurrent(k, 0); err != nil {
		return nil, fmt.Errorf("JWKS: %w", err)
	}

	doc, err := set.JSON()
	if err != nil {
		return nil, fmt.Errorf("JWKS: %w", err)
	}

	return doc, nil
}
