package session

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
)

// Policy is a partner's choices about launches. The zero value allows
// ad-hoc launches and stores no names.
type Policy struct {
	// AdHocDisabled rejects launches of a case or case set not assigned
	// to the cohort (ErrNotAssigned). By default such a launch creates a
	// practice assignment on the fly.
	AdHocDisabled bool
	// StoreLearnerNames keeps the launch's display name with the learner.
	// By default no name is stored.
	StoreLearnerNames bool
	// KeepAnonymousAggregates makes [Service.DeleteLearner] keep the
	// learner's sessions for cohort analytics, anonymised: a new session
	// id, the partner user id cleared and the learner replaced by a
	// random tombstone id. By default the sessions are deleted.
	KeepAnonymousAggregates bool
	// Retention says how long the partner's data is kept; see
	// [Service.Purge].
	Retention Retention
}

// PolicySource gives each partner's [Policy].
type PolicySource interface {
	// Policy returns the partner's policy. An unknown partner gets the
	// zero Policy and a nil error.
	Policy(ctx context.Context, partnerID string) (Policy, error)
}

// StaticPolicies is a [PolicySource] from a map; partners missing from it
// get the zero Policy.
type StaticPolicies map[string]Policy

// Policy returns the partner's entry, or the zero Policy.
func (p StaticPolicies) Policy(_ context.Context, partnerID string) (Policy, error) {
	return p[partnerID], nil
}

// Defaults of the [Service] fields.
const (
	// DefaultInactivityTimeout is the idle time after which Sweep abandons
	// an in-progress or suspended session.
	DefaultInactivityTimeout = 30 * time.Minute
	// DefaultUnusedTimeout is the time after which Sweep voids a session
	// that was launched but never started.
	DefaultUnusedTimeout = 24 * time.Hour
	// DefaultTokenGrace is how long a consumed token is still remembered
	// after its record's ExpiresAt (exp plus launch.MaxLeeway) before
	// Sweep or Purge forgets it.
	DefaultTokenGrace = 10 * time.Minute
	// DefaultRetries is how many times an operation is retried after
	// losing a race with a concurrent one.
	DefaultRetries = 8
	// DefaultSweepBatch is how many sessions Sweep loads at a time.
	DefaultSweepBatch = 200
)

// Service runs the catalog, assignments, launches and session lifecycle on
// a [Store]. Build it with [New] or as a literal; zero fields take the
// defaults documented on them. It is safe for concurrent use, and several
// Services (processes) may share one Store.
type Service struct {
	// Store holds all data. Required.
	Store Store
	// Now returns the current time; nil means time.Now. Times are stored
	// in UTC, truncated to microseconds.
	Now func() time.Time
	// Policies gives partners' policies; nil means the zero Policy for
	// every partner.
	Policies PolicySource
	// InactivityTimeout defaults to DefaultInactivityTimeout.
	InactivityTimeout time.Duration
	// UnusedTimeout defaults to DefaultUnusedTimeout.
	UnusedTimeout time.Duration
	// TokenGrace is how long a consumed launch token is remembered after
	// the ExpiresAt of its record, before Sweep or Purge forgets it.
	// Default DefaultTokenGrace. The record's ExpiresAt is the token's exp
	// plus launch.MaxLeeway (2 minutes), the longest clock leeway a
	// verifier grants, so even a tiny TokenGrace never forgets a token
	// that still verifies: a replay fails with launch.ErrReplayed until
	// at least exp + MaxLeeway.
	TokenGrace time.Duration
	// Retries defaults to DefaultRetries.
	Retries int
	// SweepBatch defaults to DefaultSweepBatch.
	SweepBatch int
	// Events builds the bodies of outbox events; nil means
	// [ThinEventEncoder]. Hosts sending webhooks set it to
	// reporting.WebhookEncoder for the full session summary.
	Events EventEncoder
	// OutboxDisabled stops writing outbox events. By default every session
	// change a partner must be told about appends its events to the outbox
	// in the change's transaction, when the store's transactions implement
	// [OutboxWriter].
	OutboxDisabled bool
	// PurgeBatch is how many rows Purge deletes per statement. Default
	// DefaultPurgeBatch.
	PurgeBatch int
	// PurgeInterval is how often Run sweeps and purges. Default
	// DefaultPurgeInterval.
	PurgeInterval time.Duration
	// Logger receives counts from Run and DeleteLearner; nil discards. No
	// name, token or partner user id is ever logged: a learner appears as
	// a keyed hash (see LogKey).
	Logger *slog.Logger
	// LogKey is the secret of the keyed hash (HMAC-SHA256, truncated) that
	// stands for a partner user id in logs. Empty means a random key per
	// process, so hashes correlate within one process only.
	LogKey []byte
}

// New returns a Service on the store with default settings.
func New(st Store) *Service {
	return &Service{Store: st}
}

var errNoStore = errors.New("session: service has no store")

func (s *Service) now() time.Time {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}

	return now().UTC().Truncate(time.Microsecond)
}

func (s *Service) retries() int {
	if s.Retries > 0 {
		return s.Retries
	}

	return DefaultRetries
}

func (s *Service) policy(ctx context.Context, partnerID string) (Policy, error) {
	if s.Policies == nil {
		return Policy{}, nil
	}

	p, err := s.Policies.Policy(ctx, partnerID)
	if err != nil {
		return Policy{}, fmt.Errorf("session: partner policy: %w", err)
	}

	return p, nil
}

func newID() string {
	return uuid.NewString()
}

// errRace marks an error as a lost race worth retrying.
var errRace = errors.New("session: lost a race")

// retryable reports whether err is a lost race the operation may retry.
func retryable(err error) bool {
	return errors.Is(err, ErrStaleRevision) || errors.Is(err, ErrAttemptTaken) ||
		errors.Is(err, errRace)
}

// inTx runs fn in a transaction, retrying the whole transaction when it
// lost a race. Every write of the service goes through here.
func (s *Service) inTx(ctx context.Context, fn func(tx Tx, now time.Time) error) error {
	if s.Store == nil {
		return errNoStore
	}

	for range s.retries() {
		now := s.now()
		err := s.Store.WithTx(ctx, func(tx Tx) error { return fn(tx, now) })
		if !retryable(err) {
			return err
		}
	}

	return ErrConflict
}

// errUnchanged makes update return the loaded session without writing.
var errUnchanged = errors.New("session: unchanged")

// update loads a session, lets change modify it and writes it back with
// the revision compare-and-swap, retrying from the load on conflict. The
// change function sees the current state on every try, so a transition is
// re-validated after a conflict.
func (s *Service) update(
	ctx context.Context, partnerID, id string,
	change func(tx Tx, ss *Session, now time.Time) error,
) (Session, bool, error) {
	var out Session
	var changed bool
	err := s.inTx(ctx, func(tx Tx, now time.Time) error {
		cur, err := tx.GetSession(ctx, partnerID, id)
		if err != nil {
			return fmt.Errorf("session: load: %w", err)
		}

		next := cur
		if err := change(tx, &next, now); err != nil {
			if errors.Is(err, errUnchanged) {
				out, changed = cur, false
				return nil
			}

			return err
		}

		next.Revision = cur.Revision + 1
		if err := tx.UpdateSession(ctx, next, cur.Revision); err != nil {
			return fmt.Errorf("session: update: %w", err)
		}

		if err := s.appendEvents(ctx, tx, cur, next, now); err != nil {
			return err
		}

		out, changed = next, true
		return nil
	})
	if err != nil {
		return Session{}, false, err
	}

	return out, changed, nil
}

// GetSession returns the partner's session, or ErrNotFound.
func (s *Service) GetSession(ctx context.Context, partnerID, id string) (Session, error) {
	if s.Store == nil {
		return Session{}, errNoStore
	}

	ss, err := s.Store.GetSession(ctx, partnerID, id)
	if err != nil {
		return Session{}, fmt.Errorf("session: get session: %w", err)
	}

	return ss, nil
}
