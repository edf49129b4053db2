package oidc

import (
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"time"
)

// assertionTTL is the lifetime of a client assertion.
const assertionTTL = time.Minute

// assertionType is the client_assertion_type of private_key_jwt.
const assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// clientAssertion signs a private_key_jwt client assertion (RFC 7523). Its
// audience is one string, never an array, which strict providers refuse:
// the issuer, as draft-ietf-oauth-rfc7523bis recommends and zitadel's
// provider requires, or the token endpoint when a.TokenEndpointAudience is
// set.
func clientAssertion(a ClientAuth, clientID, issuer, tokenURL string,
	now time.Time) (string, error) {
	aud := issuer
	if a.TokenEndpointAudience {
		aud = tokenURL
	}

	alg := assertionAlgorithm(a.Key.Public())
	jti := make([]byte, 16)
	if _, err := rand.Read(jti); err != nil {
		return "", err
	}

	header := map[string]string{"alg": alg, "typ": "JWT", "kid": a.KeyID}
	claims := map[string]any{
		"iss": clientID,
		"sub": clientID,
		"aud": aud,
		"jti": base64.RawURLEncoding.EncodeToString(jti),
		"iat": now.Unix(),
		"exp": now.Add(assertionTTL).Unix(),
	}

	h, err := json.Marshal(header)
	if err != nil {
		return "", err
	}

	c, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}

	input := b64(h) + "." + b64(c)
	sig, err := signAssertion(a.Key, alg, []byte(input))
	if err != nil {
		return "", err
	}

	return input + "." + b64(sig), nil
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// signAssertion signs input with alg; ECDSA signatures are turned from
// ASN.1 into the fixed-size r||s of JWS.
func signAssertion(key crypto.Signer, alg string, input []byte) ([]byte, error) {
	if alg == "EdDSA" {
		return key.Sign(rand.Reader, input, crypto.Hash(0))
	}

	digest := sha256.Sum256(input)
	sig, err := key.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil || alg != "ES256" {
		return sig, err
	}

	var rs struct{ R, S *big.Int }
	if _, err := asn1.Unmarshal(sig, &rs); err != nil {
		return nil, err
	}

	out := make([]byte, 64)
	rs.R.FillBytes(out[:32])
	rs.S.FillBytes(out[32:])

	return out, nil
}
