package sqlstore

import (
	"database/sql"
	"fmt"
	"time"
)

// Names of the unique constraints of the schema. A [Dialect] reports a
// violation by one of these names.
const (
	// CaseVersionKey is the primary key (case_id, major, minor).
	CaseVersionKey = "case_versions_pkey"
	// AssignmentKey is the primary key (partner_id, id) of assignments.
	AssignmentKey = "assignments_pkey"
	// AssignmentTargetKey is (partner_id, cohort_id, case_id, case_set_id).
	AssignmentTargetKey = "assignments_target_key"
	// LearnerKey is the primary key (partner_id, id) of learners.
	LearnerKey = "learners_pkey"
	// LearnerSubjectKey is (partner_id, subject).
	LearnerSubjectKey = "learners_subject_key"
	// TokenKey is the primary key (issuer, token_id) of consumed tokens.
	TokenKey = "consumed_tokens_pkey"
	// SessionKey is the primary key (id) of sessions.
	SessionKey = "sessions_pkey"
	// SessionAttemptKey is (partner_id, learner_id, case_id, attempt).
	SessionAttemptKey = "sessions_attempt_key"
)

// Dialect holds what differs between the SQL engines.
type Dialect struct {
	// Name prefixes error messages, e.g. "sqlite".
	Name string
	// TimeArg turns a non-zero time, already in UTC and truncated to the
	// microsecond, into a query argument. Zero times are stored as NULL
	// without calling it.
	TimeArg func(t time.Time) any
	// UniqueViolation returns the name of the unique constraint (one of
	// the ...Key constants) that err violates, and false when err is not
	// a unique violation.
	UniqueViolation func(err error) (string, bool)
	// JSONElements returns a FROM item listing, as rows of a column
	// alias.value, the elements of the JSON array at key of the JSON
	// column col (no rows when it is not an array).
	JSONElements func(alias, col, key string) string
	// JSONFlag returns an integer expression, 1 when the JSON boolean at
	// key of the JSON object expression obj is true, else 0.
	JSONFlag func(obj, key string) string
	// ChangeClock, when set, returns the SQL expression of the database
	// clock's current time, as a time column holds it, less the number of
	// microseconds in the integer query argument ago unless ago is empty.
	// Session change times are then stamped by the database, not by each
	// process's clock, and ChangeQuery.Settle is judged by it too. Nil
	// means the store's Go clock stamps them.
	ChangeClock func(ago string) string
	// LockRows, when set, is the clause that makes a SELECT lock the rows
	// it returns against concurrent writers until its transaction ends
	// (PostgreSQL: FOR NO KEY UPDATE). Empty means the engine runs write
	// transactions one at a time (SQLite's BEGIN IMMEDIATE), so no such
	// read is needed and none is made.
	LockRows string
	// AnalyticsTx, when set, makes the queries of one analytics report
	// share a read-only transaction with these options (a snapshot);
	// when nil they run on the database one by one.
	AnalyticsTx *sql.TxOptions
}

// wrap prefixes err with the dialect's name and what was being done.
func (d *Dialect) wrap(op string, err error) error {
	return fmt.Errorf("%s: %s: %w", d.Name, op, err)
}

// time returns the query argument for t: NULL for the zero time.
func (d *Dialect) time(t time.Time) any {
	if t.IsZero() {
		return nil
	}

	return d.TimeArg(t.UTC().Truncate(time.Microsecond))
}
