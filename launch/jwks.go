package launch

import (
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/MicahParks/jwkset"
)

// KeySetConfig configures a KeySet.
type KeySetConfig struct {
	// Now is the clock that ends overlap periods. Default time.Now.
	Now func() time.Time
	// MaxAge is the Cache-Control max-age of the published JWK Set.
	// Default 5 minutes.
	MaxAge time.Duration
}

// KeySet is the set of public keys a signer publishes: the current key and
// previous keys still within their overlap period, so that tokens signed
// just before a rotation keep verifying. It is safe for concurrent use.
type KeySet struct {
	now    func() time.Time
	maxAge time.Duration

	mu       sync.RWMutex
	current  *PublicKey
	previous []retiredKey
}

type retiredKey struct {
	key   PublicKey
	until time.Time
}

// NewKeySet returns an empty KeySet.
func NewKeySet(cfg KeySetConfig) *KeySet {
	s := &KeySet{now: cfg.Now, maxAge: cfg.MaxAge}
	if s.now == nil {
		s.now = time.Now
	}

	if s.maxAge <= 0 {
		s.maxAge = 5 * time.Minute
	}

	return s
}

// SetCurrent makes k the current key. The key it replaces stays published
// until now plus overlap (not at all when overlap is 0). k needs a KeyID and
// must be a public signature key.
func (s *KeySet) SetCurrent(k PublicKey, overlap time.Duration) error {
	if err := checkPublishable(k); err != nil {
		return err
	}

	if overlap < 0 {
		return errorf(ErrConfig, "negative overlap")
	}

	s.mu.Lock()
	defer s.mu.Unlock()

	if s.current != nil && s.current.KeyID == k.KeyID {
		return errorf(ErrConfig, "key id already current")
	}

	if s.current != nil && overlap > 0 {
		s.retire(*s.current, s.now().Add(overlap))
	}

	s.current = &k

	return nil
}

// AddPrevious publishes a key that is no longer used to sign until the
// given time, for example one restored from storage after a restart. A key
// id is published once: adding a key id already held as a previous key
// keeps the later of the two times, and one equal to the current key's is
// published as the current key until it is replaced, then until the given
// time (or the end of its overlap, whichever is later).
func (s *KeySet) AddPrevious(k PublicKey, until time.Time) error {
	if err := checkPublishable(k); err != nil {
		return err
	}

	s.mu.Lock()
	defer s.mu.Unlock()

	s.retire(k, until)

	return nil
}

// retire records k as a previous key until the given time, merging with an
// entry of the same key id (the later time wins). Callers hold s.mu.
func (s *KeySet) retire(k PublicKey, until time.Time) {
	for i, r := range s.previous {
		if r.key.KeyID == k.KeyID {
			s.previous[i].key = k
			if until.After(r.until) {
				s.previous[i].until = until
			}

			return
		}
	}

	s.previous = append(s.previous, retiredKey{key: k, until: until})
}

func checkPublishable(k PublicKey) error {
	if k.KeyID == "" {
		return errorf(ErrConfig, "a published key needs a key id")
	}

	_, err := publicJWKMarshal(k)

	return err
}

// Keys returns the current key first, then the previous keys whose overlap
// has not ended, each key id once. Expired previous keys are dropped.
func (s *KeySet) Keys() []PublicKey {
	now := s.now()

	s.mu.Lock()
	defer s.mu.Unlock()

	kept := s.previous[:0]
	for _, r := range s.previous {
		if r.until.After(now) {
			kept = append(kept, r)
		}
	}
	s.previous = kept

	var keys []PublicKey
	if s.current != nil {
		keys = append(keys, *s.current)
	}

	for i := len(kept) - 1; i >= 0; i-- {
		if s.current == nil || kept[i].key.KeyID != s.current.KeyID {
			keys = append(keys, kept[i].key)
		}
	}

	return keys
}

// JSON returns the JWK Set document of Keys.
func (s *KeySet) JSON() ([]byte, error) {
	set := jwkset.JWKSMarshal{Keys: []jwkset.JWKMarshal{}}
	for _, k := range s.Keys() {
		m, err := publicJWKMarshal(k)
		if err != nil {
			return nil, err
		}

		set.Keys = append(set.Keys, m)
	}

	return json.Marshal(set)
}

// NewJWKSHandler returns an http.Handler that serves the JWK Set of keys
// (GET and HEAD) as application/jwk-set+json.
func NewJWKSHandler(keys *KeySet) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)

			return
		}

		body, err := keys.JSON()
		if err != nil {
			http.Error(w, "key set unavailable", http.StatusInternalServerError)

			return
		}

		h := w.Header()
		h.Set("Content-Type", "application/jwk-set+json")
		h.Set("Cache-Control", "public, max-age="+strconv.Itoa(int(keys.maxAge.Seconds())))
		h.Set("Content-Length", strconv.Itoa(len(body)))
		if r.Method == http.MethodGet {
			_, _ = w.Write(body)
		}
	})
}
