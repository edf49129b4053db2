package main

import "errors"

var (
	// errUsage is returned when the command line is wrong: unknown command
	// or flag, missing or extra argument. vapctl exits with status 2.
	errUsage = errors.New("vapctl: usage error")

	// errHelp is returned when --help was asked for and printed. vapctl
	// exits with status 0.
	errHelp = errors.New("vapctl: help requested")

	// errReported is joined to an error whose message was already printed,
	// so that it is not printed twice.
	errReported = errors.New("vapctl: already reported")

	// errTokenInvalid is returned by doctor when the verifier refused the
	// token; the report says why. vapctl exits with status 1.
	errTokenInvalid = errors.New("vapctl: token refused by the verifier")

	// errNoToken is returned when no token was given, neither as an
	// argument nor on standard input.
	errNoToken = errors.New("vapctl: no token given")

	// errMalformedToken is returned by inspect when the input is not a
	// compact JWS with JSON header and claims.
	errMalformedToken = errors.New("vapctl: malformed token")

	// errProbeUnavailable is returned by doctor's probe verifier when the
	// token holds no issuer and audience to probe with.
	errProbeUnavailable = errors.New("vapctl: probe not possible")
)
