package memory

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/virtualaipatient/integration/launch"
	"github.com/virtualaipatient/integration/session"
)

// errTxDone is returned when a transaction is used after WithTx returned.
var errTxDone = errors.New("memory: transaction used after it ended")

type key struct{ partner, id string }

type versionKey struct {
	caseID       string
	major, minor int
}

type targetKey struct{ partner, cohort, caseID, caseSetID string }

type attemptKey struct {
	partner, learner, caseID string
	attempt                  int
}

type tokenKey struct{ issuer, tokenID string }

// data is the whole store. Every value in it is a private copy.
type data struct {
	cases       map[string]session.Case
	versions    map[versionKey]session.CaseVersion
	sets        map[string]session.CaseSet
	cohorts     map[key]session.Cohort
	assignments map[key]session.Assignment
	targets     map[targetKey]string
	learners    map[key]session.Learner
	subjects    map[key]string
	tokens      map[tokenKey]session.ConsumedToken
	sessions    map[key]session.Session
	attempts    map[attemptKey]string
	byLearner   map[key][]string
	purged      map[key][]session.PurgedAttempts
	outbox      *outbox // webhook events; see outbox.go
	flows       *flows  // sign-in flows; see oidc.go
	changed     map[key]time.Time
	now         func() time.Time
}

func newData() *data {
	return &data{
		cases:       map[string]session.Case{},
		versions:    map[versionKey]session.CaseVersion{},
		sets:        map[string]session.CaseSet{},
		cohorts:     map[key]session.Cohort{},
		assignments: map[key]session.Assignment{},
		targets:     map[targetKey]string{},
		learners:    map[key]session.Learner{},
		subjects:    map[key]string{},
		tokens:      map[tokenKey]session.ConsumedToken{},
		sessions:    map[key]session.Session{},
		attempts:    map[attemptKey]string{},
		byLearner:   map[key][]string{},
		purged:      map[key][]session.PurgedAttempts{},
		changed:     map[key]time.Time{},
		now:         time.Now,
	}
}

// txn is a view of the data. When undo is not nil it may write, recording
// how to undo each write.
type txn struct {
	d    *data
	undo []func()
	done bool
}

var _ session.Tx = (*txn)(nil)

func (tx *txn) check(ctx context.Context, write bool) error {
	if tx.done {
		return errTxDone
	}

	if write && tx.undo == nil {
		return errors.New("memory: write on a read-only view")
	}

	return ctx.Err()
}

func (tx *txn) rollback() {
	for i := len(tx.undo) - 1; i >= 0; i-- {
		tx.undo[i]()
	}

	tx.undo = tx.undo[:0]
}

// setMap stores v under k in m and records how to restore the old entry.
func setMap[K comparable, V any](tx *txn, m map[K]V, k K, v V) {
	old, had := m[k]
	m[k] = v
	tx.undo = append(tx.undo, func() {
		if had {
			m[k] = old
			return
		}

		delete(m, k)
	})
}

// deleteMap removes k from m and records how to restore it.
func deleteMap[K comparable, V any](tx *txn, m map[K]V, k K) {
	old, had := m[k]
	if !had {
		return
	}

	delete(m, k)
	tx.undo = append(tx.undo, func() { m[k] = old })
}

func notFound(what string) error {
	return fmt.Errorf("memory: %s: %w", what, session.ErrNotFound)
}

func (tx *txn) PutCase(ctx context.Context, c session.Case) error {
	if err := tx.check(ctx, true); err != nil {
		return err
	}

	setMap(tx, tx.d.cases, c.ID, copyCase(c))
	return nil
}

func (tx *txn) GetCase(ctx context.Context, id string) (session.Case, error) {
	if err := tx.check(ctx, false); err != nil {
		return session.Case{}, err
	}

	c, ok := tx.d.cases[id]
	if !ok {
		return session.Case{}, notFound("case")
	}

	return copyCase(c), nil
}

func (tx *txn) InsertCaseVersion(ctx context.Context, v session.CaseVersion) error {
	if err := tx.check(ctx, true); err != nil {
		return err
	}

	k := versionKey{v.CaseID, v.Major, v.Minor}
	if _, ok := tx.d.versions[k]; ok {
		return fmt.Errorf("memory: case version: %w", session.ErrAlreadyExists)
	}

	cp, err := copyVersion(v)
	if err != nil {
		return err
	}

	setMap(tx, tx.d.versions, k, cp)
	return nil
}

func (tx *txn) GetCaseVersion(
	ctx context.Context, caseID string, major, minor int,
) (session.CaseVersion, error) {
	if err := tx.check(ctx, false); err != nil {
		return session.CaseVersion{}, err
	}

	v, ok := tx.d.versions[versionKey{caseID, major, minor}]
	if !ok {
		return session.CaseVersion{}, notFound("case version")
	}

	return copyVersion(v)
}

func (tx *txn) LatestCaseVersion(ctx context.Context, caseID string) (session.CaseVersion, error) {
	if err := tx.check(ctx, false); err != nil {
		return session.CaseVersion{}, err
	}

	var best *session.CaseVersion
	for k, v := range tx.d.versions {
		if k.caseID != caseID {
			continue
		}

		if best == nil || compareVersions(v, *best) > 0 {
			best = &v
		}
	}

	if best == nil {
		return session.CaseVersion{}, notFound("case version")
	}

	return copyVersion(*best)
}

func compareVersions(a, b session.CaseVersion) int {
	return cmp.Or(cmp.Compare(a.Major, b.Major), cmp.Compare(a.Minor, b.Minor))
}

func (tx *txn) PutCaseSet(ctx context.Context, s session.CaseSet) error {
	if err := tx.check(ctx, true); err != nil {
		return err
	}

	setMap(tx, tx.d.sets, s.ID, copyCaseSet(s))
	return nil
}

func (tx *txn) GetCaseSet(ctx context.Context, id string) (session.CaseSet, error) {
	if err := tx.check(ctx, false); err != nil {
		return session.CaseSet{}, err
	}

	s, ok := tx.d.sets[id]
	if !ok {
		return session.CaseSet{}, notFound("case set")
	}

	return copyCaseSet(s), nil
}

func (tx *txn) PutCohort(ctx context.Context, c session.Cohort) error {
	if err := tx.check(ctx, true); err != nil {
		return err
	}

	setMap(tx, tx.d.cohorts, key{c.PartnerID, c.ID}, copyCohort(c))
	return nil
}

func (tx *txn) GetCohort(ctx context.Context, partnerID, id string) (session.Cohort, error) {
	if err := tx.check(ctx, false); err != nil {
		return session.Cohort{}, err
	}

	c, ok := tx.d.cohorts[key{partnerID, id}]
	if !ok {
		return session.Cohort{}, notFound("cohort")
	}

	return copyCohort(c), nil
}

func (tx *txn) ConsumeToken(ctx context.Context, t session.ConsumedToken) error {
	if err := tx.check(ctx, true); err != nil {
		return err
	}

	k := tokenKey{t.Issuer, t.TokenID}
	if _, ok := tx.d.tokens[k]; ok {
		return fmt.Errorf("memory: consume token: %w", launch.ErrReplayed)
	}

	t.ExpiresAt, t.ConsumedAt = utc(t.ExpiresAt), utc(t.ConsumedAt)
	setMap(tx, tx.d.tokens, k, t)
	return nil
}

func (tx *txn) listIdle(q session.IdleQuery) ([]session.Session, error) {
	var out []session.Session
	for _, s := range tx.d.sessions {
		if slices.Contains(q.Statuses, s.Status) && s.LastActivityAt.Before(q.Before) {
			out = append(out, s)
		}
	}

	slices.SortFunc(out, func(a, b session.Session) int {
		return cmp.Or(a.LastActivityAt.Compare(b.LastActivityAt), cmp.Compare(a.ID, b.ID))
	})
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}

	return copySessions(out)
}
