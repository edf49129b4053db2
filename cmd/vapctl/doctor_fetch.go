package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/MicahParks/jwkset"
)

// fetchLog is the slog.Handler of doctor's verifiers. launch.Verifier
// returns only ErrKeySetUnavailable when a JWK Set URL could not be
// fetched, and logs why; fetchLog keeps the first error logged so that
// doctor can name the cause.
type fetchLog struct {
	mu  sync.Mutex
	err error
}

// Enabled implements slog.Handler: every record is looked at.
func (l *fetchLog) Enabled(context.Context, slog.Level) bool { return true }

// Handle implements slog.Handler: it keeps the record's first error value.
func (l *fetchLog) Handle(_ context.Context, r slog.Record) error {
	r.Attrs(func(a slog.Attr) bool {
		err, ok := a.Value.Any().(error)
		if ok {
			l.mu.Lock()
			if l.err == nil {
				l.err = err
			}
			l.mu.Unlock()
		}

		return !ok
	})

	return nil
}

// WithAttrs implements slog.Handler; the attributes are not needed.
func (l *fetchLog) WithAttrs([]slog.Attr) slog.Handler { return l }

// WithGroup implements slog.Handler; groups are not needed.
func (l *fetchLog) WithGroup(string) slog.Handler { return l }

// first returns the first fetch error logged, or nil.
func (l *fetchLog) first() error {
	l.mu.Lock()
	defer l.mu.Unlock()

	return l.err
}

// maxCauseLength bounds the cause shown for a failed fetch: the errors
// carry no response body, but a network error may be long.
const maxCauseLength = 200

// fetchCause says why the JWK Set could not be fetched: no answer within
// the timeout, an HTTP status other than 200, a network error, or a
// response that is not a usable JWK Set. verdict is the verifier's
// refusal, logged the error it logged; "" when neither tells.
func fetchCause(verdict, logged error, timeout time.Duration) string {
	var ue *url.Error
	switch {
	case errors.Is(verdict, context.DeadlineExceeded),
		errors.As(logged, &ue) && ue.Timeout(), errors.Is(logged, context.DeadlineExceeded):
		return fmt.Sprintf("the JWKS URL did not answer within --timeout %v", timeout)
	case logged == nil:
		return ""
	case errors.Is(logged, jwkset.ErrInvalidHTTPStatusCode):
		return "the JWKS URL answered " + httpStatus(logged) + ", want 200 OK"
	case errors.As(logged, &ue):
		// The request's own error, without "Get <URL>": a network error,
		// a TLS failure, a redirect, or a body refused by package launch
		// (not a JWK Set, too large).
		var ne net.Error
		if errors.As(ue.Err, &ne) {
			return "network error: " + bounded(ue.Err.Error())
		}

		return bounded(ue.Err.Error())
	default:
		return bounded(innermost(logged).Error())
	}
}

// httpStatus reads the status code of jwkset's ErrInvalidHTTPStatusCode
// error, as "HTTP 404 Not Found".
func httpStatus(err error) string {
	_, after, _ := strings.Cut(err.Error(), jwkset.ErrInvalidHTTPStatusCode.Error()+": ")
	code, convErr := strconv.Atoi(after)
	if convErr != nil {
		return bounded(err.Error())
	}

	return strings.TrimSpace(fmt.Sprintf("HTTP %d %s", code, http.StatusText(code)))
}

// innermost returns the last error of err's chain of single wraps, which
// holds the cause without jwkset's wording around it.
func innermost(err error) error {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}

		err = next
	}
}

// bounded cuts s to maxCauseLength bytes, and no rune in two.
func bounded(s string) string {
	if len(s) <= maxCauseLength {
		return s
	}

	return strings.ToValidUTF8(s[:maxCauseLength], "") + "..."
}
