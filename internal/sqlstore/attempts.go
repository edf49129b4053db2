package sqlstore

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/virtualaipatient/integration/session"
)

var _ session.PurgedAttemptLister = (*ops)(nil)

// ListPurgedAttempts implements [session.PurgedAttemptLister].
func (o *ops) ListPurgedAttempts(ctx context.Context, partnerID, learnerID string) (
	[]session.PurgedAttempts, error) {
	rows, err := o.q.QueryContext(ctx, `SELECT partner_id, learner_id, assignment_id,
		case_id, last_attempt, counted, completed
		FROM purged_attempts WHERE partner_id = $1 AND learner_id = $2
		ORDER BY case_id, assignment_id`, partnerID, learnerID)
	if err != nil {
		return nil, o.d.wrap("list purged attempts", err)
	}
	defer rows.Close()

	var list []session.PurgedAttempts
	for rows.Next() {
		var pa session.PurgedAttempts
		err := rows.Scan(&pa.PartnerID, &pa.LearnerID, &pa.AssignmentID, &pa.CaseID,
			&pa.LastAttempt, &pa.Counted, &pa.Completed)
		if err != nil {
			return nil, o.d.wrap("list purged attempts", err)
		}

		list = append(list, pa)
	}

	if err := rows.Err(); err != nil {
		return nil, o.d.wrap("list purged attempts", err)
	}

	return list, nil
}

// lockSessionLearners locks, in key order, the learner rows of the
// sessions ids until the transaction ends, so that a launch of one of
// those learners, which holds its row from its upsert to its commit, sees
// the purge whole or not at all. Without the dialect's LockRows the engine
// runs write transactions one at a time and nothing is read.
func (o *ops) lockSessionLearners(ctx context.Context, ids []string) error {
	if o.d.LockRows == "" {
		return nil
	}

	args, list := marks(nil, ids)
	_, err := o.returnIDs(ctx, `SELECT id FROM learners
		WHERE (partner_id, id) IN (SELECT partner_id, learner_id FROM sessions
			WHERE id IN (`+list+`))
		ORDER BY partner_id, id `+o.d.LockRows, args...)

	return err
}

// purgedSession is what the purge keeps of a deleted session.
type purgedSession struct {
	id, partnerID, learnerID, assignmentID, caseID string
	attempt                                        int
	status                                         session.Status
	preview                                        bool
}

// purgedColumns are the columns a session purge returns, in the order of
// scanPurged.
const purgedColumns = `id, partner_id, learner_id, assignment_id, case_id, attempt,
	status, preview`

func scanPurged(row interface{ Scan(...any) error }) (purgedSession, error) {
	var p purgedSession
	err := row.Scan(&p.id, &p.partnerID, &p.learnerID, &p.assignmentID, &p.caseID,
		&p.attempt, &p.status, &p.preview)

	return p, err
}

// purgeRowsPerStatement caps the records one upsert of keepPurged writes
// (7 arguments each), well within every engine's argument limit.
const purgeRowsPerStatement = 100

// keepPurged adds the purged sessions to their learners' records of
// purged attempts, one per learner, assignment and case. Sessions of no
// stored learner (anonymised ones) leave no record.
func (o *ops) keepPurged(ctx context.Context, gone []purgedSession) error {
	records := foldPurged(gone)
	for chunk := range slices.Chunk(records, purgeRowsPerStatement) {
		args := make([]any, 0, 7*len(chunk))
		values := make([]string, 0, len(chunk))
		for _, pa := range chunk {
			n := len(args)
			values = append(values, fmt.Sprintf("($%d, $%d, $%d, $%d, CAST($%d AS integer), "+
				"CAST($%d AS integer), CAST($%d AS integer))", n+1, n+2, n+3, n+4, n+5, n+6, n+7))
			args = append(args, pa.PartnerID, pa.LearnerID, pa.CaseID, pa.AssignmentID,
				pa.LastAttempt, pa.Counted, pa.Completed)
		}

		_, err := o.exec(ctx, "purge sessions: attempts", nil, `
			INSERT INTO purged_attempts (partner_id, learner_id, case_id, assignment_id,
				last_attempt, counted, completed)
			SELECT v.column1, v.column2, v.column3, v.column4, v.column5, v.column6,
				v.column7
			FROM (VALUES `+strings.Join(values, ", ")+`) AS v
			WHERE EXISTS (SELECT 1 FROM learners l
				WHERE l.partner_id = v.column1 AND l.id = v.column2)
			ON CONFLICT (partner_id, learner_id, case_id, assignment_id) DO UPDATE SET
				last_attempt = CASE WHEN excluded.last_attempt > purged_attempts.last_attempt
					THEN excluded.last_attempt ELSE purged_attempts.last_attempt END,
				counted = purged_attempts.counted + excluded.counted,
				completed = purged_attempts.completed + excluded.completed`, args...)
		if err != nil {
			return err
		}
	}

	return nil
}

// foldPurged sums the purged sessions per learner, assignment and case,
// in key order.
func foldPurged(gone []purgedSession) []session.PurgedAttempts {
	type recordKey struct{ partner, learner, caseID, assignment string }
	byKey := map[recordKey]session.PurgedAttempts{}
	for _, p := range gone {
		k := recordKey{p.partnerID, p.learnerID, p.caseID, p.assignmentID}
		pa, ok := byKey[k]
		if !ok {
			pa = session.PurgedAttempts{PartnerID: p.partnerID, LearnerID: p.learnerID,
				AssignmentID: p.assignmentID, CaseID: p.caseID}
		}

		pa.LastAttempt = max(pa.LastAttempt, p.attempt)
		if p.status != session.StatusVoided && !p.preview {
			pa.Counted++
		}

		if p.status == session.StatusCompleted && !p.preview {
			pa.Completed++
		}

		byKey[k] = pa
	}

	records := slices.Collect(maps.Values(byKey))
	slices.SortFunc(records, func(a, b session.PurgedAttempts) int {
		return cmp.Or(cmp.Compare(a.PartnerID, b.PartnerID),
			cmp.Compare(a.LearnerID, b.LearnerID), cmp.Compare(a.CaseID, b.CaseID),
			cmp.Compare(a.AssignmentID, b.AssignmentID))
	})

	return records
}
