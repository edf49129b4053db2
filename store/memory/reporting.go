package memory

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/virtualaipatient/integration/reporting"
	"github.com/virtualaipatient/integration/reporting/analytics"
	"github.com/virtualaipatient/integration/session"
)

var (
	_ reporting.ChangeLister    = (*Store)(nil)
	_ reporting.Catalog         = (*Store)(nil)
	_ reporting.AnalyticsSource = (*Store)(nil)
)

// stampChange records that the session was written now, undone with the
// transaction.
func (tx *txn) stampChange(k key) {
	setMap(tx, tx.d.changed, k, tx.d.now().UTC())
}

// ListChangedSessions implements [reporting.ChangeLister]. Change times
// come from the store's clock (see [WithClock]), taken when a session is
// inserted or updated inside the store's lock, so they follow commit order
// and q.Settle needs no clock of its own: it is ignored. Previews are left
// out unless q.IncludePreviews is set; anonymised sessions always are.
func (s *Store) ListChangedSessions(ctx context.Context, partnerID string,
	q reporting.ChangeQuery) ([]reporting.ChangedSession, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	var out []reporting.ChangedSession
	err := s.read(func(tx *txn) error {
		for k, ss := range tx.d.sessions {
			at := tx.d.changed[k]
			if k.partner == partnerID && changeMatches(q, ss, at) {
				out = append(out, reporting.ChangedSession{Session: ss, ChangedAt: at})
			}
		}

		slices.SortFunc(out, func(a, b reporting.ChangedSession) int {
			return cmp.Or(a.ChangedAt.Compare(b.ChangedAt), cmp.Compare(a.Session.ID, b.Session.ID))
		})
		out = out[:min(len(out), max(q.Limit, 0))]

		for i := range out {
			cp, err := copySession(out[i].Session)
			if err != nil {
				return err
			}

			out[i].Session = cp
		}

		return nil
	})

	return out, err
}

func changeMatches(q reporting.ChangeQuery, s session.Session, at time.Time) bool {
	if q.CohortID != "" && s.CohortID != q.CohortID {
		return false
	}

	if s.Anonymised() || (s.Preview && !q.IncludePreviews) {
		return false
	}

	if at.Before(q.Since) || !at.Before(q.Before) {
		return false
	}

	if q.After == nil {
		return true
	}

	c := at.Compare(q.After.ChangedAt)

	return c > 0 || (c == 0 && s.ID > q.After.SessionID)
}

// ListCases implements [reporting.Catalog].
func (s *Store) ListCases(ctx context.Context) ([]session.Case, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	var out []session.Case
	_ = s.read(func(tx *txn) error {
		for _, c := range tx.d.cases {
			out = append(out, copyCase(c))
		}

		return nil
	})
	slices.SortFunc(out, func(a, b session.Case) int { return cmp.Compare(a.ID, b.ID) })

	return out, nil
}

// ListCaseSets implements [reporting.Catalog].
func (s *Store) ListCaseSets(ctx context.Context) ([]session.CaseSet, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	var out []session.CaseSet
	_ = s.read(func(tx *txn) error {
		for _, c := range tx.d.sets {
			out = append(out, copyCaseSet(c))
		}

		return nil
	})
	slices.SortFunc(out, func(a, b session.CaseSet) int { return cmp.Compare(a.ID, b.ID) })

	return out, nil
}

// CohortAnalytics implements [reporting.AnalyticsSource] with the
// reference computation, [analytics.Compute], over the facts of the
// partner's sessions in the cohort.
func (s *Store) CohortAnalytics(ctx context.Context, partnerID string,
	q analytics.Query) (analytics.Report, error) {
	if err := ctx.Err(); err != nil {
		return analytics.Report{}, err
	}

	var facts []analytics.Fact
	_ = s.read(func(tx *txn) error {
		for k, ss := range tx.d.sessions {
			if k.partner == partnerID && ss.CohortID == q.CohortID {
				facts = append(facts, analytics.FactOf(ss))
			}
		}

		return nil
	})

	return analytics.Compute(q, facts)
}
