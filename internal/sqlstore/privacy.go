package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/virtualaipatient/integration/session"
)

var (
	_ session.LearnerEraser  = (*ops)(nil)
	_ session.RetentionStore = (*Store)(nil)
)

// EraseLearner implements [session.LearnerEraser] with a handful of
// statements on the transaction, in an order that makes it safe against
// concurrent launches and session changes at PostgreSQL's READ COMMITTED:
//
//  1. Delete the learner row first (DELETE ... RETURNING). A launch that
//     upserted the row holds its lock until it commits, so the deletion
//     waits for it and every later statement, which takes a new snapshot,
//     sees that launch's session. A launch that comes after the deletion
//     took the lock waits for it and then inserts a fresh learner.
//  2. Delete (or, to anonymise, update) the sessions, again taking their
//     row locks before anything else about them is read, so that a
//     concurrent change's outbox events are committed and visible, or
//     that change fails once the session is gone.
//  3. Delete the sessions' launch codes and outbox events.
//
// SQLite runs write transactions one at a time, so there the order only
// has to be right within the transaction.
func (o *ops) EraseLearner(ctx context.Context, partnerID, subject string,
	p session.ErasePolicy) (session.Erasure, error) {
	var er session.Erasure
	if p.KeepAnonymousAggregates && p.Tombstone == "" {
		return er, o.d.wrap("erase learner: no tombstone", session.ErrInvalid)
	}

	err := o.q.QueryRowContext(ctx, `DELETE FROM learners
		WHERE partner_id = $1 AND subject = $2 RETURNING id`,
		partnerID, subject).Scan(&er.LearnerID)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return er, o.d.wrap("erase learner", err)
	default:
		er.Counts.Learners = 1
	}

	sessionLearner, err := o.lockLearnerSessions(ctx, partnerID, subject, p, &er)
	if err != nil {
		return er, err
	}

	if er.LearnerID == "" {
		er.LearnerID = sessionLearner
	}

	return er, o.eraseSessions(ctx, partnerID, p, &er)
}

// lockLearnerSessions deletes the sessions whose learner is er.LearnerID
// or whose partner user id is subject or, to keep them anonymised, clears
// their partner user id. It fills er.SessionIDs, sorted, and returns the
// learner id of the first one.
func (o *ops) lockLearnerSessions(ctx context.Context, partnerID, subject string,
	p session.ErasePolicy, er *session.Erasure) (string, error) {
	stmt := `DELETE FROM sessions`
	if p.KeepAnonymousAggregates {
		stmt = `UPDATE sessions SET partner_user_id = ''`
	}

	rows, err := o.q.QueryContext(ctx, stmt+`
		WHERE partner_id = $1 AND (learner_id = $2 OR partner_user_id = $3)
		RETURNING id, learner_id`, partnerID, er.LearnerID, subject)
	if err != nil {
		return "", o.d.wrap("erase learner: sessions", err)
	}
	defer rows.Close()

	learners := map[string]string{}
	for rows.Next() {
		var id, learner string
		if err := rows.Scan(&id, &learner); err != nil {
			return "", o.d.wrap("erase learner: sessions", err)
		}

		learners[id] = learner
		er.SessionIDs = append(er.SessionIDs, id)
	}

	if err := rows.Err(); err != nil {
		return "", o.d.wrap("erase learner: sessions", err)
	}

	if len(er.SessionIDs) == 0 {
		return "", nil
	}

	slices.Sort(er.SessionIDs)
	return learners[er.SessionIDs[0]], nil
}

// eraseSessions deletes the codes and outbox events of er.SessionIDs,
// counts the sessions deleted, or anonymises the sessions kept.
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
		er.Counts.SessionsDeleted = len(er.SessionIDs)
		return nil
	}

	return o.anonymiseSessions(ctx, partnerID, p.Tombstone, er)
}

// anonymiseSessions gives each session a new id and the tombstone learner
// (lockLearnerSessions cleared the partner user id). The change time is
// left alone.
func (o *ops) anonymiseSessions(ctx context.Context, partnerID, tombstone string,
	er *session.Erasure) error {
	for _, id := range er.SessionIDs {
		n, err := o.exec(ctx, "erase learner: anonymise", nil, `UPDATE sessions
			SET id = $1, learner_id = $2
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
		// The outer conditions repeat the inner ones: PostgreSQL rechecks
		// only them on a row that a concurrent launch updated and
		// committed meanwhile, and that launch moved last_seen_at.
		return `DELETE FROM learners WHERE (partner_id, id) IN (
			SELECT l.partner_id, l.id FROM learners l
			WHERE l.last_seen_at < $1` + partner("l.") + ` AND NOT EXISTS (
				SELECT 1 FROM sessions s
				WHERE s.partner_id = l.partner_id AND s.learner_id = l.id)
			ORDER BY l.last_seen_at, l.id LIMIT $2)
			AND last_seen_at < $1 AND NOT EXISTS (SELECT 1 FROM sessions s
				WHERE s.partner_id = learners.partner_id AND s.learner_id = learners.id)`
	case session.PurgeDeliveries:
		return `DELETE FROM webhook_outbox WHERE seq IN (
			SELECT seq FROM webhook_outbox
			WHERE delivered_at IS NOT NULL AND delivered_at < $1` + partner("") + `
			ORDER BY seq LIMIT $2)`
	case session.PurgeUndelivered:
		return `DELETE FROM webhook_outbox WHERE seq IN (
			SELECT seq FROM webhook_outbox
			WHERE delivered_at IS NULL AND occurred_at < $1` + partner("") + `
			ORDER BY seq LIMIT $2)`
	case session.PurgeFlows:
		return `DELETE FROM oidc_flows WHERE state_key IN (
			SELECT state_key FROM oidc_flows
			WHERE expires_at < $1` + partner("") + `
			ORDER BY expires_at, state_key LIMIT $2)`
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
// outbox events, in one transaction, and adds them to their learners'
// purged attempts. The sessions' learners are locked first, so that a
// concurrent launch sees the purge whole or not at all. The sessions are
// deleted next, their end rechecked under the row lock, so that an event a
// concurrent change (a regrade) committed is deleted too, or that change
// fails.
func (s *Store) purgeSessions(ctx context.Context, q session.PurgeQuery) (int, error) {
	n := 0
	err := s.WithTx(ctx, func(tx session.Tx) error {
		o, _ := tx.(*ops)
		ids, err := o.endedSessions(ctx, q)
		if err != nil || len(ids) == 0 {
			return err
		}

		if err := o.lockSessionLearners(ctx, ids); err != nil {
			return err
		}

		gone, err := o.deleteEnded(ctx, q.Before, ids)
		if err != nil || len(gone) == 0 {
			return err
		}

		n = len(gone)
		ids = ids[:0]
		for _, p := range gone {
			ids = append(ids, p.id)
		}

		args, list := marks(nil, ids)
		for _, table := range []string{"launch_codes", "webhook_outbox"} {
			if _, err := o.exec(ctx, "purge sessions", nil, `DELETE FROM `+table+
				` WHERE session_id IN (`+list+`)`, args...); err != nil {
				return err
			}
		}

		return o.keepPurged(ctx, gone)
	})

	return n, err
}

// deleteEnded deletes the sessions ids that are still ended before the
// cutoff and returns what the purge keeps of them.
func (o *ops) deleteEnded(ctx context.Context, before time.Time, ids []string) (
	[]purgedSession, error) {
	args, list := marks([]any{o.d.time(before)}, ids)
	rows, err := o.q.QueryContext(ctx, `DELETE FROM sessions
		WHERE status IN ('completed', 'abandoned', 'voided') AND ended_at < $1
		AND id IN (`+list+`) RETURNING `+purgedColumns, args...)
	if err != nil {
		return nil, o.d.wrap("purge sessions", err)
	}
	defer rows.Close()

	var gone []purgedSession
	for rows.Next() {
		p, err := scanPurged(rows)
		if err != nil {
			return nil, o.d.wrap("purge sessions", err)
		}

		gone = append(gone, p)
	}

	if err := rows.Err(); err != nil {
		return nil, o.d.wrap("purge sessions", err)
	}

	return gone, nil
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

	return o.returnIDs(ctx, query, args...)
}

// returnIDs runs a query whose rows are one id each and returns the ids.
func (o *ops) returnIDs(ctx context.Context, query string, args ...any) ([]string, error) {
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
