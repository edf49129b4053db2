package oidc

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"fmt"
	"net/url"
	"slices"
)

// DefaultAlgorithm is the ID token algorithm accepted when a Config lists
// none: RS256, the one every OpenID Provider supports.
const DefaultAlgorithm = "RS256"

// idTokenAlgorithms are the asymmetric algorithms go-oidc verifies.
var idTokenAlgorithms = []string{"RS256", "RS384", "RS512", "ES256", "ES384", "ES512",
	"PS256", "PS384", "PS512", "EdDSA"}

// Config describes one partner's identity provider.
type Config struct {
	// PartnerID is the partner's registry id; launches carry it
	// (required, unique).
	PartnerID string
	// Issuer is the provider's issuer URL exactly as the discovery
	// document and ID tokens state it (required). It is compared byte for
	// byte: a trailing slash, case or default port makes a difference. It
	// must use https, except on a loopback host (localhost, 127.0.0.1,
	// ::1) or with InsecureHTTPIssuer, and has no query or fragment.
	Issuer string
	// InsecureHTTPIssuer accepts an http issuer on any host.
	//
	// WARNING: discovery, keys and the code exchange then travel in clear
	// text, and anyone on the path can sign learners in. Use it only on a
	// private test network.
	InsecureHTTPIssuer bool
	// ClientID is VAP's client id at the provider (required).
	ClientID string
	// ClientAuth authenticates VAP at the token endpoint (required).
	ClientAuth ClientAuth
	// Scopes are requested besides "openid", which is always sent.
	// Default: "profile" and "email".
	Scopes []string
	// Algorithms are the accepted ID token signing algorithms. Default:
	// DefaultAlgorithm. "none" and HMAC algorithms are never accepted.
	Algorithms []string
	// Mapping says where the launch's fields come from (Cohort
	// required).
	Mapping Mapping
	// RequireVerifiedEmail rejects ID tokens whose "email_verified" is
	// not the JSON boolean true.
	RequireVerifiedEmail bool
}

// ClientAuth is how VAP authenticates at the token endpoint: exactly one
// of Secret and Key is set.
type ClientAuth struct {
	// Secret is the client secret, sent with HTTP Basic authentication
	// (client_secret_basic), or in the body when SecretInBody is set.
	Secret string
	// SecretInBody sends Secret as client_secret_post.
	SecretInBody bool
	// Key signs a client assertion (private_key_jwt) with a key of ours:
	// RSA of 2048 bits or more (RS256), ECDSA P-256 (ES256) or Ed25519
	// (EdDSA). It may live in a KMS or HSM.
	Key crypto.Signer
	// KeyID is the "kid" of Key as registered at the provider.
	KeyID string
	// TokenEndpointAudience sets the client assertion's "aud" to the
	// token endpoint URL instead of the issuer, for providers that accept
	// only that (OpenID Connect Core 1.0 section 9 allows it). Default:
	// the issuer, as draft-ietf-oauth-rfc7523bis recommends. Either way
	// "aud" is a single string.
	TokenEndpointAudience bool
}

// Mapping says where the launch's role, cohort, case and case set come
// from. Subject is always the ID token's "sub". The subject and every
// cohort, case and case set id, whatever its source, follow the rule of
// launch tokens' ids (launch.CheckID): at most MaxSubjectBytes bytes of
// valid UTF-8, not blank, no control or format (Cf) character, not "." or
// ".."; mapped ids also hold no U+FFFD. A value read at sign-in that
// breaks it fails with a *ClaimError of ErrClaimInvalid; a fixed value or
// default that breaks it fails Config.Validate.
type Mapping struct {
	// Role is the user's role, "learner" or "instructor". Default: the
	// fixed value "learner". It may not come from the login request.
	Role Source
	// Cohort is the partner's cohort id (required).
	Cohort Source
	// Case is the case to open; the zero Source leaves it empty.
	Case Source
	// CaseSet is the case set to open; the zero Source leaves it empty.
	CaseSet Source
	// NameClaim is the claim holding the display name. Default "name".
	// Claims that hold no name (such as "email", "sub" or
	// "phone_number") are refused, and a value shaped like an e-mail
	// address is dropped. The name is stored only where the host opts in.
	NameClaim string
	// GroupsClaim is the claim holding the user's groups, a JSON array of
	// strings, for sources built with FromGroup. Default "groups".
	GroupsClaim string
}

// Source is where one launch field comes from. Build it with FromClaim,
// FromGroup, Fixed or FromLogin; the zero Source means "not mapped".
type Source struct {
	// Claim names a string claim of the ID token.
	Claim string
	// GroupPrefix selects the one group starting with it; the value is
	// the rest of the group's name.
	GroupPrefix string
	// Value is a fixed value.
	Value string
	// Login takes the value from the login request (the cohort, case or
	// case_set parameter).
	//
	// WARNING: the browser chooses these values; nothing proves that the
	// user belongs to the cohort. Use it only where the partner's provider
	// admits exactly the users allowed to choose.
	Login bool
	// Default is used when the claim or group is absent. Empty means the
	// field is required.
	Default string
}

// FromClaim returns a Source reading the string claim name.
func FromClaim(name string) Source { return Source{Claim: name} }

// FromGroup returns a Source reading the one group whose name starts with
// prefix, without the prefix.
func FromGroup(prefix string) Source { return Source{GroupPrefix: prefix} }

// Fixed returns a Source that is always value.
func Fixed(value string) Source { return Source{Value: value} }

// FromLogin returns a Source reading the login request's parameter. See
// the warning on Source.Login.
func FromLogin() Source { return Source{Login: true} }

// set reports whether the Source is mapped.
func (s Source) set() bool { return s != Source{} }

func (s Source) kinds() int {
	n := 0
	for _, on := range []bool{s.Claim != "", s.GroupPrefix != "", s.Value != "", s.Login} {
		if on {
			n++
		}
	}

	return n
}

// Validate checks the configuration and reports the first problem as an
// error wrapping ErrConfig.
func (c *Config) Validate() error {
	switch {
	case c.PartnerID == "":
		return errorf(ErrConfig, "partner id is required")
	case !validIssuer(c.Issuer, c.InsecureHTTPIssuer):
		return errorf(ErrConfig, "partner %q: issuer must be an https url without query "+
			"or fragment (http only on a loopback host or with InsecureHTTPIssuer)",
			c.PartnerID)
	case c.ClientID == "":
		return errorf(ErrConfig, "partner %q: client id is required", c.PartnerID)
	}

	if err := c.ClientAuth.validate(); err != nil {
		return errorf(ErrConfig, "partner %q: %s", c.PartnerID, err.Error())
	}

	for _, a := range c.Algorithms {
		if !slices.Contains(idTokenAlgorithms, a) {
			return errorf(ErrConfig, "partner %q: algorithm %q not accepted", c.PartnerID, a)
		}
	}

	if msg := c.Mapping.problem(); msg != "" {
		return errorf(ErrConfig, "partner %q: %s", c.PartnerID, msg)
	}

	return nil
}

// validIssuer accepts an absolute https URL with a host and no query or
// fragment; http only on a loopback host, or when insecure.
func validIssuer(issuer string, insecure bool) bool {
	u, err := url.Parse(issuer)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" ||
		u.ForceQuery || u.Opaque != "" {
		return false
	}

	switch u.Scheme {
	case "https":
		return true
	case "http":
		return insecure || loopbackHost(u.Hostname())
	}

	return false
}

// loopbackHost reports whether host names this machine.
func loopbackHost(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

type configProblem string

func (p configProblem) Error() string { return string(p) }

func (a ClientAuth) validate() error {
	switch {
	case (a.Secret == "") == (a.Key == nil):
		return configProblem("set exactly one of client secret and client key")
	case a.Key != nil && a.KeyID == "":
		return configProblem("client key needs a key id")
	case a.Key != nil && assertionAlgorithm(a.Key.Public()) == "":
		return configProblem("client key must be RSA 2048+, ECDSA P-256 or Ed25519")
	case a.TokenEndpointAudience && a.Key == nil:
		return configProblem("token endpoint audience needs a client key")
	}

	return nil
}

func (m Mapping) problem() string {
	fields := []struct {
		name string
		src  Source
	}{{"role", m.Role}, {"cohort", m.Cohort}, {"case", m.Case}, {"case set", m.CaseSet}}
	for _, f := range fields {
		if f.src.set() && f.src.kinds() != 1 {
			return f.name + " source must set exactly one of claim, group, value and login"
		}

		for _, v := range []string{f.src.Value, f.src.Default} {
			if v != "" && !validTargetID(v) {
				return f.name + " value and default must be valid ids"
			}
		}
	}

	switch {
	case !m.Cohort.set():
		return "the cohort needs a source"
	case m.Role.Login:
		return "the role may not come from the login request"
	case m.Role.Value != "" && !validRole(m.Role.Value),
		m.Role.Default != "" && !validRole(m.Role.Default):
		return "a fixed role must be learner or instructor"
	case slices.Contains(notNameClaims, m.NameClaim):
		return fmt.Sprintf("the name claim %q holds no display name", m.NameClaim)
	}

	return ""
}

// notNameClaims are claims that never hold a display name: contact
// details, identifiers and other personal data the learner record must
// not take as a name.
var notNameClaims = []string{"email", "email_verified", "phone_number",
	"phone_number_verified", "address", "birthdate", "sub", "upn"}

// assertionAlgorithm is the JWS algorithm for a client key, or "".
func assertionAlgorithm(pub crypto.PublicKey) string {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() >= 2048 {
			return "RS256"
		}
	case *ecdsa.PublicKey:
		if k.Curve == elliptic.P256() {
			return "ES256"
		}
	case ed25519.PublicKey:
		return "EdDSA"
	}

	return ""
}

// withDefaults returns a copy with the documented defaults filled in.
func (c Config) withDefaults() Config {
	if len(c.Scopes) == 0 {
		c.Scopes = []string{"profile", "email"}
	}

	scopes := []string{"openid"}
	for _, s := range c.Scopes {
		if s != "openid" && !slices.Contains(scopes, s) {
			scopes = append(scopes, s)
		}
	}

	c.Scopes = scopes
	if len(c.Algorithms) == 0 {
		c.Algorithms = []string{DefaultAlgorithm}
	}

	if c.Mapping.NameClaim == "" {
		c.Mapping.NameClaim = "name"
	}

	if c.Mapping.GroupsClaim == "" {
		c.Mapping.GroupsClaim = "groups"
	}

	if !c.Mapping.Role.set() {
		c.Mapping.Role = Fixed("learner")
	}

	return c
}
