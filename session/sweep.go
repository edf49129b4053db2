package session

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// SweepResult counts what [Service.Sweep] did.
type SweepResult struct {
	// Abandoned counts sessions abandoned for inactivity.
	Abandoned int
	// Voided counts created sessions voided as never started.
	Voided int
	// TokensPurged counts consumed tokens forgotten after their expiry
	// (see TokenGrace).
	TokensPurged int
}

// Sweep abandons (end reason inactivity) every in-progress or suspended
// session idle for longer than InactivityTimeout, its active time ending
// at its last activity; voids (not_started) every created session older
// than UnusedTimeout; and, when the store is a [TokenPurger], forgets
// consumed tokens whose record expired (exp plus launch.MaxLeeway) longer
// than TokenGrace ago. Each session is re-checked in its own transaction,
// so activity racing the sweep wins. Run it periodically; it is safe to
// run from several processes.
//
// NOTE: sessions whose assignment closed are not swept early; they follow
// the same timeouts.
func (s *Service) Sweep(ctx context.Context) (SweepResult, error) {
	var res SweepResult
	if s.Store == nil {
		return res, errNoStore
	}

	now := s.now()
	idle := now.Add(-orDefault(s.InactivityTimeout, DefaultInactivityTimeout))
	n, err := s.sweep(ctx, []Status{StatusInProgress, StatusSuspended}, idle,
		EventAbandon, EndInactivity)
	res.Abandoned = n
	if err != nil {
		return res, err
	}

	unused := now.Add(-orDefault(s.UnusedTimeout, DefaultUnusedTimeout))
	res.Voided, err = s.sweep(ctx, []Status{StatusCreated}, unused, EventExpire, EndNotStarted)
	if err != nil {
		return res, err
	}

	res.TokensPurged, err = s.purgeTokens(ctx, now)
	return res, err
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}

	return def
}

// sweep applies ev to every session in statuses idle since before, batch
// by batch, until a batch comes back short.
func (s *Service) sweep(
	ctx context.Context, statuses []Status, before time.Time, ev Event, reason EndReason,
) (int, error) {
	batch := s.SweepBatch
	if batch <= 0 {
		batch = DefaultSweepBatch
	}

	total := 0
	q := IdleQuery{Statuses: statuses, Before: before, Limit: batch}
	for {
		list, err := s.Store.ListIdleSessions(ctx, q)
		if err != nil {
			return total, fmt.Errorf("session: sweep: %w", err)
		}

		progress := false
		for _, ss := range list {
			changed, err := s.sweepOne(ctx, ss, statuses, before, ev, reason)
			if err != nil {
				return total, err
			}

			if changed {
				total++
				progress = true
			}
		}

		if len(list) < batch || !progress {
			return total, nil
		}
	}
}

func (s *Service) sweepOne(
	ctx context.Context, ss Session, statuses []Status, before time.Time,
	ev Event, reason EndReason,
) (bool, error) {
	_, changed, err := s.update(ctx, ss.PartnerID, ss.ID,
		func(_ Tx, cur *Session, now time.Time) error {
			stillIdle := cur.LastActivityAt.Before(before)
			if !stillIdle || !slices.Contains(statuses, cur.Status) {
				return errUnchanged
			}

			return apply(cur, ev, reason, now)
		})
	if errors.Is(err, ErrNotFound) {
		// Gone since it was listed (its learner erased, say): nothing to
		// sweep, and the other sessions still are.
		return false, nil
	}

	if err != nil {
		return false, fmt.Errorf("session: sweep: %w", err)
	}

	return changed, nil
}

func (s *Service) purgeTokens(ctx context.Context, now time.Time) (int, error) {
	purger, ok := s.Store.(TokenPurger)
	if !ok {
		return 0, nil
	}

	n, err := purger.PurgeTokens(ctx, now.Add(-orDefault(s.TokenGrace, DefaultTokenGrace)))
	if err != nil {
		return n, fmt.Errorf("session: purge tokens: %w", err)
	}

	return n, nil
}
