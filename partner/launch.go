package partner

import (
	"context"

	"github.com/virtualaipatient/integration/launch"
	"github.com/virtualaipatient/integration/reporting"
)

// Learner is the partner's user being launched into VAP.
type Learner struct {
	// ID is the partner's stable, pseudonymous user id (required). It
	// becomes the token's "sub"; never use an e-mail address: an ID
	// shaped like one (something@domain.tld) is refused with
	// launch.ErrInvalidClaim (launch.CheckSubject).
	ID string
	// Name is an optional display name.
	Name string
	// Role is the user's role. Default launch.RoleLearner.
	Role launch.Role
}

// Launch says who is launched into what: a learner of a cohort, with an
// optional case or case set (at most one of the two). Without either, VAP
// opens the cohort's single open assignment.
type Launch struct {
	// Learner is the user launched.
	Learner Learner
	// CohortID is the partner's cohort (course, class) id (required).
	CohortID string
	// CaseID is the case to open, or empty.
	CaseID string
	// CaseSetID is the case set to open, or empty.
	CaseSetID string
}

// LaunchRequest returns l as the request of launch.Minter and Ring.Mint,
// with the role defaulted to launch.RoleLearner.
func (l Launch) LaunchRequest() launch.LaunchRequest {
	role := l.Learner.Role
	if role == "" {
		role = launch.RoleLearner
	}

	return launch.LaunchRequest{
		Subject: l.Learner.ID, Name: l.Learner.Name, Role: role,
		CohortID: l.CohortID, CaseID: l.CaseID, CaseSetID: l.CaseSetID,
	}
}

// mintLaunch signs l with the client's ring.
func (c *Client) mintLaunch(ctx context.Context, l Launch) (string, error) {
	if c.ring == nil {
		return "", configError("launches need a ring")
	}

	return c.ring.Mint(ctx, l.LaunchRequest())
}

// Launch signs a launch token for l and posts it to VAP's POST /launch,
// server to server. Open the returned LaunchURL in the learner's browser,
// a Flutter web view or a webview; it carries a one-time code in its
// fragment, valid until CodeExpiresAt.
//
// A launch token is single use, so the call is retried only after a
// failure known to come before any byte was sent: a DNS or dial failure,
// or a server certificate refused in the TLS handshake. Any other
// transport failure (a reset, a timeout, an error from a custom
// RoundTripper) may have reached VAP: the error then wraps
// ErrLaunchOutcomeUnknown and the cause.
func (c *Client) Launch(ctx context.Context, l Launch) (*reporting.LaunchResponse, error) {
	token, err := c.mintLaunch(ctx, l)
	if err != nil {
		return nil, err
	}

	var out reporting.LaunchResponse
	err = c.do(ctx, apiCall{
		op: "launch", method: "POST", path: c.endpoint("launch"),
		body: reporting.LaunchRequest{LaunchToken: token}, out: &out, once: true,
	})
	if err != nil {
		return nil, err
	}

	return &out, nil
}
