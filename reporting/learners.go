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
// transaction instead.
type CodeForgetter interface {
	// ForgetSessions drops the partner's codes for the sessions and
	// returns how many it dropped.
	ForgetSessions(ctx context.Context, partnerID string, sessionIDs []string) (int, error)
}

// handleDeleteLearner deletes the learner's personal data (DELETE
// /learners/{partner_user_id}) and answers the receipt. An unknown
// learner, or one deleted before, gets a receipt with zero counts.
func (h *Handler) handleDeleteLearner(w http.ResponseWriter, r *http.Request) {
	partner, sub := partnerOf(r), r.PathValue("learner")
	if sub == "" || len(sub) > maxPartnerUserID {
		writeProblem(w, newProblem(http.StatusBadRequest, CodeBadRequest,
			"partner user id must be 1 to 255 bytes"))
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
		writeProblem(w, storeProblem())
		return
	}

	if f, ok := h.cfg.Codes.(CodeForgetter); ok && len(receipt.SessionIDs) > 0 {
		n, err := f.ForgetSessions(r.Context(), partner, receipt.SessionIDs)
		if err != nil {
			writeProblem(w, storeProblem())
			return
		}

		receipt.Counts.LaunchCodes += n
	}

	writeJSON(w, http.StatusOK, newDeletionReceipt(receipt))
}

// maxPartnerUserID caps the partner user id in a deletion path.
const maxPartnerUserID = 255

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
