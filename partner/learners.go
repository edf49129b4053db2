package partner

import (
	"context"
	"net/http"

	"github.com/virtualaipatient/integration/reporting"
)

// DeleteLearner asks VAP to delete the personal data of the learner known
// by the partner's user id (the launch token's sub) and returns the
// deletion receipt: what was deleted, counts and when. The same receipt
// arrives as a learner.deleted webhook event when anything was deleted.
// Deleting a learner VAP never saw, or one already deleted, succeeds with
// zero counts, so the call is safe to retry.
func (c *Client) DeleteLearner(
	ctx context.Context, partnerUserID string,
) (*reporting.DeletionReceipt, error) {
	var out reporting.DeletionReceipt
	err := c.do(ctx, apiCall{op: "delete learner", method: http.MethodDelete,
		path: c.endpoint("learners", partnerUserID), auth: true, out: &out,
		ids: ids("partner user id", partnerUserID)})
	if err != nil {
		return nil, err
	}

	return &out, nil
}
