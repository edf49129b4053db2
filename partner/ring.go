package partner

import (
	"context"
	"crypto"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/virtualaipatient/integration/launch"
)

// Ring defaults.
const (
	// DefaultAPICredentialTTL is the lifetime of API credentials when
	// RingConfig.APICredentialTTL is 0.
	DefaultAPICredentialTTL = 2 * time.Minute
	// DefaultOverlap is how long a replaced key stays published when
	// RingConfig.Overlap is 0.
	DefaultOverlap = time.Hour
	// DefaultJWKSMaxAge is the Cache-Control max-age of the JWK Set when
	// RingConfig.JWKSMaxAge is 0.
	DefaultJWKSMaxAge = 5 * time.Minute
)

// RingConfig configures a Ring. Issuer and Audience are required; every
// other field has a documented default.
type RingConfig struct {
	// Issuer is the "iss" of every token: the exact issuer VAP registered
	// for the partner (required).
	Issuer string
	// Audience is the "aud" of launch tokens VAP gave the partner
	// (required).
	Audience string
	// Algorithm is the signing algorithm: ES256 (default), EdDSA, RS256 or
	// PS256. Every key of the ring must suit it.
	Algorithm string
	// LaunchTTL is the lifetime of launch tokens. Default launch.DefaultTTL
	// (60 s); at most launch.MaxLifetime.
	LaunchTTL time.Duration
	// APICredentialTTL is the lifetime of API credentials. Default
	// DefaultAPICredentialTTL; at most launch.MaxLifetime.
	APICredentialTTL time.Duration
	// Overlap is how long a replaced key stays published, so that tokens it
	// signed keep verifying. Default DefaultOverlap; at least the longer
	// token lifetime plus launch.MaxLeeway.
	Overlap time.Duration
	// JWKSMaxAge is the Cache-Control max-age of the served JWK Set.
	// Default DefaultJWKSMaxAge.
	JWKSMaxAge time.Duration
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

// Ring is the partner's set of signing keys: it signs launch tokens and
// API credentials with its current key, publishes a staged next key before
// it signs anything, and keeps replaced public keys published for an
// overlap period. Key ids are RFC 7638 thumbprints ([KeyID]). It is safe
// for concurrent use.
type Ring struct {
	cfg       RingConfig
	published *launch.KeySet

	mu      sync.RWMutex
	current *ringKey
	staged  *ringKey
}

// ringKey is one private key with its minters.
type ringKey struct {
	public launch.PublicKey
	launch *launch.Minter
	api    *launch.Minter
}

// NewRing checks cfg and returns a Ring that signs with current.
func NewRing(cfg RingConfig, current crypto.Signer) (*Ring, error) {
	cfg, err := ringDefaults(cfg)
	if err != nil {
		return nil, err
	}

	r := &Ring{
		cfg:       cfg,
		published: launch.NewKeySet(launch.KeySetConfig{Now: cfg.Now, MaxAge: cfg.JWKSMaxAge}),
	}
	k, err := r.newRingKey(current)
	if err != nil {
		return nil, err
	}

	if err := r.published.SetCurrent(k.public, cfg.Overlap); err != nil {
		return nil, fmt.Errorf("partner: ring: %w", err)
	}

	r.current = k

	return r, nil
}

func ringDefaults(cfg RingConfig) (RingConfig, error) {
	if cfg.Issuer == "" || cfg.Audience == "" {
		return cfg, configError("ring needs an issuer and an audience")
	}

	if cfg.Algorithm == "" {
		cfg.Algorithm = launch.ES256
	}

	cfg.LaunchTTL = orDefault(cfg.LaunchTTL, launch.DefaultTTL)
	cfg.APICredentialTTL = orDefault(cfg.APICredentialTTL, DefaultAPICredentialTTL)
	cfg.Overlap = orDefault(cfg.Overlap, DefaultOverlap)
	cfg.JWKSMaxAge = orDefault(cfg.JWKSMaxAge, DefaultJWKSMaxAge)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}

	if cfg.LaunchTTL > launch.MaxLifetime || cfg.APICredentialTTL > launch.MaxLifetime {
		return cfg, configError("token lifetimes are at most %v", launch.MaxLifetime)
	}

	minOverlap := max(cfg.LaunchTTL, cfg.APICredentialTTL) + launch.MaxLeeway
	if cfg.Overlap < minOverlap {
		return cfg, configError("overlap must be at least %v", minOverlap)
	}

	return cfg, nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}

	return d
}

// newRingKey builds the minters of signer under its thumbprint key id.
func (r *Ring) newRingKey(signer crypto.Signer) (*ringKey, error) {
	if signer == nil {
		return nil, configError("no signing key")
	}

	kid, err := KeyID(signer.Public())
	if err != nil {
		return nil, err
	}

	pub, err := launch.PublicKeyOf(signer, kid, r.cfg.Algorithm)
	if err != nil {
		return nil, fmt.Errorf("partner: ring: %w", err)
	}

	k := &ringKey{public: pub}
	for _, m := range []struct {
		dst **launch.Minter
		ttl time.Duration
	}{{&k.launch, r.cfg.LaunchTTL}, {&k.api, r.cfg.APICredentialTTL}} {
		*m.dst, err = launch.NewMinter(launch.MinterConfig{
			Issuer: r.cfg.Issuer, Audience: r.cfg.Audience, Algorithm: r.cfg.Algorithm,
			Signer: signer, KeyID: kid, TTL: m.ttl, Now: r.cfg.Now,
		})
		if err != nil {
			return nil, fmt.Errorf("partner: ring: %w", err)
		}
	}

	return k, nil
}

// KeyID returns the key id of the current key.
func (r *Ring) KeyID() string {
	r.mu.RLock()
	defer r.mu.RUnlock()

	return r.current.public.KeyID
}

// Stage publishes next as the ring's next key without signing with it, so
// that VAP can fetch it before the first token it signs. Staging again
// replaces the staged key. Call Promote once VAP has had time to refresh
// the JWK Set (its refresh interval plus JWKSMaxAge).
func (r *Ring) Stage(next crypto.Signer) error {
	k, err := r.newRingKey(next)
	if err != nil {
		return err
	}

	r.mu.Lock()
	defer r.mu.Unlock()

	if k.public.KeyID == r.current.public.KeyID {
		return configError("the staged key is the current key")
	}

	r.staged = k

	return nil
}

// Promote makes the staged key current. The key it replaces is no longer
// used to sign, and stays published for the overlap period. It returns
// ErrNoStagedKey when nothing was staged.
func (r *Ring) Promote() error {
	r.mu.Lock()
	defer r.mu.Unlock()

	if r.staged == nil {
		return ErrNoStagedKey
	}

	if err := r.published.SetCurrent(r.staged.public, r.cfg.Overlap); err != nil {
		return fmt.Errorf("partner: ring: %w", err)
	}

	r.current, r.staged = r.staged, nil

	return nil
}

// Rotate stages next and promotes it at once.
//
// NOTE: VAP fetches an unknown key id at most once a minute (by default),
// so tokens signed just after an unannounced rotation may be refused for up
// to that long. Prefer Stage, then Promote after VAP's refresh interval.
func (r *Ring) Rotate(next crypto.Signer) error {
	if err := r.Stage(next); err != nil {
		return err
	}

	return r.Promote()
}

// AddPrevious publishes a public key that no longer signs until the given
// time, for example the key replaced before a restart. The key needs a
// KeyID.
func (r *Ring) AddPrevious(k launch.PublicKey, until time.Time) error {
	if err := r.published.AddPrevious(k, until); err != nil {
		return fmt.Errorf("partner: ring: %w", err)
	}

	return nil
}

// PublicKeys returns the published keys: the current key, then the staged
// key if any, then the replaced keys still within their overlap. Each key
// id appears once: rotating back to a replaced key, or adding the current
// key with AddPrevious, publishes it once (a replaced key keeps the later
// of its deadlines).
func (r *Ring) PublicKeys() []launch.PublicKey {
	r.mu.RLock()
	staged := r.staged
	keys := r.published.Keys()
	r.mu.RUnlock()

	if staged == nil || len(keys) == 0 {
		return keys
	}

	out := make([]launch.PublicKey, 0, len(keys)+1)
	out = append(out, keys[0], staged.public)
	for _, k := range keys[1:] {
		if k.KeyID != staged.public.KeyID {
			out = append(out, k)
		}
	}

	return out
}

// JWKS returns the JWK Set document of PublicKeys.
func (r *Ring) JWKS() ([]byte, error) {
	set := struct {
		Keys []json.RawMessage `json:"keys"`
	}{Keys: []json.RawMessage{}}
	for _, k := range r.PublicKeys() {
		raw, err := launch.MarshalPublicJWK(k)
		if err != nil {
			return nil, fmt.Errorf("partner: ring: %w", err)
		}

		set.Keys = append(set.Keys, raw)
	}

	return json.Marshal(set)
}

// JWKSHandler returns an http.Handler serving JWKS (GET and HEAD) as
// application/jwk-set+json, for the JWK Set URL registered with VAP.
func (r *Ring) JWKSHandler() http.Handler {
	maxAge := "public, max-age=" + strconv.Itoa(int(r.cfg.JWKSMaxAge.Seconds()))

	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method != http.MethodGet && req.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)

			return
		}

		body, err := r.JWKS()
		if err != nil {
			http.Error(w, "key set unavailable", http.StatusInternalServerError)

			return
		}

		h := w.Header()
		h.Set("Content-Type", "application/jwk-set+json")
		h.Set("Cache-Control", maxAge)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Length", strconv.Itoa(len(body)))
		if req.Method == http.MethodGet {
			_, _ = w.Write(body)
		}
	})
}

// Mint returns a launch token for req signed with the current key.
func (r *Ring) Mint(ctx context.Context, req launch.LaunchRequest) (string, error) {
	r.mu.RLock()
	m := r.current.launch
	r.mu.RUnlock()

	token, err := m.Mint(ctx, req)
	if err != nil {
		return "", fmt.Errorf("partner: mint launch: %w", err)
	}

	return token, nil
}

// MintAPICredential returns an API credential for VAP's reporting API with
// the given audience, signed with the current key, and its expiry.
func (r *Ring) MintAPICredential(ctx context.Context, audience string) (string, time.Time, error) {
	r.mu.RLock()
	m := r.current.api
	r.mu.RUnlock()

	// The expiry is read before signing, so it is never later than the
	// token's own "exp".
	expiry := r.cfg.Now().Add(r.cfg.APICredentialTTL)
	token, err := m.MintAPICredential(ctx, audience)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("partner: mint API credential: %w", err)
	}

	return token, expiry, nil
}
