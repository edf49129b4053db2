package reporting

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"sync"
	"time"
)

// DefaultCodeTTL is the lifetime of a one-time launch code.
const DefaultCodeTTL = 60 * time.Second

// CodeGrant is what a one-time code stands for.
type CodeGrant struct {
	// SessionID is the launched session.
	SessionID string
	// PartnerID owns the session.
	PartnerID string
}

// CodeStore keeps one-time launch codes. Implementations shared by several
// processes (a database, a cache) make Redeem atomic across them.
type CodeStore interface {
	// Issue stores a new random code for g that expires at expires and
	// returns it.
	Issue(ctx context.Context, g CodeGrant, expires time.Time) (string, error)
	// Redeem returns the grant of code and forgets the code, so that a
	// second redemption fails. It returns ErrCodeInvalid when the code is
	// unknown, already redeemed or expired at now.
	Redeem(ctx context.Context, code string, now time.Time) (CodeGrant, error)
}

// MemoryCodes is a [CodeStore] in process memory, for one process. It keeps
// only a hash of each code. Its zero value is ready to use, and it is safe
// for concurrent use.
type MemoryCodes struct {
	// Now is the clock by which expired codes are dropped from memory; give
	// it the clock that computes the codes' expiry (the handler's
	// Config.Now). Default time.Now. Redeem decides validity with the time
	// it is given, whatever this clock says.
	Now func() time.Time

	mu     sync.Mutex
	codes  map[[sha256.Size]byte]memoryCode
	purged time.Time
}

type memoryCode struct {
	grant   CodeGrant
	expires time.Time
}

// memoryPurgeEvery is the least time between two purges of expired codes.
const memoryPurgeEvery = time.Minute

// Issue stores a new 256-bit random code. Now and then it drops the codes
// whose own expiry has passed.
func (m *MemoryCodes) Issue(_ context.Context, g CodeGrant, expires time.Time) (string, error) {
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", fmt.Errorf("reporting: one-time code: %w", err)
	}

	code := base64.RawURLEncoding.EncodeToString(raw[:])

	m.mu.Lock()
	defer m.mu.Unlock()

	if m.codes == nil {
		m.codes = make(map[[sha256.Size]byte]memoryCode)
	}

	now := time.Now()
	if m.Now != nil {
		now = m.Now()
	}

	if now.Sub(m.purged) >= memoryPurgeEvery {
		m.purge(now)
		m.purged = now
	}

	m.codes[sha256.Sum256([]byte(code))] = memoryCode{grant: g, expires: expires}

	return code, nil
}

// Redeem returns the code's grant once.
func (m *MemoryCodes) Redeem(_ context.Context, code string, now time.Time) (CodeGrant, error) {
	key := sha256.Sum256([]byte(code))

	m.mu.Lock()
	defer m.mu.Unlock()

	c, ok := m.codes[key]
	if !ok {
		return CodeGrant{}, ErrCodeInvalid
	}

	delete(m.codes, key)
	if !now.Before(c.expires) {
		return CodeGrant{}, ErrCodeInvalid
	}

	return c.grant, nil
}

// purge drops the codes expired at now, as Redeem would refuse them.
func (m *MemoryCodes) purge(now time.Time) {
	for k, c := range m.codes {
		if !now.Before(c.expires) {
			delete(m.codes, k)
		}
	}
}
