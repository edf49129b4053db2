package launch

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Role is the role of the launched user in the partner's course.
type Role string

const (
	// RoleLearner is a learner who works cases.
	RoleLearner Role = "learner"
	// RoleInstructor is an instructor who reviews a cohort.
	RoleInstructor Role = "instructor"
)

// Valid reports whether r is one of the defined roles.
func (r Role) Valid() bool { return r == RoleLearner || r == RoleInstructor }

// Limits shared by minters and verifiers.
const (
	// MaxLifetime is the longest lifetime (exp - iat) of a launch token or an
	// API credential.
	MaxLifetime = 5 * time.Minute
	// DefaultTTL is the lifetime a Minter gives its tokens by default.
	DefaultTTL = 60 * time.Second
	// DefaultLeeway is the clock leeway a Verifier grants by default.
	DefaultLeeway = 30 * time.Second
	// MaxLeeway is the largest clock leeway a Verifier accepts.
	MaxLeeway = 2 * time.Minute
	// DefaultMaxTokenBytes is the default size cap of a raw token.
	DefaultMaxTokenBytes = 8 << 10
)

// Launch is a verified launch, whichever way it was verified.
type Launch struct {
	// PartnerID is the registry id of the partner whose issuer matched.
	PartnerID string
	// Issuer is the "iss" claim.
	Issuer string
	// TokenID is the "jti" claim; with Issuer it is the single-use key.
	TokenID string
	// ExpiresAt is the "exp" claim. Single-use memory must last at least
	// until ExpiresAt plus the partner's leeway.
	ExpiresAt time.Time
	// Subject is the "sub" claim: the partner's stable, pseudonymous user
	// id, never shaped like an e-mail address (CheckSubject).
	Subject string
	// Name is the optional display name.
	Name string
	// Role is the user's role.
	Role Role
	// CohortID is the partner's cohort (course, class) id.
	CohortID string
	// CaseID is the case to open; at most one of CaseID and CaseSetID is set.
	CaseID string
	// CaseSetID is the case set to open.
	CaseSetID string
	// FormOrigins are the browser origins that may post this launch's
	// token as a form: the partner's Partner.FormOrigins, canonical, or
	// its default. Check a browser's Origin with AllowsFormOrigin. Empty
	// allows no origin.
	FormOrigins []string
}

// APICredential is a verified partner API credential.
type APICredential struct {
	// PartnerID is the registry id of the partner whose issuer matched.
	PartnerID string
	// Issuer is the "iss" claim.
	Issuer string
	// TokenID is the "jti" claim.
	TokenID string
	// ExpiresAt is the "exp" claim.
	ExpiresAt time.Time
}

// Partner is one entry of the verifier's registry.
type Partner struct {
	// ID is the registry's id of the partner (required, unique).
	ID string
	// Issuer is the exact "iss" the partner uses (required, unique).
	Issuer string
	// Audience is the "aud" VAP expects in launch tokens (required).
	Audience string
	// APIAudience is the "aud" VAP expects in API credentials. When empty,
	// the partner's API credentials are refused.
	APIAudience string
	// Algorithms lists the accepted "alg" values (required; ES256, EdDSA,
	// RS256, PS256, HS256).
	Algorithms []string
	// Keys are the partner's static verification keys.
	Keys []PublicKey
	// JWKSURL is the partner's JWK Set URL. It must be https, except on
	// loopback hosts. Keys and JWKSURL may be combined; at least one is
	// required.
	//
	// The set is fetched and cached by jwkset. Each member is parsed on its
	// own, as ParseJWKS does: members that are malformed or not usable
	// signature keys (symmetric, encryption-only, unsupported type or size,
	// not suiting Algorithms) are skipped and the others kept. A failed
	// fetch (network or HTTP error, redirect, oversized document, or one
	// that is not a JWK Set) and a set holding no usable key both keep the
	// last good keys, so a broken publication never stops launches.
	//
	// NOTE: for the same reason, publishing an empty set does not revoke
	// the partner's keys; to revoke, remove the partner or its key from the
	// registry and build a new Verifier.
	//
	// When Keys are also given, each of them needs a KeyID and every token
	// must carry a "kid": with two sources of keys, none is implied. With a
	// JWKS URL alone, a token may omit "kid" only while the set holds a
	// single usable key.
	JWKSURL string
	// MaxLifetime is the longest exp - iat accepted. Default and maximum:
	// MaxLifetime (5 minutes).
	MaxLifetime time.Duration
	// Leeway is the clock leeway for exp, nbf and iat. Zero means the
	// default, DefaultLeeway (30 s): no leeway at all cannot be asked for.
	// At most MaxLeeway (2 minutes).
	Leeway time.Duration
	// FormOrigins lists the browser origins, each exactly
	// "scheme://host[:port]" (https, or http on a loopback host), whose
	// pages may post the partner's launch tokens to VAP as a form. They
	// reach the VAP backend as Launch.FormOrigins, and its launch
	// endpoint refuses a form post from any other page, so that no other
	// site can post a learner's token in someone else's browser (login
	// CSRF). Default: the origin of Issuer when Issuer is such a URL (its
	// path left out), else none. List the origin of the page that serves
	// the launch form when it is not the issuer's; an invalid entry is a
	// configuration error.
	FormOrigins []string
}

// VerifierConfig configures a Verifier. Its zero value is not usable: at
// least one partner is required.
type VerifierConfig struct {
	// Partners is the registry of partners (at least one).
	Partners []Partner
	// ReplayGuard consumes each launch token once. Default: a new
	// MemoryReplayGuard using Now.
	ReplayGuard ReplayGuard
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// HTTPClient fetches JWK Sets. Default: a client with JWKSTimeout. The
	// verifier uses a copy whose timeout is at most JWKSTimeout, whose
	// responses are capped at JWKSMaxBytes and which never follows
	// redirects (its CheckRedirect is replaced): the JWKS URL must answer
	// itself.
	HTTPClient *http.Client
	// MaxTokenBytes caps the raw token size. Default DefaultMaxTokenBytes.
	MaxTokenBytes int
	// JWKSRefreshInterval is how often JWK Sets are fetched in the
	// background. Default one hour.
	JWKSRefreshInterval time.Duration
	// JWKSCooldown is the least time between two fetches caused by an
	// unknown "kid". Default one minute.
	JWKSCooldown time.Duration
	// JWKSTimeout bounds each JWK Set fetch. Default 10 seconds.
	JWKSTimeout time.Duration
	// JWKSMaxBytes caps a JWK Set response. Default 256 KiB.
	JWKSMaxBytes int64
	// Logger receives JWK Set fetch failures. Default: discarded.
	Logger *slog.Logger
}

// Verifier checks launch tokens and API credentials against a registry of
// partners. It is safe for concurrent use.
type Verifier struct {
	partners map[string]*partnerEntry
	guard    ReplayGuard
	now      func() time.Time
	maxBytes int
	remotes  []*remoteKeys
}

// partnerEntry is a validated Partner.
type partnerEntry struct {
	id          string
	issuer      string
	audience    string
	apiAudience string
	algs        []string
	keys        map[string]PublicKey
	single      *PublicKey
	remote      *remoteKeys
	maxLifetime time.Duration
	leeway      time.Duration
	formOrigins []string
}

// NewVerifier validates cfg and returns a Verifier. A partner with an empty
// issuer, audience or algorithm list, or no key, is a configuration error:
// no missing value ever switches a check off. Call Close when done to stop
// background JWK Set refreshes.
func NewVerifier(cfg VerifierConfig) (*Verifier, error) {
	if len(cfg.Partners) == 0 {
		return nil, errorf(ErrConfig, "no partner")
	}

	v := &Verifier{
		partners: make(map[string]*partnerEntry, len(cfg.Partners)),
		guard:    cfg.ReplayGuard,
		now:      cfg.Now,
		maxBytes: cfg.MaxTokenBytes,
	}
	if v.now == nil {
		v.now = time.Now
	}

	if v.maxBytes <= 0 {
		v.maxBytes = DefaultMaxTokenBytes
	}

	if v.guard == nil {
		v.guard = NewMemoryReplayGuard(MemoryReplayGuardConfig{Now: v.now})
	}

	if err := v.addPartners(cfg); err != nil {
		v.Close()

		return nil, err
	}

	return v, nil
}

func (v *Verifier) addPartners(cfg VerifierConfig) error {
	ids := make(map[string]bool, len(cfg.Partners))
	for _, p := range cfg.Partners {
		e, err := newPartnerEntry(p)
		if err != nil {
			return err
		}

		if ids[e.id] || v.partners[e.issuer] != nil {
			return errorf(ErrConfig, "partner %q: id or issuer registered twice", p.ID)
		}

		if p.JWKSURL != "" {
			e.remote, err = newRemoteKeys(p.JWKSURL, e.algs, remoteConfigFrom(cfg))
			if err != nil {
				return errorf(ErrConfig, "partner %q: %w", p.ID, err)
			}

			v.remotes = append(v.remotes, e.remote)
		}

		ids[e.id] = true
		v.partners[e.issuer] = e
	}

	return nil
}

func newPartnerEntry(p Partner) (*partnerEntry, error) {
	if p.ID == "" {
		return nil, errorf(ErrConfig, "partner without id")
	}

	e, err := buildEntry(p)
	if err != nil {
		return nil, errorf(ErrConfig, "partner %q: %w", p.ID, err)
	}

	return e, nil
}

// buildEntry validates p; its errors name no partner, the caller does.
func buildEntry(p Partner) (*partnerEntry, error) {
	switch {
	case p.Issuer == "":
		return nil, errors.New("empty issuer")
	case p.Audience == "":
		return nil, errors.New("empty audience")
	case len(p.Keys) == 0 && p.JWKSURL == "":
		return nil, errors.New("no key and no JWKS URL")
	}

	if err := checkAlgorithmList(p.Algorithms); err != nil {
		return nil, err
	}

	e := &partnerEntry{
		id: p.ID, issuer: p.Issuer, audience: p.Audience, apiAudience: p.APIAudience,
		algs: append([]string(nil), p.Algorithms...),
	}

	var err error
	e.maxLifetime, e.leeway, err = checkWindow(p.MaxLifetime, p.Leeway, MaxLifetime)
	if err != nil {
		return nil, err
	}

	e.keys, e.single, err = indexKeys(p.Keys, e.algs, p.JWKSURL == "")
	if err != nil {
		return nil, err
	}

	e.formOrigins, err = formOrigins(p)
	if err != nil {
		return nil, err
	}

	return e, nil
}

// checkWindow applies defaults and caps to a lifetime and a leeway.
func checkWindow(lifetime, leeway, maxLifetime time.Duration) (time.Duration, time.Duration, error) {
	if lifetime == 0 {
		lifetime = maxLifetime
	}

	if lifetime < 0 || lifetime > maxLifetime {
		return 0, 0, errors.New("max lifetime out of range")
	}

	if leeway == 0 {
		leeway = DefaultLeeway
	}

	if leeway < 0 || leeway > MaxLeeway {
		return 0, 0, errors.New("leeway out of range (at most 2 minutes)")
	}

	return lifetime, leeway, nil
}

// indexKeys checks static keys and indexes them by key id. A key may lack a
// key id only when it is the partner's one key: alone in keys, and no JWKS
// URL supplies others (onlySource). single is set in that case.
func indexKeys(keys []PublicKey, algs []string, onlySource bool) (map[string]PublicKey, *PublicKey, error) {
	index := make(map[string]PublicKey, len(keys))
	for i, k := range keys {
		if k.KeyID == "" && len(keys) > 1 {
			return nil, nil, errors.New("a key id is required when there are several keys")
		}

		if k.KeyID == "" && !onlySource {
			return nil, nil, errors.New("a key id is required on static keys beside a JWKS URL")
		}

		if _, dup := index[k.KeyID]; dup {
			return nil, nil, errors.New("key id used twice")
		}

		if k.Algorithm != "" && !containsString(algs, k.Algorithm) {
			return nil, nil, errors.New("key restricted to an algorithm that is not allowed")
		}

		if !anyAlgorithmFits(algs, k.Key) {
			return nil, nil, errorf(ErrKeyUnsupported, "key %d suits none of the allowed algorithms", i)
		}

		index[k.KeyID] = k
	}

	var single *PublicKey
	if len(keys) == 1 && onlySource {
		single = &keys[0]
	}

	return index, single, nil
}

// Close stops background JWK Set refreshes. The Verifier keeps working with
// the keys it has.
func (v *Verifier) Close() {
	for _, r := range v.remotes {
		r.close()
	}
}

// Verify checks a launch token completely and consumes it through the
// replay guard: a second presentation fails with ErrReplayed, and a guard
// that cannot answer fails the launch with ErrReplayGuardUnavailable.
func (v *Verifier) Verify(ctx context.Context, token string) (*Launch, error) {
	l, leeway, err := v.verifyLaunch(ctx, token)
	if err != nil {
		return nil, err
	}

	if err := consume(ctx, v.guard, l.Issuer, l.TokenID, l.ExpiresAt.Add(leeway)); err != nil {
		return nil, err
	}

	return l, nil
}

// VerifyUnconsumed does every check of Verify except single use.
//
// WARNING: the caller must consume (Issuer, TokenID) itself, until at least
// ExpiresAt plus the partner's leeway, for example in the same database
// transaction that creates the session. Otherwise a token can be replayed.
func (v *Verifier) VerifyUnconsumed(ctx context.Context, token string) (*Launch, error) {
	l, _, err := v.verifyLaunch(ctx, token)

	return l, err
}

func (v *Verifier) verifyLaunch(ctx context.Context, token string) (*Launch, time.Duration, error) {
	c, p, err := v.verifyToken(ctx, token, TypeLaunch, launchAudience)
	if err != nil {
		return nil, 0, err
	}

	if err := checkLaunchClaims(c); err != nil {
		return nil, 0, err
	}

	l := &Launch{
		PartnerID: p.id,
		Issuer:    c.Issuer,
		TokenID:   c.TokenID,
		ExpiresAt: c.Expiry.time(),
		Subject:   c.Subject,
		Name:      c.Name,
		Role:      c.Role,
		CohortID:  c.CohortID,
		CaseID:    c.CaseID,
		CaseSetID: c.CaseSetID,
		// A copy: the caller may not change the registry.
		FormOrigins: slices.Clone(p.formOrigins),
	}

	return l, p.leeway, nil
}

// VerifyAPICredential checks a partner API credential: the partner's
// registered keys and algorithms, typ TypeAPICredential, audience
// Partner.APIAudience and a lifetime of at most 5 minutes. Launch tokens are
// never accepted here, nor API credentials by Verify. The credential is not
// consumed: it may serve several calls until it expires.
func (v *Verifier) VerifyAPICredential(ctx context.Context, token string) (*APICredential, error) {
	c, p, err := v.verifyToken(ctx, token, TypeAPICredential, apiAudience)
	if err != nil {
		return nil, err
	}

	cred := &APICredential{
		PartnerID: p.id,
		Issuer:    c.Issuer,
		TokenID:   c.TokenID,
		ExpiresAt: c.Expiry.time(),
	}

	return cred, nil
}

func launchAudience(p *partnerEntry) string { return p.audience }

func apiAudience(p *partnerEntry) string { return p.apiAudience }

// verifyToken runs every check shared by launch tokens, API credentials and
// session tokens (checkToken); its errors' hints fit the kind of token, typ.
func (v *Verifier) verifyToken(ctx context.Context, token, typ string,
	aud func(*partnerEntry) string) (*claimSet, *partnerEntry, error) {
	c, p, err := v.checkToken(ctx, token, typ, aud)
	if err != nil {
		return nil, nil, forTokenType(typ, err)
	}

	return c, p, nil
}

// checkToken runs the checks of verifyToken in order: the cheap structural
// checks first, then the signature, then the claims.
func (v *Verifier) checkToken(ctx context.Context, token, typ string,
	aud func(*partnerEntry) string) (*claimSet, *partnerEntry, error) {
	// Size cap before any work.
	if len(token) > v.maxBytes {
		return nil, nil, ErrTokenTooLarge
	}

	// Alphabet: base64url and dots only; decoders would skip CR and LF.
	if err := checkAlphabet(token); err != nil {
		return nil, nil, err
	}

	// Structure: three strict segments, header rules, claims decoding.
	var c claimSet
	parts, hdr, err := parseCompact(token, typ, &c)
	if err != nil {
		return nil, nil, err
	}

	// Exact issuer: the registry decides which keys and rules apply.
	p := v.partners[c.Issuer]
	if p == nil {
		if c.Issuer == "" {
			return nil, nil, errorf(ErrMissingClaim, "iss")
		}

		return nil, nil, ErrIssuer
	}

	// Algorithm from the partner's allow-list only.
	if !containsString(p.algs, hdr.Alg) {
		return nil, nil, ErrAlgorithmNotAllowed
	}

	// Key from the registry, never from the token.
	key, err := p.key(ctx, hdr.Kid, hdr.Alg)
	if err != nil {
		return nil, nil, err
	}

	// Signature.
	if err := checkSignature(hdr.Alg, parts, key); err != nil {
		return nil, nil, err
	}

	// Registered claims.
	if err := checkRegisteredClaims(&c, aud(p), p.maxLifetime, p.leeway, v.now()); err != nil {
		return nil, nil, err
	}

	return &c, p, nil
}

// key returns the verification key for kid and alg.
func (p *partnerEntry) key(ctx context.Context, kid, alg string) (any, error) {
	var (
		k   PublicKey
		err error
	)
	switch {
	case kid == "" && p.single != nil:
		k = *p.single
	case kid == "" && (p.remote == nil || len(p.keys) > 0):
		// Static keys beside a JWKS URL make two sources: none is implied.
		err = errorf(ErrKeyNotFound, "kid header required: the partner has several keys")
	case kid != "" && p.keys[kid].Key != nil:
		k = p.keys[kid]
	case p.remote != nil:
		// A JWKS URL alone: the set decides whether a missing kid is enough.
		k, err = p.remote.lookup(ctx, kid)
	default:
		err = errorf(ErrKeyNotFound, "unknown kid")
	}
	if err != nil {
		return nil, err
	}

	if (k.Algorithm != "" && k.Algorithm != alg) || !keyFits(alg, k.Key) {
		return nil, keyMismatch(alg, k)
	}

	return k.Key, nil
}

// compactParts are the pieces of a compact JWS needed after parsing.
type compactParts struct {
	signingInput string
	signature    string
}

// parseCompact checks the structure and header of token and decodes its
// claims into c. It does not check the signature.
func parseCompact(token, typ string, c *claimSet) (compactParts, header, error) {
	var hdr header
	h, rest, ok := strings.Cut(token, ".")
	if !ok {
		return compactParts{}, hdr, errorf(ErrMalformed, "not three segments")
	}

	payload, sig, ok := strings.Cut(rest, ".")
	if !ok || strings.IndexByte(sig, '.') >= 0 {
		if strings.Count(token, ".") == 4 {
			return compactParts{}, hdr, errorf(ErrMalformed, "encrypted tokens (JWE) are not accepted")
		}

		return compactParts{}, hdr, errorf(ErrMalformed, "not three segments")
	}

	if h == "" || payload == "" {
		return compactParts{}, hdr, errorf(ErrMalformed, "empty segment")
	}

	if err := decodeSegment(h, &hdr, ErrMalformed); err != nil {
		return compactParts{}, hdr, err
	}

	if err := checkHeader(&hdr, typ, sig); err != nil {
		return compactParts{}, hdr, err
	}

	if err := decodeSegment(payload, c, ErrInvalidClaim); err != nil {
		return compactParts{}, hdr, err
	}

	parts := compactParts{signingInput: token[:len(h)+1+len(payload)], signature: sig}

	return parts, hdr, nil
}

// checkHeader applies the rules that need no key: algorithm known and not
// "none", expected type, no crit, no key material.
func checkHeader(hdr *header, typ, sig string) error {
	if hdr.Alg == "" {
		return errorf(ErrMalformed, "alg header missing")
	}

	if _, ok := signatureMethods[hdr.Alg]; !ok {
		return ErrAlgorithmNotAllowed
	}

	if sig == "" {
		return errorf(ErrMalformed, "empty signature")
	}

	if hdr.Typ != typ {
		return ErrType
	}

	if hdr.Crit != nil {
		return errorf(ErrForbiddenHeader, "crit")
	}

	if hdr.JWK != nil || hdr.JKU != nil || hdr.X5U != nil || hdr.X5C != nil {
		return errorf(ErrForbiddenHeader, "keys are never taken from the token")
	}

	return nil
}

// checkSignature verifies the signature with golang-jwt's implementation of
// alg.
func checkSignature(alg string, parts compactParts, key any) error {
	sig, err := strictBase64.DecodeString(parts.signature)
	if err != nil {
		return errorf(ErrMalformed, "signature is not strict base64url")
	}

	if err := signatureMethods[alg].Verify(parts.signingInput, sig, key); err != nil {
		return ErrBadSignature
	}

	return nil
}

// checkRegisteredClaims checks aud, exp, iat, nbf, the lifetime and jti.
func checkRegisteredClaims(c *claimSet, aud string, maxLifetime, leeway time.Duration,
	now time.Time) error {
	if !c.Audience.contains(aud) {
		return ErrAudience
	}

	if !c.Expiry.set {
		return errorf(ErrMissingClaim, "exp")
	}

	if !c.IssuedAt.set {
		return errorf(ErrMissingClaim, "iat")
	}

	exp, iat := c.Expiry.time(), c.IssuedAt.time()
	if skew := now.Sub(exp); skew > leeway {
		return &TimeError{Kind: ErrExpired, Skew: skew, Leeway: leeway}
	}

	if c.NotBefore.set {
		if skew := c.NotBefore.time().Sub(now); skew > leeway {
			return &TimeError{Kind: ErrNotYetValid, Skew: skew, Leeway: leeway}
		}
	}

	if skew := iat.Sub(now); skew > leeway {
		return &TimeError{Kind: ErrIssuedInFuture, Skew: skew, Leeway: leeway}
	}

	if !exp.After(iat) {
		return errorf(ErrInvalidClaim, "exp is not after iat")
	}

	if exp.Sub(iat) > maxLifetime {
		return ErrLifetimeExceeded
	}

	return checkTokenID(c.TokenID)
}

func checkTokenID(jti string) error {
	if jti == "" {
		return errorf(ErrMissingClaim, "jti")
	}

	if len(jti) > maxTokenIDLen {
		return errorf(ErrInvalidClaim, "jti too long")
	}

	return requiredText("jti", jti)
}

// checkLaunchClaims checks the claims specific to launch tokens: sub an id
// (CheckSubject: CheckID, and not shaped like an e-mail address);
// cohort_id an id and printable; name without control characters or
// bidirectional overrides and isolates; case_id and case_set_id slugs, at
// most one of them; every value at most 256 bytes.
func checkLaunchClaims(c *claimSet) error {
	if err := CheckSubject(c.Subject); err != nil {
		return err
	}

	if err := printableClaim("cohort_id", c.CohortID); err != nil {
		return err
	}

	if err := nameClaim(c.Name); err != nil {
		return err
	}

	if c.Role == "" {
		return errorf(ErrMissingClaim, "role")
	}

	if !c.Role.Valid() {
		return errorf(ErrInvalidClaim, "role must be learner or instructor")
	}

	if c.CaseID != "" && c.CaseSetID != "" {
		return errorf(ErrInvalidClaim, "case_id and case_set_id are exclusive")
	}

	if err := slugClaim("case_id", c.CaseID); err != nil {
		return err
	}

	return slugClaim("case_set_id", c.CaseSetID)
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}

	return false
}

// discardLogger is the default logger: it drops everything.
func discardLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}
