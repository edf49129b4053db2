package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/google/uuid"

	"github.com/virtualaipatient/integration/session"
)

var (
	_ session.LearnerEraser  = (*txn)(nil)
	_ session.RetentionStore = (*Store)(nil)
)

// EraseLearner implements [session.LearnerEraser]. The memory store keeps
// no launch codes (reporting.MemoryCodes does), so LaunchCodes is always 0.
func (tx *txn) EraseLearner(ctx context.Context, partnerID, subject string,
	p session.ErasePolicy) (session.Erasure, error) {
	var er session.Erasure
	if err := tx.check(ctx, true); err != nil {
		return er, err
	}

	if p.KeepAnonymousAggregates && p.Tombstone == "" {
		return er, fmt.Errorf("memory: erase learner: no tombstone: %w", session.ErrInvalid)
	}

	sk := key{partnerID, subject}
	er.LearnerID = tx.d.subjects[sk]
	var list []session.Session
	for k, s := range tx.d.sessions {
		mine := er.LearnerID != "" && s.LearnerID == er.LearnerID
		if k.partner == partnerID && (mine || s.PartnerUserID == subject) {
			list = append(list, s)
		}
	}

	slices.SortFunc(list, func(a, b session.Session) int { return cmp.Compare(a.ID, b.ID) })
	for _, s := range list {
		er.SessionIDs = append(er.SessionIDs, s.ID)
	}

	if er.LearnerID == "" && len(list) > 0 {
		er.LearnerID = list[0].LearnerID
	}

	er.Counts.OutboxEvents = tx.dropEvents(partnerID, er.SessionIDs)
	for _, s := range list {
		tx.eraseSession(s, p, &er.Counts)
	}

	if id, ok := tx.d.subjects[sk]; ok {
		deleteMap(tx, tx.d.subjects, sk)
		deleteMap(tx, tx.d.learners, key{partnerID, id})
		deleteMap(tx, tx.d.purged, key{partnerID, id})
		er.Counts.Learners = 1
	}

	return er, nil
}

// eraseSession deletes s, or re-stores it anonymised under a new id.
func (tx *txn) eraseSession(s session.Session, p session.ErasePolicy, c *session.ErasureCounts) {
	k := key{s.PartnerID, s.ID}
	changed := tx.d.changed[k]
	tx.unindexSession(s)
	if !p.KeepAnonymousAggregates {
		c.SessionsDeleted++
		return
	}

	s.ID, s.LearnerID, s.PartnerUserID = uuid.NewString(), p.Tombstone, ""
	nk := key{s.PartnerID, s.ID}
	lk := key{s.PartnerID, s.LearnerID}
	setMap(tx, tx.d.byLearner, lk, append(slices.Clip(tx.d.byLearner[lk]), s.ID))
	setMap(tx, tx.d.attempts, attemptOf(s), s.ID)
	setMap(tx, tx.d.sessions, nk, s)
	setMap(tx, tx.d.changed, nk, changed)
	c.SessionsAnonymised++
}

// unindexSession removes s and its index entries.
func (tx *txn) unindexSession(s session.Session) {
	k := key{s.PartnerID, s.ID}
	deleteMap(tx, tx.d.sessions, k)
	deleteMap(tx, tx.d.changed, k)
	deleteMap(tx, tx.d.attempts, attemptOf(s))
	lk := key{s.PartnerID, s.LearnerID}
	ids := slices.DeleteFunc(slices.Clone(tx.d.byLearner[lk]),
		func(id string) bool { return id == s.ID })
	if len(ids) == 0 {
		deleteMap(tx, tx.d.byLearner, lk)
		return
	}

	setMap(tx, tx.d.byLearner, lk, ids)
}

// dropEvents removes the partner's outbox events of the sessions, in any
// delivery state, and returns how many it removed.
func (tx *txn) dropEvents(partnerID string, sessionIDs []string) int {
	return tx.dropEventsWhere(func(e session.OutboxEvent) bool {
		return e.PartnerID == partnerID && e.SessionID != "" &&
			slices.Contains(sessionIDs, e.SessionID)
	}, 0)
}

// dropEventsWhere removes outbox events matching drop, at most limit of
// them when limit is positive, undone with the transaction.
func (tx *txn) dropEventsWhere(drop func(e session.OutboxEvent) bool, limit int) int {
	if tx.d.outbox == nil {
		return 0
	}

	b := tx.d.outbox
	old := slices.Clone(b.rows)
	kept := make([]*session.Delivery, 0, len(b.rows))
	var dropped []*session.Delivery
	for _, row := range b.rows {
		if (limit <= 0 || len(dropped) < limit) && drop(row.Event) {
			dropped = append(dropped, row)
			delete(b.byID, row.Event.ID)
			continue
		}

		kept = append(kept, row)
	}

	if len(dropped) == 0 {
		return 0
	}

	b.rows = kept
	tx.undo = append(tx.undo, func() {
		b.rows = old
		for _, row := range dropped {
			b.byID[row.Event.ID] = row
		}
	})

	return len(dropped)
}

// RetentionPartners implements [session.RetentionStore].
func (s *Store) RetentionPartners(ctx context.Context) ([]string, error) {
	var out []string
	err := s.read(func(tx *txn) error {
		if err := tx.check(ctx, false); err != nil {
			return err
		}

		for k := range tx.d.learners {
			out = append(out, k.partner)
		}

		for k := range tx.d.sessions {
			out = append(out, k.partner)
		}

		if tx.d.outbox != nil {
			for _, row := range tx.d.outbox.rows {
				out = append(out, row.Event.PartnerID)
			}
		}

		return nil
	})
	slices.Sort(out)

	return slices.Compact(out), err
}

// PurgeBatch implements [session.RetentionStore]. PurgeCodes deletes
// nothing: the memory store keeps no codes.
func (s *Store) PurgeBatch(ctx context.Context, q session.PurgeQuery) (int, error) {
	if q.Limit <= 0 || q.Before.IsZero() {
		return 0, nil
	}

	n := 0
	err := s.write(ctx, func(tx *txn) error {
		switch q.Kind {
		case session.PurgeSessions:
			n = tx.purgeSessions(q)
		case session.PurgeLearners:
			n = tx.purgeLearners(q)
		case session.PurgeDeliveries:
			n = tx.dropEventsWhere(func(e session.OutboxEvent) bool {
				row := tx.d.outbox.byID[e.ID]
				return inPartner(q, e.PartnerID) && !row.DeliveredAt.IsZero() &&
					row.DeliveredAt.Before(q.Before)
			}, q.Limit)
		case session.PurgeUndelivered:
			n = tx.dropEventsWhere(func(e session.OutboxEvent) bool {
				row := tx.d.outbox.byID[e.ID]
				return inPartner(q, e.PartnerID) && row.DeliveredAt.IsZero() &&
					e.OccurredAt.Before(q.Before)
			}, q.Limit)
		case session.PurgeTokens:
			n = tx.purgeTokens(q)
		case session.PurgeFlows:
			n = tx.purgeFlows(q)
		}

		return nil
	})

	return n, err
}

func inPartner(q session.PurgeQuery, partnerID string) bool {
	return q.PartnerID == "" || q.PartnerID == partnerID
}

func ended(s session.Session) bool {
	return s.Status == session.StatusCompleted || s.Status == session.StatusAbandoned ||
		s.Status == session.StatusVoided
}

func (tx *txn) purgeSessions(q session.PurgeQuery) int {
	var list []session.Session
	for _, s := range tx.d.sessions {
		if inPartner(q, s.PartnerID) && ended(s) && !s.EndedAt.IsZero() &&
			s.EndedAt.Before(q.Before) {
			list = append(list, s)
		}
	}

	slices.SortFunc(list, func(a, b session.Session) int {
		return cmp.Or(a.EndedAt.Compare(b.EndedAt), cmp.Compare(a.ID, b.ID))
	})
	list = list[:min(len(list), q.Limit)]
	for _, s := range list {
		id := s.ID
		tx.dropEventsWhere(func(e session.OutboxEvent) bool {
			return e.PartnerID == s.PartnerID && e.SessionID == id
		}, 0)
		tx.unindexSession(s)
		tx.keepPurged(s)
	}

	return len(list)
}

func (tx *txn) purgeLearners(q session.PurgeQuery) int {
	var list []session.Learner
	for k, l := range tx.d.learners {
		if inPartner(q, l.PartnerID) && l.LastSeenAt.Before(q.Before) &&
			len(tx.d.byLearner[k]) == 0 {
			list = append(list, l)
		}
	}

	slices.SortFunc(list, func(a, b session.Learner) int {
		return cmp.Or(a.LastSeenAt.Compare(b.LastSeenAt), cmp.Compare(a.ID, b.ID))
	})
	list = list[:min(len(list), q.Limit)]
	for _, l := range list {
		deleteMap(tx, tx.d.learners, key{l.PartnerID, l.ID})
		deleteMap(tx, tx.d.subjects, key{l.PartnerID, l.Subject})
		deleteMap(tx, tx.d.purged, key{l.PartnerID, l.ID})
	}

	return len(list)
}

func (tx *txn) purgeTokens(q session.PurgeQuery) int {
	var list []session.ConsumedToken
	for _, t := range tx.d.tokens {
		if inPartner(q, t.PartnerID) && t.ExpiresAt.Before(q.Before) {
			list = append(list, t)
		}
	}

	slices.SortFunc(list, func(a, b session.ConsumedToken) int {
		return cmp.Or(a.ExpiresAt.Compare(b.ExpiresAt), cmp.Compare(a.Issuer, b.Issuer),
			cmp.Compare(a.TokenID, b.TokenID))
	})
	list = list[:min(len(list), q.Limit)]
	for _, t := range list {
		deleteMap(tx, tx.d.tokens, tokenKey{t.Issuer, t.TokenID})
	}

	return len(list)
}
