package reporting

import (
	"context"
	"errors"
	"net/http"

	"github.com/virtualaipatient/integration/session"
)

// CodeForgetter is an optional capability of a [CodeStore] that keeps its
// codes outside the session store (MemoryCodes): forgetting the codes of
// deleted sessions. Codes kept in a SQL store are deleted in the deletion
// transaction instead, and only those are counted in the receipt
// (DeletionCounts.LaunchCodes), so that the HTTP answer and the
// learner.deleted webhook event carry the same counts.
//
// NOTE: the DELETE /learners endpoint forgets the codes of the deleted
// sessions after the transaction, as an extra step. A host that calls
// session.Service.DeleteLearner from Go while its codes live in a
// MemoryCodes calls ForgetSessions with the receipt's session ids itself.
// Such a code names only a session, which no longer exists, and expires
// within DefaultCodeTTL in any case.
type CodeForgetter interface {
	// ForgetSessions drops the partner's codes for the sessions and
	// returns how many it dropped.
	ForgetSessions(ctx context.Context, partnerID string, sessionIDs []string) (int, error)
}

// handleDeleteLearner deletes the learner's personal data (DELETE
// /learners/{partner_user_id}) and answers the receipt. An unknown
// learner, or one deleted before, gets a receipt with zero counts. Codes
// of a [CodeForgetter] are forgotten after the transaction and are not
// counted; see CodeForgetter.
func (h *Handler) handleDeleteLearner(w http.ResponseWriter, r *http.Request) {
	if _, p := readQuery(r); p != nil {
		writeProblem(w, p)
		return
	}

	// The path id follows launch.CheckID, as every sub a launch accepts
	// does (an e-mail-shaped sub is refused by launches only, so that no
	// such learner could ever be left undeletable). An invalid one names
	// no learner; it is refused rather than answered with an empty receipt.
	partner, sub := partnerOf(r), r.PathValue("learner")
	if !validID(sub) {
		writeProblem(w, badRequest("the partner user id must be 1 to 256 bytes of UTF-8 "+
			"without control or format characters, not blank and not . or .."))
		return
	}

	receipt, err := h.cfg.Service.DeleteLearner(r.Context(), partner, sub)
	switch {
	case errors.Is(err, session.ErrUnsupported):
		writeProblem(w, newProblem(http.StatusServiceUnavailable, CodeFeatureUnavailable,
			"the store cannot delete learners"))
		return
	case errors.Is(err, session.ErrConflict):
		writeProblem(w, newProblem(http.StatusConflict, CodeConflict, ""))
		return
	case err != nil:
		writeProblem(w, storeProblem(err))
		return
	}

	if f, ok := h.cfg.Codes.(CodeForgetter); ok && len(receipt.SessionIDs) > 0 {
		if _, err := f.ForgetSessions(r.Context(), partner, receipt.SessionIDs); err != nil {
			writeProblem(w, storeProblem(err))
			return
		}
	}

	writeJSON(w, http.StatusOK, newDeletionReceipt(receipt))
}

// ForgetSessions implements [CodeForgetter]: it drops the partner's codes
// for the sessions.
func (m *MemoryCodes) ForgetSessions(_ context.Context, partnerID string,
	sessionIDs []string) (int, error) {
	drop := make(map[string]bool, len(sessionIDs))
	for _, id := range sessionIDs {
		drop[id] = true
	}

	m.mu.Lock()
	defer m.mu.Unlock()

	n := 0
	for k, c := range m.codes {
		if c.grant.PartnerID == partnerID && drop[c.grant.SessionID] {
			delete(m.codes, k)
			n++
		}
	}

	return n, nil
}
