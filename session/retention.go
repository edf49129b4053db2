package session

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// Retention is how long a partner's data is kept. Zero fields take the
// defaults named on them; [Service.Purge] deletes what is older.
//
// Purging a learner's ended sessions keeps, per assignment and case, the
// highest attempt number, how many attempts counted against max attempts
// and how many were completed ([PurgedAttempts]), so attempt numbers are
// never reused and purged attempts still count against max attempts while
// the learner record is kept.
//
// NOTE: those records go with the learner record: once it is purged (no
// sessions left and unseen for Learners) or erased, the partner user's
// next launch makes a new learner, whose attempts start at 1 and count
// afresh. Keep Learners at least as long as assignments run when that
// matters.
type Retention struct {
	// Sessions is how long a session is kept after it ended (completed,
	// abandoned or voided). Open sessions are never purged. Default
	// DefaultSessionRetention.
	Sessions time.Duration
	// Learners is how long a learner record without sessions is kept
	// after the learner was last seen. Default DefaultLearnerRetention.
	Learners time.Duration
	// Deliveries is how long a delivered webhook event is kept after its
	// delivery. Default DefaultDeliveryRetention.
	Deliveries time.Duration
	// Undelivered is how long a webhook event that was never delivered,
	// still pending or dead (parked after its last attempt), is kept
	// after it occurred. It bounds how long a body naming a learner (a
	// session summary, a learner.deleted receipt) survives when the
	// partner's endpoint is gone, refuses it, or no dispatcher runs. Keep
	// it longer than the webhook dispatcher's MaxAge (72 hours by
	// default), or events still being retried are deleted. Default
	// DefaultUndeliveredRetention.
	Undelivered time.Duration
}

// Retention defaults and purge settings.
const (
	// DefaultSessionRetention keeps ended sessions for 365 days.
	DefaultSessionRetention = 365 * 24 * time.Hour
	// DefaultLearnerRetention keeps learners without sessions for 30 days
	// after their last launch.
	DefaultLearnerRetention = 30 * 24 * time.Hour
	// DefaultDeliveryRetention keeps delivered webhook events for 7 days.
	DefaultDeliveryRetention = 7 * 24 * time.Hour
	// DefaultUndeliveredRetention keeps webhook events that were never
	// delivered (pending or dead) for 30 days after they occurred.
	DefaultUndeliveredRetention = 30 * 24 * time.Hour
	// DefaultPurgeBatch is how many rows one purge statement deletes.
	DefaultPurgeBatch = 500
	// DefaultPurgeInterval is how often [Service.Run] sweeps and purges.
	DefaultPurgeInterval = time.Hour
)

// PurgeKind names what a [PurgeQuery] deletes.
type PurgeKind string

// Purge kinds.
const (
	// PurgeSessions deletes sessions in a terminal status (completed,
	// abandoned, voided) whose EndedAt is before the cutoff, with their
	// outbox events and one-time launch codes, and adds them to their
	// learner's [PurgedAttempts].
	PurgeSessions PurgeKind = "sessions"
	// PurgeLearners deletes learners with no session whose LastSeenAt is
	// before the cutoff, with their [PurgedAttempts].
	PurgeLearners PurgeKind = "learners"
	// PurgeDeliveries deletes outbox events delivered before the cutoff.
	PurgeDeliveries PurgeKind = "deliveries"
	// PurgeUndelivered deletes outbox events not delivered (pending or
	// dead) whose OccurredAt is before the cutoff, leased or not.
	PurgeUndelivered PurgeKind = "undelivered"
	// PurgeTokens deletes consumed launch token ids whose ExpiresAt is
	// before the cutoff.
	PurgeTokens PurgeKind = "tokens"
	// PurgeCodes deletes one-time launch codes that expired before the
	// cutoff.
	PurgeCodes PurgeKind = "codes"
	// PurgeFlows deletes single sign-on flows (package launch/oidc) that
	// expired before the cutoff: sign-ins abandoned before their
	// callback.
	PurgeFlows PurgeKind = "flows"
)

// PurgeQuery selects one batch of old rows for
// [RetentionStore.PurgeBatch].
type PurgeQuery struct {
	// Kind is what to delete.
	Kind PurgeKind
	// PartnerID narrows to one partner; empty means every partner.
	PartnerID string
	// Before is the exclusive cutoff.
	Before time.Time
	// Limit caps the rows (sessions, learners, events, tokens, codes)
	// deleted; it is positive.
	Limit int
}

// RetentionStore is an optional capability of a [Store]: deleting data
// past its retention period in bounded batches. Every adapter of this
// module implements it.
type RetentionStore interface {
	// RetentionPartners returns the ids of the partners that have
	// learners, sessions or outbox events, sorted.
	RetentionPartners(ctx context.Context) ([]string, error)
	// PurgeBatch deletes at most q.Limit rows of q.Kind older than
	// q.Before in one transaction and returns how many it deleted. An
	// unknown kind deletes nothing.
	PurgeBatch(ctx context.Context, q PurgeQuery) (int, error)
}

// PurgeResult counts what [Service.Purge] deleted.
type PurgeResult struct {
	// Sessions counts ended sessions past retention.
	Sessions int
	// Learners counts learners without sessions past retention.
	Learners int
	// Deliveries counts delivered webhook events past retention.
	Deliveries int
	// Undelivered counts pending or dead webhook events past retention.
	Undelivered int
	// Tokens counts consumed launch token ids past their grace.
	Tokens int
	// Codes counts expired one-time launch codes.
	Codes int
	// Flows counts expired single sign-on flows.
	Flows int
}

// Purge deletes, for each partner with the retention of its [Policy],
// sessions ended longer than Retention.Sessions ago, then learners without
// sessions unseen for Retention.Learners, webhook events delivered longer
// than Retention.Deliveries ago and webhook events never delivered
// (pending or dead) that occurred longer than Retention.Undelivered ago;
// then, for every partner, consumed token ids expired for longer than
// TokenGrace, expired one-time codes and expired sign-in flows.
// It deletes in batches of PurgeBatch rows, each its own transaction, so
// it never holds long locks; it is safe to run from several processes. It
// returns ErrUnsupported when the store is not a [RetentionStore].
func (s *Service) Purge(ctx context.Context) (PurgeResult, error) {
	var res PurgeResult
	st, ok := s.Store.(RetentionStore)
	if !ok {
		return res, fmt.Errorf("session: purge: %w", ErrUnsupported)
	}

	partners, err := st.RetentionPartners(ctx)
	if err != nil {
		return res, fmt.Errorf("session: purge: %w", err)
	}

	now := s.now()
	for _, partnerID := range partners {
		if err := s.purgePartner(ctx, st, partnerID, now, &res); err != nil {
			return res, err
		}
	}

	grace := orDefault(s.TokenGrace, DefaultTokenGrace)
	if res.Tokens, err = s.purgeAll(ctx, st, PurgeQuery{Kind: PurgeTokens,
		Before: now.Add(-grace)}); err != nil {
		return res, err
	}

	if res.Codes, err = s.purgeAll(ctx, st, PurgeQuery{Kind: PurgeCodes,
		Before: now}); err != nil {
		return res, err
	}

	res.Flows, err = s.purgeAll(ctx, st, PurgeQuery{Kind: PurgeFlows, Before: now})
	return res, err
}

func (s *Service) purgePartner(
	ctx context.Context, st RetentionStore, partnerID string, now time.Time, res *PurgeResult,
) error {
	pol, err := s.policy(ctx, partnerID)
	if err != nil {
		return err
	}

	r := pol.Retention
	steps := []struct {
		kind   PurgeKind
		period time.Duration
		count  *int
	}{
		{PurgeSessions, orDefault(r.Sessions, DefaultSessionRetention), &res.Sessions},
		{PurgeLearners, orDefault(r.Learners, DefaultLearnerRetention), &res.Learners},
		{PurgeDeliveries, orDefault(r.Deliveries, DefaultDeliveryRetention), &res.Deliveries},
		{PurgeUndelivered, orDefault(r.Undelivered, DefaultUndeliveredRetention),
			&res.Undelivered},
	}
	for _, step := range steps {
		q := PurgeQuery{Kind: step.kind, PartnerID: partnerID, Before: now.Add(-step.period)}
		n, err := s.purgeAll(ctx, st, q)
		*step.count += n
		if err != nil {
			return err
		}
	}

	return nil
}

// purgeAll runs q batch by batch until a batch comes back short.
func (s *Service) purgeAll(ctx context.Context, st RetentionStore, q PurgeQuery) (int, error) {
	q.Limit = s.PurgeBatch
	if q.Limit <= 0 {
		q.Limit = DefaultPurgeBatch
	}

	total := 0
	for {
		n, err := st.PurgeBatch(ctx, q)
		total += n
		if err != nil {
			return total, fmt.Errorf("session: purge %s: %w", q.Kind, err)
		}

		if n < q.Limit {
			return total, nil
		}
	}
}

// Run calls Sweep and, when the store is a [RetentionStore], Purge at once
// and then every PurgeInterval until ctx is done, and returns ctx's error.
// Failures are logged and retried at the next tick; only counts are
// logged.
func (s *Service) Run(ctx context.Context) error {
	every := orDefault(s.PurgeInterval, DefaultPurgeInterval)
	ticker := time.NewTicker(every)
	defer ticker.Stop()

	for {
		s.runOnce(ctx)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ticker.C:
		}
	}
}

// runOnce sweeps and purges once, logging the counts.
func (s *Service) runOnce(ctx context.Context) {
	log := s.logger()
	swept, err := s.Sweep(ctx)
	if err != nil && ctx.Err() == nil {
		log.ErrorContext(ctx, "session: sweep failed", "error", err)
	}

	log.Log(ctx, countLevel(swept.Abandoned+swept.Voided+swept.TokensPurged),
		"session: sweep", "abandoned", swept.Abandoned, "voided", swept.Voided,
		"tokens", swept.TokensPurged)
	if _, ok := s.Store.(RetentionStore); !ok {
		return
	}

	purged, err := s.Purge(ctx)
	if err != nil && ctx.Err() == nil {
		log.ErrorContext(ctx, "session: purge failed", "error", err)
	}

	total := purged.Sessions + purged.Learners + purged.Deliveries + purged.Undelivered +
		purged.Tokens + purged.Codes + purged.Flows
	log.Log(ctx, countLevel(total), "session: purge", "sessions", purged.Sessions,
		"learners", purged.Learners, "deliveries", purged.Deliveries,
		"undelivered", purged.Undelivered, "tokens", purged.Tokens,
		"codes", purged.Codes, "flows", purged.Flows)
}

// countLevel is the level of a periodic count record: Info when something
// was done, Debug when every count is zero, so an idle host stays quiet.
func countLevel(n int) slog.Level {
	if n == 0 {
		return slog.LevelDebug
	}

	return slog.LevelInfo
}
