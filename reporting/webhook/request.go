package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/virtualaipatient/integration/session"
)

// Header names of the Standard Webhooks specification.
const (
	// HeaderID carries the event id, stable across attempts.
	HeaderID = "webhook-id"
	// HeaderTimestamp carries the attempt's time in Unix seconds.
	HeaderTimestamp = "webhook-timestamp"
	// HeaderSignature carries the space-separated "v1,<base64>" signatures.
	HeaderSignature = "webhook-signature"
)

// newRequest builds the POST of one attempt.
func newRequest(
	ctx context.Context, endpoint string, e session.OutboxEvent, at time.Time, sig string,
) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint,
		bytes.NewReader(e.Payload))
	if err != nil {
		return nil, fmt.Errorf("webhook: request: %w", scrubURL(err))
	}

	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "vap-webhooks/1")
	req.Header.Set(HeaderID, e.ID)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(at.Unix(), 10))
	req.Header.Set(HeaderSignature, sig)

	return req, nil
}

// scrubURL drops the URL from a *url.Error, which may carry credentials
// or tokens in its query, keeping the operation and the cause.
func scrubURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}

	return err
}
