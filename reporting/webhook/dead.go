package webhook

import (
	"context"
	"fmt"
	"time"

	"github.com/virtualaipatient/integration/session"
)

// ListDead returns the events parked as dead, in the order they were
// written, for the host to inspect (LastStatus, LastError) and replay.
func (d *Dispatcher) ListDead(ctx context.Context, q session.DeadQuery) (
	[]session.Delivery, error) {
	list, err := d.cfg.Store.ListDeadDeliveries(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("webhook: list dead: %w", err)
	}

	return list, nil
}

// Replay makes dead events due now, with a fresh budget of attempts, and
// returns how many it revived. Ids of events that are not dead are
// ignored. The bodies are those written with the change.
func (d *Dispatcher) Replay(ctx context.Context, ids ...string) (int, error) {
	n, err := d.cfg.Store.ReplayDeliveries(ctx, ids, d.now())
	if err != nil {
		return n, fmt.Errorf("webhook: replay: %w", err)
	}

	return n, nil
}

// PurgeDelivered deletes events delivered before the time, when the store
// is a [DeliveredPurger], and returns how many it deleted; otherwise it
// returns ErrNoPurge.
func (d *Dispatcher) PurgeDelivered(ctx context.Context, before time.Time) (int, error) {
	p, ok := d.cfg.Store.(DeliveredPurger)
	if !ok {
		return 0, ErrNoPurge
	}

	n, err := p.PurgeDelivered(ctx, before)
	if err != nil {
		return n, fmt.Errorf("webhook: purge: %w", err)
	}

	return n, nil
}
