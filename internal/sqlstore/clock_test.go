package sqlstore_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"

	"github.com/virtualaipatient/integration/internal/sqlstore"
	"github.com/virtualaipatient/integration/reporting"
	"github.com/virtualaipatient/integration/scoring"
	"github.com/virtualaipatient/integration/session"
)

// dbClockStore is a SQL store on SQLite whose dialect has a database clock
// of its own: the microseconds in the one row of table db_clock, which the
// test sets. It stands for PostgreSQL's clock_timestamp() on a database
// host whose clock differs from the VAP process's.
func dbClockStore(t *testing.T) (*sqlstore.Store, func(time.Time)) {
	t.Helper()
	ctx := context.Background()
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "clock.db"))
	require.NoError(t, err)
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { _ = db.Close() })

	d := &sqlstore.Dialect{
		Name:            "test",
		TimeArg:         func(t time.Time) any { return t.UnixMicro() },
		UniqueViolation: func(error) (string, bool) { return "", false },
		ChangeClock: func(ago string) string {
			if ago == "" {
				return "(SELECT us FROM db_clock)"
			}

			return "((SELECT us FROM db_clock) - " + ago + ")"
		},
	}
	migrations := os.DirFS(filepath.Join("..", "..", "store", "sqlite"))
	require.NoError(t, sqlstore.Migrate(ctx, db, d, migrations, "migrations"))
	_, err = db.ExecContext(ctx, `CREATE TABLE db_clock (us INTEGER NOT NULL)`)
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, `INSERT INTO db_clock (us) VALUES (0)`)
	require.NoError(t, err)

	set := func(at time.Time) {
		_, err := db.ExecContext(ctx, `UPDATE db_clock SET us = $1`, at.UnixMicro())
		require.NoError(t, err)
	}

	return sqlstore.New(db, d), set
}

func clockSession(id string, attempt int) session.Session {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	return session.Session{ID: id, PartnerID: "p1", CohortID: "c1", AssignmentID: "a1",
		CaseID: "case-a", CaseVersion: "1.0", LearnerID: "l1", PartnerUserID: "u1",
		Attempt: attempt, Mode: scoring.ModePractice, Policy: scoring.PolicyBest,
		Status: session.StatusCreated, CreatedAt: at, LastActivityAt: at,
		GradingStatus: session.GradingNotReady, Revision: 1}
}

// TestChangeTimesFromDatabaseClock proves that with a database clock the
// process's clock plays no part in change times: they are the database's,
// and the settle window is judged by the database's clock too, so skew
// between VAP processes (or between them and the database) cannot make a
// reader page past a change.
func TestChangeTimesFromDatabaseClock(t *testing.T) {
	ctx := context.Background()
	st, setClock := dbClockStore(t)

	// The database's clock is a year behind the process's.
	dbNow := time.Now().UTC().AddDate(-1, 0, 0).Truncate(time.Microsecond)
	setClock(dbNow)
	require.NoError(t, st.InsertSession(ctx, clockSession("s-1", 1)))
	s2 := clockSession("s-2", 2)
	require.NoError(t, st.InsertSession(ctx, s2))
	setClock(dbNow.Add(time.Second))
	s2.Revision = 2
	require.NoError(t, st.WithTx(ctx, func(tx session.Tx) error {
		return tx.UpdateSession(ctx, s2, 1)
	}))

	far := time.Now().AddDate(1, 0, 0)
	list := func(settle time.Duration) []reporting.ChangedSession {
		got, err := st.ListChangedSessions(ctx, "p1", reporting.ChangeQuery{
			Before: far, Settle: settle, Limit: 10})
		require.NoError(t, err)
		return got
	}

	all := list(0)
	require.Len(t, all, 2)
	assert.Equal(t, dbNow, all[0].ChangedAt, "insert stamped by the database")
	assert.Equal(t, dbNow.Add(time.Second), all[1].ChangedAt, "update stamped by the database")

	// At database time dbNow+1.5s, a 1 s settle window holds back the
	// update stamped at dbNow+1s, whatever the process's clock says.
	setClock(dbNow.Add(1500 * time.Millisecond))
	held := list(time.Second)
	require.Len(t, held, 1)
	assert.Equal(t, "s-1", held[0].Session.ID)

	setClock(dbNow.Add(3 * time.Second))
	assert.Len(t, list(time.Second), 2, "settled by the database's clock")
}

// TestSetClockReplacesDatabaseClock keeps test clocks working: a clock set
// on the store stamps change times instead of the database's.
func TestSetClockReplacesDatabaseClock(t *testing.T) {
	ctx := context.Background()
	st, setClock := dbClockStore(t)
	fixed := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	st.SetClock(func() time.Time { return fixed })
	setClock(fixed.AddDate(-1, 0, 0))
	require.NoError(t, st.InsertSession(ctx, clockSession("s-1", 1)))

	got, err := st.ListChangedSessions(ctx, "p1", reporting.ChangeQuery{
		Before: fixed.Add(time.Hour), Settle: time.Hour, Limit: 10})
	require.NoError(t, err)
	require.Len(t, got, 1, "settle is left to Before with a process clock")
	assert.Equal(t, fixed, got[0].ChangedAt)
}
