package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/virtualaipatient/integration/session"
)

// LockSkipLocked is the row lock PostgreSQL adds to the claim's SELECT, so
// that concurrent dispatchers skip rows another is claiming instead of
// waiting for them.
const LockSkipLocked = "FOR UPDATE SKIP LOCKED"

// Deliveries is the webhook delivery state of the outbox table: claiming
// due events under a lease, recording attempts, listing and replaying dead
// events. It implements reporting/webhook.DeliveryStore.
type Deliveries struct {
	db   *sql.DB
	d    *Dialect
	lock string
}

// NewDeliveries returns the delivery store on db. rowLock is appended to
// the claim's SELECT: [LockSkipLocked] for PostgreSQL, "" for SQLite,
// whose transactions (BEGIN IMMEDIATE) lock the database.
func NewDeliveries(db *sql.DB, d *Dialect, rowLock string) *Deliveries {
	return &Deliveries{db: db, d: d, lock: rowLock}
}

const deliveryColumns = `seq, id, type, partner_id, stream, session_id, revision,
	occurred_at, payload, attempts, next_attempt_at, lease_owner, lease_until,
	delivered_at, dead_at, last_attempt_at, last_status, last_error`

func scanDelivery(row interface{ Scan(...any) error }) (session.Delivery, error) {
	var (
		d session.Delivery
		e = &d.Event
	)
	err := row.Scan(&e.Seq, &e.ID, &e.Type, &e.PartnerID, &e.Stream, &e.SessionID,
		&e.Revision, timeCol{&e.OccurredAt}, &e.Payload, &d.Attempts,
		timeCol{&d.NextAttemptAt}, &d.LeaseOwner, timeCol{&d.LeaseUntil},
		timeCol{&d.DeliveredAt}, timeCol{&d.DeadAt}, timeCol{&d.LastAttemptAt},
		&d.LastStatus, &d.LastError)

	return d, err
}

// marks returns "$n, $n+1, …" for the values, appending them to args.
func marks(args []any, values []string) ([]any, string) {
	list := make([]string, 0, len(values))
	for _, v := range values {
		args = append(args, v)
		list = append(list, "$"+strconv.Itoa(len(args)))
	}

	return args, strings.Join(list, ", ")
}

// ClaimDeliveries leases up to q.Limit due events of q.Partners in one
// transaction, in Seq order, skipping any event with an earlier event of
// its stream neither delivered nor dead. Attempts is incremented.
func (s *Deliveries) ClaimDeliveries(ctx context.Context, q session.ClaimQuery) (
	[]session.Delivery, error) {
	if q.Limit <= 0 || len(q.Partners) == 0 || q.Owner == "" {
		return nil, nil
	}

	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, s.d.wrap("claim deliveries", err)
	}
	defer func() { _ = tx.Rollback() }()

	list, err := s.claim(ctx, tx, q)
	if err != nil {
		return nil, s.d.wrap("claim deliveries", err)
	}

	if err := tx.Commit(); err != nil {
		return nil, s.d.wrap("claim deliveries", err)
	}

	return list, nil
}

func (s *Deliveries) claim(ctx context.Context, tx *sql.Tx, q session.ClaimQuery) (
	[]session.Delivery, error) {
	args, in := marks([]any{s.d.time(q.Now), q.Limit}, q.Partners)
	rows, err := tx.QueryContext(ctx, `SELECT `+deliveryColumns+` FROM webhook_outbox e
		WHERE e.delivered_at IS NULL AND e.dead_at IS NULL AND e.next_attempt_at <= $1
			AND (e.lease_until IS NULL OR e.lease_until <= $1)
			AND e.partner_id IN (`+in+`)
			AND NOT EXISTS (SELECT 1 FROM webhook_outbox p
				WHERE p.partner_id = e.partner_id AND p.stream = e.stream
					AND p.seq < e.seq AND p.delivered_at IS NULL AND p.dead_at IS NULL)
		ORDER BY e.seq LIMIT $2 `+s.lock, args...)
	if err != nil {
		return nil, err
	}

	list, err := collectDeliveries(rows)
	if err != nil {
		return nil, err
	}

	until := q.LeaseUntil.UTC().Truncate(time.Microsecond)
	for i := range list {
		_, err := tx.ExecContext(ctx, `UPDATE webhook_outbox
			SET lease_owner = $1, lease_until = $2, attempts = attempts + 1 WHERE seq = $3`,
			q.Owner, s.d.time(until), list[i].Event.Seq)
		if err != nil {
			return nil, err
		}

		list[i].LeaseOwner, list[i].LeaseUntil = q.Owner, until
		list[i].Attempts++
	}

	return list, nil
}

func collectDeliveries(rows *sql.Rows) ([]session.Delivery, error) {
	defer rows.Close()

	var list []session.Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, err
		}

		list = append(list, d)
	}

	return list, rows.Err()
}

// RecordAttempt stores the end of an attempt and releases the lease. It
// returns ErrNotFound for an unknown event and ErrLeaseLost when r.Owner no
// longer holds it.
func (s *Deliveries) RecordAttempt(ctx context.Context, r session.AttemptResult) error {
	var delivered, dead, next any
	switch {
	case r.Delivered:
		delivered = s.d.time(r.At)
	case r.Dead:
		dead = s.d.time(r.At)
	default:
		next = s.d.time(r.NextAttemptAt)
	}

	res, err := s.db.ExecContext(ctx, `UPDATE webhook_outbox SET
			lease_owner = '', lease_until = NULL, last_attempt_at = $3, last_status = $4,
			last_error = $5, delivered_at = $6, dead_at = $7,
			next_attempt_at = COALESCE($8, next_attempt_at)
		WHERE id = $1 AND lease_owner = $2 AND lease_owner <> '' AND delivered_at IS NULL`,
		r.EventID, r.Owner, s.d.time(r.At), r.Status, r.Error, delivered, dead, next)
	if err != nil {
		return s.d.wrap("record attempt", err)
	}

	n, err := res.RowsAffected()
	if err != nil {
		return s.d.wrap("record attempt", err)
	}

	if n == 1 {
		return nil
	}

	return s.missOrLost(ctx, "record attempt", r.EventID)
}

// ReleaseClaim gives back a claim that was not started, in one UPDATE:
// when owner still holds the event's lease ending at leaseUntil and the
// event is neither delivered nor dead, it clears the lease and takes back
// the attempt the claim counted. It returns ErrNotFound for an unknown
// event and ErrLeaseLost otherwise.
func (s *Deliveries) ReleaseClaim(ctx context.Context, eventID, owner string,
	leaseUntil time.Time) error {
	const op = "release claim"
	if owner == "" || leaseUntil.IsZero() {
		return s.missOrLost(ctx, op, eventID)
	}

	n, err := s.count(ctx, op, `UPDATE webhook_outbox SET lease_owner = '', lease_until = NULL,
			attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END
		WHERE id = $1 AND lease_owner = $2 AND lease_until = $3
			AND delivered_at IS NULL AND dead_at IS NULL`,
		eventID, owner, s.d.time(leaseUntil))
	if err != nil || n == 1 {
		return err
	}

	return s.missOrLost(ctx, op, eventID)
}

// missOrLost returns, for an update of the event that changed no row,
// ErrNotFound when the event is unknown and ErrLeaseLost otherwise.
func (s *Deliveries) missOrLost(ctx context.Context, op, id string) error {
	var one int
	err := s.db.QueryRowContext(ctx, `SELECT 1 FROM webhook_outbox WHERE id = $1`, id).
		Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %s: %w", s.d.Name, op, session.ErrNotFound)
	}

	if err != nil {
		return s.d.wrap(op, err)
	}

	return fmt.Errorf("%s: %s: %w", s.d.Name, op, session.ErrLeaseLost)
}

// ListDeadDeliveries returns dead events in Seq order.
func (s *Deliveries) ListDeadDeliveries(ctx context.Context, q session.DeadQuery) (
	[]session.Delivery, error) {
	args := []any{q.AfterSeq}
	query := `SELECT ` + deliveryColumns + ` FROM webhook_outbox
		WHERE dead_at IS NOT NULL AND seq > $1`
	if q.PartnerID != "" {
		args = append(args, q.PartnerID)
		query += ` AND partner_id = $2`
	}

	query += ` ORDER BY seq`
	if q.Limit > 0 {
		args = append(args, q.Limit)
		query += ` LIMIT $` + strconv.Itoa(len(args))
	}

	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, s.d.wrap("list dead deliveries", err)
	}

	list, err := collectDeliveries(rows)
	if err != nil {
		return nil, s.d.wrap("list dead deliveries", err)
	}

	return list, nil
}

// ReplayDeliveries makes the dead events among ids due at now with their
// attempts reset, and returns how many it revived.
func (s *Deliveries) ReplayDeliveries(ctx context.Context, ids []string, now time.Time) (
	int, error) {
	if len(ids) == 0 {
		return 0, nil
	}

	args, in := marks([]any{s.d.time(now)}, ids)
	return s.count(ctx, "replay deliveries", `UPDATE webhook_outbox SET dead_at = NULL,
			attempts = 0, next_attempt_at = $1, lease_owner = '', lease_until = NULL
		WHERE dead_at IS NOT NULL AND id IN (`+in+`)`, args...)
}

// PurgeDelivered deletes events delivered before the time and returns how
// many it deleted.
func (s *Deliveries) PurgeDelivered(ctx context.Context, before time.Time) (int, error) {
	return s.count(ctx, "purge deliveries", `DELETE FROM webhook_outbox
		WHERE delivered_at IS NOT NULL AND delivered_at < $1`, s.d.time(before))
}

func (s *Deliveries) count(ctx context.Context, op, query string, args ...any) (int, error) {
	res, err := s.db.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, s.d.wrap(op, err)
	}

	n, err := res.RowsAffected()
	if err != nil {
		return 0, s.d.wrap(op, err)
	}

	return int(n), nil
}
