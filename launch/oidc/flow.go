package oidc

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"time"
)

// DefaultFlowTTL is how long a started sign-in may take by default.
const DefaultFlowTTL = 10 * time.Minute

// MaxFlowTTL is the longest a sign-in may take.
const MaxFlowTTL = 30 * time.Minute

// Target is what the login request asked to open.
type Target struct {
	// CohortID is the login request's cohort parameter.
	CohortID string
	// CaseID is the login request's case parameter.
	CaseID string
	// CaseSetID is the login request's case_set parameter.
	CaseSetID string
}

// Flow is one started sign-in, kept from the login to its callback.
type Flow struct {
	// State is the flow's key. The handler gives a FlowStore the random
	// "state" sent to the provider joined with the random binder of the
	// browser's binding cookie, and asks TakeFlow for the same, so that
	// the state alone (as a callback URL carries it) finds no flow.
	State string
	// PartnerID is the partner signing in.
	PartnerID string
	// Nonce is the random "nonce" the ID token must carry.
	Nonce string
	// Verifier is the PKCE code verifier.
	Verifier string
	// Target is what the login request asked to open.
	Target Target
	// ExpiresAt is when the flow stops being usable.
	ExpiresAt time.Time
}

// FlowStore keeps flows server side. Each flow is stored under its own
// state, so that several sign-ins (browser tabs) run at once, and is taken
// once. The state a store sees is opaque: it binds the flow to a browser
// (see Flow.State), and the stores of this module keep only its StateKey.
// Implementations shared by several processes make TakeFlow atomic across
// them; package oidctest has the conformance suite.
type FlowStore interface {
	// SaveFlow stores f under f.State.
	SaveFlow(ctx context.Context, f Flow) error
	// TakeFlow returns the flow stored under state and deletes it, so
	// that a second call fails. It returns ErrFlowNotFound when no flow
	// has that state, when it was taken, or when it expired at now.
	TakeFlow(ctx context.Context, state string, now time.Time) (Flow, error)
}

// StateKey is the key under which stores keep a flow: the hex SHA-256 of
// its state, so that a store's content cannot be replayed as a state.
func StateKey(state string) string {
	sum := sha256.Sum256([]byte(state))
	return hex.EncodeToString(sum[:])
}

// DefaultMaxMemoryFlows is the default MemoryFlows.Max: live flows take
// about half a kilobyte each, so a full store holds some 50 MB.
const DefaultMaxMemoryFlows = 100_000

// MemoryFlows is a FlowStore in process memory, for one process. Its zero
// value is ready to use, and it is safe for concurrent use. Set its fields
// before the first call and do not change them afterwards.
//
// It holds at most Max flows that have not expired: when full, SaveFlow
// first drops the expired flows and, if that frees no room, refuses the
// new flow with ErrFlowStoreFull, so that anonymous logins cannot make it
// grow without bound. HandlerConfig.SignInRate keeps ordinary traffic far from
// the cap.
type MemoryFlows struct {
	// Max is the most flows kept at once. Zero (or less) means
	// DefaultMaxMemoryFlows.
	Max int
	// Now is the clock that tells expired flows. Default time.Now. The
	// handler's default MemoryFlows uses HandlerConfig.Now.
	Now func() time.Time

	mu    sync.Mutex
	flows map[string]Flow
	// soonest is at or before the earliest expiry of the kept flows, so
	// that no scan runs while no flow can have expired.
	soonest time.Time
	purged  time.Time
}

// SaveFlow stores f, replacing a flow of the same state. Now and then, and
// whenever the store is full, it drops expired flows. It returns
// ErrFlowStoreFull when Max flows are live.
func (m *MemoryFlows) SaveFlow(_ context.Context, f Flow) error {
	now := time.Now()
	if m.Now != nil {
		now = m.Now()
	}

	m.mu.Lock()
	defer m.mu.Unlock()

	if m.flows == nil {
		m.flows = make(map[string]Flow)
	}

	limit := m.Max
	if limit <= 0 {
		limit = DefaultMaxMemoryFlows
	}

	key := StateKey(f.State)
	_, replaces := m.flows[key]
	if now.Sub(m.purged) >= DefaultFlowTTL || (!replaces && len(m.flows) >= limit) {
		m.dropExpired(now)
	}

	if !replaces && len(m.flows) >= limit {
		return ErrFlowStoreFull
	}

	m.flows[key] = f
	if len(m.flows) == 1 || f.ExpiresAt.Before(m.soonest) {
		m.soonest = f.ExpiresAt
	}

	return nil
}

// dropExpired deletes the flows expired at now, unless none can have.
func (m *MemoryFlows) dropExpired(now time.Time) {
	m.purged = now
	if now.Before(m.soonest) {
		return
	}

	var soonest time.Time
	for k, f := range m.flows {
		switch {
		case !now.Before(f.ExpiresAt):
			delete(m.flows, k)
		case soonest.IsZero() || f.ExpiresAt.Before(soonest):
			soonest = f.ExpiresAt
		}
	}

	m.soonest = soonest
}

// TakeFlow returns the flow once.
func (m *MemoryFlows) TakeFlow(_ context.Context, state string, now time.Time) (Flow, error) {
	key := StateKey(state)

	m.mu.Lock()
	defer m.mu.Unlock()

	f, ok := m.flows[key]
	if !ok {
		return Flow{}, ErrFlowNotFound
	}

	delete(m.flows, key)
	if !now.Before(f.ExpiresAt) {
		return Flow{}, ErrFlowNotFound
	}

	return f, nil
}
