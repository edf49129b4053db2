package main

import (
	"errors"
	"fmt"

	"github.com/virtualaipatient/integration/launch"
)

// Messages carry no "vapctl" prefix: vapctl prints each one once, after
// "vapctl <command>: ".
var (
	// errUsage is matched by every usage error: unknown command or flag,
	// missing, malformed or conflicting flag values, missing or extra
	// arguments. vapctl exits with status 2 and a usage hint.
	errUsage = errors.New("usage error")

	// errHelp is returned when --help was asked for and printed. vapctl
	// exits with status 0.
	errHelp = errors.New("help requested")

	// errReported is joined to an error whose message was already printed,
	// so that it is not printed twice.
	errReported = errors.New("already reported")

	// errTokenInvalid is returned by doctor when the verifier refused the
	// token; the report says why. vapctl exits with status 1.
	errTokenInvalid = errors.New("token refused by the verifier")

	// errNoToken is returned, as a usage error, when no token was given,
	// neither as an argument nor on standard input.
	errNoToken = errors.New("no token given: pass it as the argument or on standard input")

	// errMalformedToken is returned by inspect when the input is not a
	// compact JWS with JSON header and claims. vapctl exits with status 1.
	errMalformedToken = errors.New("malformed token")

	// errProbeUnavailable is returned by doctor's probe verifier when the
	// token holds no issuer and audience to probe with.
	errProbeUnavailable = errors.New("probe not possible")

	// errProbeTimedOut is returned by doctor's probe verifier when the
	// --timeout of the run ran out before the probe could start.
	errProbeTimedOut = errors.New("the --timeout ran out before the probe")
)

// usageError is a wrong command line. Its message is the cause's alone;
// it matches errUsage and the cause with errors.Is and errors.As, so a
// launch error keeps its code and hint.
type usageError struct {
	err error
}

func (e *usageError) Error() string { return e.err.Error() }

func (e *usageError) Unwrap() []error { return []error{errUsage, e.err} }

// usagef returns a usage error with a message.
func usagef(format string, args ...any) error {
	return &usageError{err: fmt.Errorf(format, args...)}
}

// asUsage marks err, which comes from a flag's value, as a usage error.
func asUsage(err error) error {
	if err == nil || errors.Is(err, errUsage) {
		return err
	}

	return &usageError{err: err}
}

// hintedError gives an error a hint of vapctl's own in place of the one
// package launch has for it; launch.Code and errors.Is still see through.
type hintedError struct {
	err  error
	hint string
}

func (e *hintedError) Error() string { return e.err.Error() }

func (e *hintedError) Unwrap() error { return e.err }

// withHint returns err with hint as its hint.
func withHint(err error, hint string) error {
	return &hintedError{err: err, hint: hint}
}

// hintOf returns how to fix err: vapctl's own hint, else launch.Hint.
func hintOf(err error) string {
	var h *hintedError
	if errors.As(err, &h) {
		return h.hint
	}

	return launch.Hint(err)
}
