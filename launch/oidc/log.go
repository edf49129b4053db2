package oidc

import (
	"context"
	"errors"
	"log/slog"
	"slices"
)

// Steps of a sign-in, as logged.
const (
	stepLogin    = "login"
	stepInitiate = "initiate"
	stepCallback = "callback"
)

// attempt is what a failed sign-in may log about itself: the configured
// partner, once known, and the verified subject, once the ID token is
// verified. The subject is only ever logged as a keyed hash.
type attempt struct {
	partnerID string
	subject   string
}

// oauthErrorCodes are the token endpoint's error codes of RFC 6749 that
// are logged as they are; any other value is logged as "other".
var oauthErrorCodes = []string{"invalid_request", "invalid_client", "invalid_grant",
	"unauthorized_client", "unsupported_grant_type", "invalid_scope"}

// logFailure logs one failed sign-in: the step, the stable code and
// status, the partner, the name of a failing claim (from the
// configuration), the token endpoint's OAuth error code and a keyed hash
// of the subject. It never logs err's text, a token, code, state, nonce or
// claim value.
func (h *Handler) logFailure(ctx context.Context, step, code string, a attempt, err error) {
	st := status(err)
	attrs := []slog.Attr{slog.String("step", step), slog.String("code", code),
		slog.Int("status", st)}
	if a.partnerID != "" {
		attrs = append(attrs, slog.String("partner", a.partnerID))
	}

	if a.subject != "" {
		attrs = append(attrs, h.logKey.Attr("learner", a.partnerID, a.subject))
	}

	var ce *ClaimError
	if errors.As(err, &ce) {
		attrs = append(attrs, slog.String("claim", ce.Claim))
	}

	var xe *ExchangeError
	if errors.As(err, &xe) {
		oauth := "other"
		if slices.Contains(oauthErrorCodes, xe.ErrorCode) {
			oauth = xe.ErrorCode
		}

		attrs = append(attrs, slog.String("oauth_error", oauth),
			slog.Int("token_status", xe.StatusCode))
	}

	level := slog.LevelInfo
	if st >= 500 {
		level = slog.LevelWarn
	}

	h.logger.LogAttrs(ctx, level, "oidc: sign-in failed", attrs...)
}
