package launch

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// ReplayGuard makes launch tokens single use.
type ReplayGuard interface {
	// Consume records (issuer, tokenID) as used until `until`. It returns an
	// error wrapping ErrReplayed if the pair was already used and is still
	// remembered, or another error if the guard cannot answer. It must be
	// atomic: of concurrent calls with the same pair, at most one succeeds.
	Consume(ctx context.Context, issuer, tokenID string, until time.Time) error
}

// consume calls the guard and fails closed on anything but success. When
// ctx has ended, the context error is returned (wrapped): the caller gave
// up, the guard did not fail.
func consume(ctx context.Context, g ReplayGuard, issuer, tokenID string, until time.Time) error {
	err := g.Consume(ctx, issuer, tokenID, until)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrReplayed):
		return ErrReplayed
	case ctx.Err() != nil:
		return fmt.Errorf("launch: replay check abandoned: %w", ctx.Err())
	case errors.Is(err, ErrReplayGuardUnavailable):
		return err
	default:
		return errorf(ErrReplayGuardUnavailable, "%w", err)
	}
}

// DefaultReplayCapacity is the default number of token ids a
// MemoryReplayGuard remembers at once.
const DefaultReplayCapacity = 1 << 20

// MemoryReplayGuardConfig configures a MemoryReplayGuard.
type MemoryReplayGuardConfig struct {
	// Capacity is the most token ids remembered at once. When it is reached
	// and no entry has expired, Consume refuses to answer (fail closed).
	// Default DefaultReplayCapacity.
	Capacity int
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

// MemoryReplayGuard is an in-process ReplayGuard. It remembers an entry up
// to and including its `until` instant (a Verifier accepts a token until
// exactly exp plus leeway, which is the `until` it passes), forgets it
// after, and never holds more than its capacity. When full of live entries
// Consume returns an error wrapping ErrReplayGuardUnavailable.
//
// NOTE: it is local to one process; several VAP instances behind a load
// balancer need a shared guard (a database with a unique key).
type MemoryReplayGuard struct {
	mu       sync.Mutex
	until    map[string]time.Time
	expiries expiryHeap
	capacity int
	now      func() time.Time
}

// errGuardFull is returned when the guard is full of live entries.
var errGuardFull = errorf(ErrReplayGuardUnavailable, "full")

// NewMemoryReplayGuard returns an empty guard.
func NewMemoryReplayGuard(cfg MemoryReplayGuardConfig) *MemoryReplayGuard {
	g := &MemoryReplayGuard{
		until:    make(map[string]time.Time),
		capacity: cfg.Capacity,
		now:      cfg.Now,
	}
	if g.capacity <= 0 {
		g.capacity = DefaultReplayCapacity
	}

	if g.now == nil {
		g.now = time.Now
	}

	return g
}

// Consume implements ReplayGuard.
func (g *MemoryReplayGuard) Consume(ctx context.Context, issuer, tokenID string, until time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}

	key := issuer + "\x00" + tokenID
	now := g.now()

	g.mu.Lock()
	defer g.mu.Unlock()

	// After evict, every entry left is live: its until is not before now.
	g.evict(now)
	if _, ok := g.until[key]; ok {
		return ErrReplayed
	}

	if len(g.until) >= g.capacity {
		return errGuardFull
	}

	g.until[key] = until
	heap.Push(&g.expiries, expiry{key: key, until: until})

	return nil
}

// Len returns the number of remembered entries, expired ones included until
// the next Consume evicts them.
func (g *MemoryReplayGuard) Len() int {
	g.mu.Lock()
	defer g.mu.Unlock()

	return len(g.until)
}

// evict forgets every entry whose until is strictly before now.
func (g *MemoryReplayGuard) evict(now time.Time) {
	for len(g.expiries) > 0 && g.expiries[0].until.Before(now) {
		e := heap.Pop(&g.expiries).(expiry)
		if t, ok := g.until[e.key]; ok && t.Equal(e.until) {
			delete(g.until, e.key)
		}
	}
}

type expiry struct {
	key   string
	until time.Time
}

// expiryHeap orders entries by expiry, soonest first.
type expiryHeap []expiry

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].until.Before(h[j].until) }
func (h expiryHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *expiryHeap) Push(x any)        { *h = append(*h, x.(expiry)) }

func (h *expiryHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]

	return e
}
