package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strconv"

	"github.com/google/uuid"

	"github.com/virtualaipatient/integration/session"
)

var (
	_ session.LearnerEraser  = (*ops)(nil)
	_ session.RetentionStore = (*Store)(nil)
)

// EraseLearner implements [session.LearnerEraser] with a handful of
// statements on the transaction: find the learner and its sessions, delete
// their launch codes and outbox events, delete or anonymise the sessions,
// delete the learner.
func (o *ops) EraseLearner(ctx context.Context, partnerID, subject string,
	p session.ErasePolicy) (session.Erasure, error) {
	var er session.Erasure
	err := o.q.QueryRowContext(ctx, `SELECT id FROM learners
		WHERE partner_id = $1 AND subject = $2`, partnerID, subject).Scan(&er.LearnerID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return er, o.d.wrap("erase learner", err)
	}

	sessionLearner, err := o.learnerSessions(ctx, partnerID, er.LearnerID, subject, &er)
	if err != nil {
		return er, err
	}

	if er.LearnerID == "" {
		er.LearnerID = sessionLearner
	}

	if err := o.eraseSessions(ctx, partnerID, p, &er); err != nil {
		return er, err
	}

	n, err := o.exec(ctx, "erase learner", nil, `DELETE FROM learners
		WHERE partner_id = $1 AND subject = $2`, partnerID, subject)
	er.Counts.Learners = int(n)

	return er, err
}

// learnerSessions fills er.SessionIDs with the sessions of the learner or
// of the subject, and returns the learner id of the first one.
func (o *ops) learnerSessions(ctx context.Context, partnerID, learnerID, subject string,
	er *session.Erasure) (string, error) {
	rows, err := o.q.QueryContext(ctx, `SELECT id, learner_id FROM sessions
		WHERE partner_id = $1 AND (learner_id = $2 OR partner_user_id = $3)
		ORDER BY id`, partnerID, learnerID, subject)
	if err != nil {
		return "", o.d.wrap("erase learner: sessions", err)
	}
	defer rows.Close()

	first := ""
	for rows.Next() {
		var id, learner string
		if err := rows.Scan(&id, &learner); err != nil {
			return "", o.d.wrap("erase learner: sessions", err)
		}

		if first == "" {
			first = learner
		}

		er.SessionIDs = append(er.SessionIDs, id)
	}

	if err := rows.Err(); err != nil {
		return "", o.d.wrap("erase learner: sessions", err)
	}

	return first, nil
}

// eraseSessions deletes the codes and outbox events of er.SessionIDs and
// deletes or anonymises the sessions.
func (o *ops) eraseSessions(ctx context.Context, partnerID string, p session.ErasePolicy,
	er *session.Erasure) error {
	if len(er.SessionIDs) == 0 {
		return nil
	}

	args, list := marks([]any{partnerID}, er.SessionIDs)
	n, err := o.exec(ctx, "erase learner: codes", nil, `DELETE FROM launch_codes
		WHERE partner_id = $1 AND session_id IN (`+list+`)`, args...)
	if err != nil {
		return err
	}

	er.Counts.LaunchCodes = int(n)
	n, err = o.exec(ctx, "erase learner: outbox", nil, `DELETE FROM webhook_outbox
		WHERE partner_id = $1 AND session_id IN (`+list+`)`, args...)
	if err != nil {
		return err
	}

	er.Counts.OutboxEvents = int(n)
	if !p.KeepAnonymousAggregates {
		n, err = o.exec(ctx, "erase learner: sessions", nil, `DELETE FROM sessions
			WHERE partner_id = $1 AND id IN (`+list+`)`, args...)
		er.Counts.SessionsDeleted = int(n)
		return err
	}

	return o.anonymiseSessions(ctx, partnerID, p.Tombstone, er)
}

// anonymiseSessions gives each session a new id and the tombstone learner
// and clears its partner user id. The change time is left alone.
func (o *ops) anonymiseSessions(ctx context.Context, partnerID, tombstone string,
	er *session.Erasure) error {
	if tombstone == "" {
		return o.d.wrap("erase learner", session.ErrInvalid)
	}

	for _, id := range er.SessionIDs {
		n, err := o.exec(ctx, "erase learner: anonymise", nil, `UPDATE sessions
			SET id = $1, learner_id = $2, partner_user_id = ''
			WHERE partner_id = $3 AND id = $4`, uuid.NewString(), tombstone, partnerID, id)
		if err != nil {
			return err
		}

		er.Counts.SessionsAnonymised += int(n)
	}

	return nil
}

// RetentionPartners implements [session.RetentionStore].
func (s *Store) RetentionPartners(ctx context.Context) ([]string, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT partner_id FROM learners
		UNION SELECT partner_id FROM sessions
		UNION SELECT partner_id FROM webhook_outbox ORDER BY 1`)
	if err != nil {
		return nil, s.d.wrap("retention partners", err)
	}
	defer rows.Close()

	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, s.d.wrap("retention partners", err)
		}

		out = append(out, id)
	}

	if err := rows.Err(); err != nil {
		return nil, s.d.wrap("retention partners", err)
	}

	return out, nil
}

// purgeStatement returns, for each purge kind but sessions, the statement
// deleting one batch: $1 is the cutoff, $2 the limit, $3 the partner when
// the query has one.
func purgeStatement(kind session.PurgeKind, byPartner bool) string {
	partner := func(alias string) string {
		if !byPartner {
			return ""
		}

		return ` AND ` + alias + `partner_id = $3`
	}
	switch kind {
	case session.PurgeLearners:
		return `DELETE FROM learners WHERE (partner_id, id) IN (
			SELECT l.partner_id, l.id FROM learners l
			WHERE l.last_seen_at < $1` + partner("l.") + ` AND NOT EXISTS (
				SELECT 1 FROM sessions s
				WHERE s.partner_id = l.partner_id AND s.learner_id = l.id)
			ORDER BY l.last_seen_at, l.id LIMIT $2)`
	case session.PurgeDeliveries:
		return `DELETE FROM webhook_outbox WHERE seq IN (
			SELECT seq FROM webhook_outbox
			WHERE delivered_at IS NOT NULL AND delivered_at < $1` + partner("") + `
			ORDER BY seq LIMIT $2)`
	case session.PurgeTokens:
		return `DELETE FROM consumed_tokens WHERE (issuer, token_id) IN (
			SELECT issuer, token_id FROM consumed_tokens
			WHERE expires_at < $1` + partner("") + `
			ORDER BY expires_at, issuer, token_id LIMIT $2)`
	case session.PurgeCodes:
		return `DELETE FROM launch_codes WHERE code_hash IN (
			SELECT code_hash FROM launch_codes
			WHERE expires_at < $1` + partner("") + `
			ORDER BY expires_at, code_hash LIMIT $2)`
	}

	return ""
}

// PurgeBatch implements [session.RetentionStore].
func (s *Store) PurgeBatch(ctx context.Context, q session.PurgeQuery) (int, error) {
	if q.Limit <= 0 || q.Before.IsZero() {
		return 0, nil
	}

	if q.Kind == session.PurgeSessions {
		return s.purgeSessions(ctx, q)
	}

	stmt := purgeStatement(q.Kind, q.PartnerID != "")
	if stmt == "" {
		return 0, nil
	}

	args := []any{s.d.time(q.Before), q.Limit}
	if q.PartnerID != "" {
		args = append(args, q.PartnerID)
	}

	n, err := s.exec(ctx, "purge "+string(q.Kind), nil, stmt, args...)
	return int(n), err
}

// purgeSessions deletes one batch of ended sessions with their codes and
// outbox events, in one transaction.
func (s *Store) purgeSessions(ctx context.Context, q session.PurgeQuery) (int, error) {
	n := 0
	err := s.WithTx(ctx, func(tx session.Tx) error {
		o, _ := tx.(*ops)
		ids, err := o.endedSessions(ctx, q)
		if err != nil || len(ids) == 0 {
			return err
		}

		args, list := marks(nil, ids)
		for _, table := range []string{"launch_codes", "webhook_outbox"} {
			if _, err := o.exec(ctx, "purge sessions", nil, `DELETE FROM `+table+
				` WHERE session_id IN (`+list+`)`, args...); err != nil {
				return err
			}
		}

		deleted, err := o.exec(ctx, "purge sessions", nil,
			`DELETE FROM sessions WHERE id IN (`+list+`)`, args...)
		n = int(deleted)
		return err
	})

	return n, err
}

// endedSessions returns the ids of one batch of sessions to purge.
func (o *ops) endedSessions(ctx context.Context, q session.PurgeQuery) ([]string, error) {
	query := `SELECT id FROM sessions
		WHERE status IN ('completed', 'abandoned', 'voided') AND ended_at < $1`
	args := []any{o.d.time(q.Before)}
	if q.PartnerID != "" {
		args = append(args, q.PartnerID)
		query += ` AND partner_id = $2`
	}

	args = append(args, q.Limit)
	query += ` ORDER BY ended_at, id LIMIT $` + strconv.Itoa(len(args))
	rows, err := o.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, o.d.wrap("purge sessions", err)
	}
	defer rows.Close()

	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, o.d.wrap("purge sessions", err)
		}

		ids = append(ids, id)
	}

	if err := rows.Err(); err != nil {
		return nil, o.d.wrap("purge sessions", err)
	}

	return ids, nil
}
