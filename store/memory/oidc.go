package memory

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/virtualaipatient/integration/launch/oidc"
	"github.com/virtualaipatient/integration/session"
)

var _ oidc.FlowStore = (*Store)(nil)

// flows holds single sign-on flows by the [oidc.StateKey] of their state;
// the state itself is not kept.
type flows struct {
	byKey map[string]oidc.Flow
}

// SaveFlow implements [oidc.FlowStore]: it stores f under the StateKey of
// f.State, replacing a flow stored under the same key. Expired flows stay
// until [Store.TakeFlow] takes them or [Store.PurgeBatch] (PurgeFlows)
// deletes them.
func (s *Store) SaveFlow(ctx context.Context, f oidc.Flow) error {
	if err := ctx.Err(); err != nil {
		return err
	}

	s.mu.Lock()
	defer s.mu.Unlock()

	if s.d.flows == nil {
		s.d.flows = &flows{byKey: map[string]oidc.Flow{}}
	}

	key := oidc.StateKey(f.State)
	f.State = ""
	s.d.flows.byKey[key] = f

	return nil
}

// TakeFlow implements [oidc.FlowStore]: it deletes the flow of state and
// returns it. It returns oidc.ErrFlowNotFound when no flow has that state,
// when it was taken, or when it expired at now (the expired flow is
// deleted too).
func (s *Store) TakeFlow(ctx context.Context, state string, now time.Time) (oidc.Flow, error) {
	if err := ctx.Err(); err != nil {
		return oidc.Flow{}, err
	}

	key := oidc.StateKey(state)

	s.mu.Lock()
	defer s.mu.Unlock()

	if s.d.flows == nil {
		return oidc.Flow{}, oidc.ErrFlowNotFound
	}

	f, ok := s.d.flows.byKey[key]
	if !ok {
		return oidc.Flow{}, oidc.ErrFlowNotFound
	}

	delete(s.d.flows.byKey, key)
	if !now.Before(f.ExpiresAt) {
		return oidc.Flow{}, oidc.ErrFlowNotFound
	}

	f.State = state
	return f, nil
}

// purgeFlows deletes one batch of flows that expired before q.Before,
// oldest first.
func (tx *txn) purgeFlows(q session.PurgeQuery) int {
	if tx.d.flows == nil {
		return 0
	}

	type entry struct {
		key string
		f   oidc.Flow
	}
	var list []entry
	for k, f := range tx.d.flows.byKey {
		if inPartner(q, f.PartnerID) && f.ExpiresAt.Before(q.Before) {
			list = append(list, entry{k, f})
		}
	}

	slices.SortFunc(list, func(a, b entry) int {
		return cmp.Or(a.f.ExpiresAt.Compare(b.f.ExpiresAt), cmp.Compare(a.key, b.key))
	})
	list = list[:min(len(list), q.Limit)]
	for _, e := range list {
		deleteMap(tx, tx.d.flows.byKey, e.key)
	}

	return len(list)
}
