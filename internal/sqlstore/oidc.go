package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/virtualaipatient/integration/launch/oidc"
)

// SaveFlow stores a single sign-on flow under the hash of its state; see
// [oidc.FlowStore].
func (s *Store) SaveFlow(ctx context.Context, f oidc.Flow) error {
	_, err := s.q.ExecContext(ctx, `INSERT INTO oidc_flows
		(state_key, partner_id, nonce, verifier, cohort_id, case_id, case_set_id, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		oidc.StateKey(f.State), f.PartnerID, f.Nonce, f.Verifier,
		f.Target.CohortID, f.Target.CaseID, f.Target.CaseSetID, s.d.time(f.ExpiresAt))
	if err != nil {
		return s.d.wrap("save flow", err)
	}

	return nil
}

// TakeFlow deletes the flow of state and returns it, in one statement, so
// that of two concurrent calls at most one gets it. It returns an error
// wrapping oidc.ErrFlowNotFound when the flow is unknown, taken or expired
// at now.
func (s *Store) TakeFlow(ctx context.Context, state string, now time.Time) (oidc.Flow, error) {
	f := oidc.Flow{State: state}
	err := s.q.QueryRowContext(ctx, `DELETE FROM oidc_flows WHERE state_key = $1
		RETURNING partner_id, nonce, verifier, cohort_id, case_id, case_set_id, expires_at`,
		oidc.StateKey(state)).Scan(&f.PartnerID, &f.Nonce, &f.Verifier,
		&f.Target.CohortID, &f.Target.CaseID, &f.Target.CaseSetID, timeCol{&f.ExpiresAt})
	if errors.Is(err, sql.ErrNoRows) {
		return oidc.Flow{}, fmt.Errorf("%s: take flow: %w", s.d.Name, oidc.ErrFlowNotFound)
	}

	if err != nil {
		return oidc.Flow{}, s.d.wrap("take flow", err)
	}

	if !now.Before(f.ExpiresAt) {
		return oidc.Flow{}, fmt.Errorf("%s: take flow: %w", s.d.Name, oidc.ErrFlowNotFound)
	}

	return f, nil
}

// PurgeFlows deletes flows that expired before t, abandoned sign-ins
// included, and returns how many it deleted.
func (s *Store) PurgeFlows(ctx context.Context, before time.Time) (int, error) {
	res, err := s.q.ExecContext(ctx, `DELETE FROM oidc_flows WHERE expires_at < $1`,
		s.d.time(before))
	if err != nil {
		return 0, s.d.wrap("purge flows", err)
	}

	n, err := res.RowsAffected()
	if err != nil {
		return 0, s.d.wrap("purge flows", err)
	}

	return int(n), nil
}
