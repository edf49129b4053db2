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

// MemoryFlows is a FlowStore in process memory, for one process. Its zero
// value is ready to use, and it is safe for concurrent use.
type MemoryFlows struct {
	mu     sync.Mutex
	flows  map[string]Flow
	purged time.Time
}

// SaveFlow stores f. Now and then it drops expired flows.
func (m *MemoryFlows) SaveFlow(_ context.Context, f Flow) error {
	m.mu.Lock()
	defer m.mu.Unlock()

	if m.flows == nil {
		m.flows = make(map[string]Flow)
	}

	if f.ExpiresAt.Sub(m.purged) > DefaultFlowTTL {
		cutoff := f.ExpiresAt.Add(-MaxFlowTTL) // never after now
		for k, old := range m.flows {
			if old.ExpiresAt.Before(cutoff) {
				delete(m.flows, k)
			}
		}

		m.purged = f.ExpiresAt
	}

	m.flows[StateKey(f.State)] = f

	return nil
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
