// Command vapctl is the tool partner engineers use while integrating with
// Virtual AI Patient (VAP), whatever language their platform is written in.
//
// It wraps package launch of this SDK:
//
//	vapctl keygen   generate a signing key (ES256, EdDSA, RS256 or PS256) and its JWKS
//	vapctl jwks     print the public JWKS of a private key file
//	vapctl mint     mint a launch token from flags
//	vapctl inspect  decode a token without verifying it
//	vapctl doctor   verify a token and explain every check
//
// Every command takes --help and --json; --help shows a synopsis that
// lists every flag. The exit status is:
//
//	0  success (for doctor: the token is valid)
//	1  failure: a token doctor finds invalid, a token inspect cannot
//	   decode, a file that cannot be read or written, a network error
//	2  usage error: an unknown command or flag, a required flag or the
//	   token missing, a flag value that is malformed, out of range or in
//	   conflict with another; a usage hint follows the message on stderr
//
// Messages go to stderr as "vapctl <command>: <message>", or with --json as
// a JSON object on stdout.
//
// doctor never consumes the token: it calls launch.Verifier.VerifyUnconsumed,
// or with --api launch.Verifier.VerifyAPICredential for a partner API
// credential, and its verdict always comes from launch.Verifier. The
// per-check breakdown around the verdict says for each line where it comes
// from: the verifier, a probe verifier, or the decoded token (unverified).
//
// Tokens are read from the first argument or, more safely (no shell
// history), from standard input. An argument is taken exactly as given;
// from standard input one final newline is dropped. Nothing else is
// trimmed, since VAP refuses a token with spaces or newlines around it. No
// private key is ever printed, and doctor and inspect never print the
// token itself.
package main
