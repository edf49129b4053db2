package partnerapp

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/virtualaipatient/integration/reporting"
)

// Source says where a gradebook entry came from.
type Source string

// Sources of gradebook entries.
const (
	// SourceWebhook is a verified webhook delivery.
	SourceWebhook Source = "webhook"
	// SourceAPI is a read of the reporting API.
	SourceAPI Source = "api"
)

// Entry is the latest known summary of one session.
type Entry struct {
	// Summary is the session summary with the highest revision seen.
	Summary reporting.SessionSummary
	// Source says where that summary came from.
	Source Source
	// Events lists the webhook event types received for the session.
	Events []string
	// UpdatedAt is when the entry last changed.
	UpdatedAt time.Time
}

// Gradebook keeps the highest revision of every session's summary, and
// forgets the sessions of deleted learners. It is safe for concurrent use.
type Gradebook struct {
	mu        sync.Mutex
	entries   map[string]*Entry
	seen      map[string]bool
	forgotten map[string]bool
	deletions map[string]reporting.DeletionReceipt
	changed   chan struct{}
}

// NewGradebook returns an empty gradebook.
func NewGradebook() *Gradebook {
	return &Gradebook{entries: map[string]*Entry{}, seen: map[string]bool{},
		forgotten: map[string]bool{}, deletions: map[string]reporting.DeletionReceipt{},
		changed: make(chan struct{})}
}

// Forget drops the entries of the receipt's sessions, and of any other
// session of the receipt's learner, and ignores them from then on, as a
// partner must once VAP deleted a learner. It returns how many entries it
// dropped.
func (g *Gradebook) Forget(r reporting.DeletionReceipt) int {
	g.mu.Lock()
	defer g.mu.Unlock()

	for _, id := range r.SessionIDs {
		g.forgotten[id] = true
	}

	for id, e := range g.entries {
		if e.Summary.PartnerUserID == r.PartnerUserID {
			g.forgotten[id] = true
		}
	}

	n := 0
	for id := range g.forgotten {
		if _, ok := g.entries[id]; ok {
			delete(g.entries, id)
			n++
		}
	}

	g.deletions[r.DeletionID] = r
	g.notify()

	return n
}

// WaitDeletion returns the receipt of the deletion once Forget received
// it, or ctx's error.
func (g *Gradebook) WaitDeletion(ctx context.Context,
	deletionID string) (reporting.DeletionReceipt, error) {
	for {
		g.mu.Lock()
		r, ok := g.deletions[deletionID]
		changed := g.changed
		g.mu.Unlock()

		if ok {
			return r, nil
		}

		select {
		case <-ctx.Done():
			return reporting.DeletionReceipt{}, ctx.Err()
		case <-changed:
		}
	}
}

// AddEvent records a webhook event once, by id, and reports whether it was
// new. An event older than the summary held only adds its type.
func (g *Gradebook) AddEvent(id, typ string, s reporting.SessionSummary) bool {
	g.mu.Lock()
	defer g.mu.Unlock()

	if g.seen[id] {
		return false
	}

	g.seen[id] = true
	if g.forgotten[s.SessionID] {
		return false
	}

	e := g.put(s, SourceWebhook)
	e.Events = append(e.Events, typ)
	g.notify()

	return true
}

// AddSummary records a summary read from the reporting API.
func (g *Gradebook) AddSummary(s reporting.SessionSummary) {
	g.mu.Lock()
	defer g.mu.Unlock()

	if g.forgotten[s.SessionID] {
		return
	}

	g.put(s, SourceAPI)
	g.notify()
}

// put stores s unless a higher revision is held, and returns the entry.
func (g *Gradebook) put(s reporting.SessionSummary, src Source) *Entry {
	e, ok := g.entries[s.SessionID]
	if !ok {
		e = &Entry{}
		g.entries[s.SessionID] = e
	}

	if !ok || s.Revision > e.Summary.Revision {
		e.Summary, e.Source, e.UpdatedAt = s, src, time.Now()
	}

	return e
}

func (g *Gradebook) notify() {
	close(g.changed)
	g.changed = make(chan struct{})
}

// Entries returns copies of the entries, newest session first.
func (g *Gradebook) Entries() []Entry {
	g.mu.Lock()
	defer g.mu.Unlock()

	out := make([]Entry, 0, len(g.entries))
	for _, e := range g.entries {
		c := *e
		c.Events = slices.Clone(e.Events)
		out = append(out, c)
	}

	slices.SortFunc(out, func(a, b Entry) int {
		return created(b).Compare(created(a))
	})

	return out
}

// Wait returns the entry of the session once ok accepts it, or ctx's error.
func (g *Gradebook) Wait(ctx context.Context, sessionID string,
	ok func(Entry) bool) (Entry, error) {
	for {
		g.mu.Lock()
		e, found := g.entries[sessionID]
		var c Entry
		if found {
			c = *e
			c.Events = slices.Clone(e.Events)
		}

		changed := g.changed
		g.mu.Unlock()

		if found && ok(c) {
			return c, nil
		}

		select {
		case <-ctx.Done():
			return Entry{}, ctx.Err()
		case <-changed:
		}
	}
}

func created(e Entry) time.Time {
	if e.Summary.CreatedAt == nil {
		return time.Time{}
	}

	return e.Summary.CreatedAt.Time
}
