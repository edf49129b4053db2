package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/virtualaipatient/integration/launch"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// Exit statuses.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// env holds what tests replace: the clock and the HTTP client.
type env struct {
	now        func() time.Time
	httpClient *http.Client
}

func defaultEnv() env {
	return env{now: time.Now, httpClient: &http.Client{Timeout: 30 * time.Second}}
}

// run is the entry point of vapctl; it returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runEnv(defaultEnv(), args, stdin, stdout, stderr)
}

// session is what a command works with: its environment and streams.
type session struct {
	env    env
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	name   string
	// json is set by a command that parsed --json.
	json bool
	// flags are the command's flags, once it declared them.
	flags *commandFlags
}

type command struct {
	name    string
	summary string
	run     func(s *session, args []string) error
}

var commands = []command{
	{"keygen", "generate a signing key and its public JWKS", runKeygen},
	{"jwks", "print the public JWKS of a private key file", runJWKS},
	{"mint", "mint a launch token from flags", runMint},
	{"inspect", "decode a token WITHOUT verifying it", runInspect},
	{"doctor", "verify a token and explain every check", runDoctor},
}

// runEnv runs vapctl with an explicit environment.
func runEnv(e env, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		printUsage(stderr)

		return exitUsage
	}

	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		return runHelp(args[1:], stdout, stderr)
	}

	cmd, ok := findCommand(name)
	if !ok {
		fmt.Fprintf(stderr, "vapctl: unknown command %q\n\n", name)
		printUsage(stderr)

		return exitUsage
	}

	s := &session{env: e, stdin: stdin, stdout: stdout, stderr: stderr, name: name}

	return s.exitStatus(cmd.run(s, args[1:]))
}

func findCommand(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}

	return command{}, false
}

// runHelp prints the general help or, with a command name, that command's.
func runHelp(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		printUsage(stdout)

		return exitOK
	}

	cmd, ok := findCommand(args[0])
	if !ok {
		fmt.Fprintf(stderr, "vapctl: unknown command %q\n", args[0])

		return exitUsage
	}

	s := &session{env: defaultEnv(), stdout: stdout, stderr: stderr, name: cmd.name}

	return s.exitStatus(cmd.run(s, []string{"--help"}))
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "vapctl: tools for integrating with Virtual AI Patient (VAP)")
	fmt.Fprintln(w, "\nUsage: vapctl <command> [flags] [arguments]")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}

	fmt.Fprintln(w, "\nRun 'vapctl <command> --help' for a command's flags.")
	fmt.Fprintln(w, "Exit status: 0 success, 1 failure, 2 usage error.")
	fmt.Fprint(w, `
A first round trip (use your issuer and the audience VAP gave you):
  vapctl keygen --out partner.pem --jwks-out jwks.json
  vapctl mint --key partner.pem --iss https://lms.example.edu \
      --aud https://vap.example.com/launch --sub learner-1 --cohort c1 > token
  vapctl doctor --jwks-file jwks.json --iss https://lms.example.edu \
      --aud https://vap.example.com/launch < token
`)
}

// exitStatus reports err (unless already printed) and maps it to a status:
// 0 for success or --help, 2 for a usage error, 1 for anything else.
func (s *session) exitStatus(err error) int {
	switch {
	case err == nil, errors.Is(err, errHelp):
		return exitOK
	case errors.Is(err, errReported):
	case s.json:
		s.writeJSONError(err)
	default:
		s.writeTextError(err)
	}

	if !errors.Is(err, errUsage) {
		return exitFailure
	}

	if s.flags != nil {
		s.flags.printUsageHint(s.stderr)
	}

	return exitUsage
}

// message returns err's message for display after "vapctl <command>: ".
// "launch: " is dropped where it starts the message or follows ": ", as in
// "JWKS file k.json: launch: unsupported key", so that the line has one
// prefix.
func message(err error) string {
	return strings.ReplaceAll(strings.TrimPrefix(err.Error(), "launch: "), ": launch: ", ": ")
}

func (s *session) writeTextError(err error) {
	fmt.Fprintf(s.stderr, "vapctl %s: %s\n", s.name, message(err))
	if hint := hintOf(err); hint != "" {
		fmt.Fprintf(s.stderr, "hint: %s\n", hint)
	}
}

type jsonError struct {
	Message string `json:"message"`
	Code    string `json:"code,omitempty"`
	Hint    string `json:"hint,omitempty"`
}

func (s *session) writeJSONError(err error) {
	out := struct {
		OK    bool      `json:"ok"`
		Error jsonError `json:"error"`
	}{Error: jsonError{Message: message(err), Code: launch.Code(err), Hint: hintOf(err)}}
	_ = writeJSON(s.stdout, out)
}

// writeJSON writes v as indented JSON followed by a newline.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)

	return enc.Encode(v)
}

// maxTokenInput bounds what is read from standard input; anything larger
// is far above the verifier's size cap anyway.
const maxTokenInput = 1 << 20

// readToken takes the token from the only argument, or from standard input
// when there is no argument or it is "-". An argument is taken as it is;
// from standard input one final newline ("\n" or "\r\n"), as echo and
// most editors add, is dropped. Nothing else is trimmed: VAP refuses a
// token with spaces or newlines around it, so doctor must see them.
func (s *session) readToken(args []string) (string, error) {
	if len(args) > 1 {
		return "", usagef("expected at most one token argument, got %d", len(args))
	}

	if len(args) == 1 && args[0] != "-" {
		if args[0] == "" {
			return "", asUsage(errNoToken)
		}

		return args[0], nil
	}

	if s.stdin == nil {
		return "", asUsage(errNoToken)
	}

	if isTerminal(s.stdin) {
		fmt.Fprintf(s.stderr, "vapctl %s: reading the token from standard input; "+
			"paste it, then press Enter and Ctrl-D\n", s.name)
	}

	data, err := io.ReadAll(io.LimitReader(s.stdin, maxTokenInput))
	if err != nil {
		return "", fmt.Errorf("read standard input: %w", err)
	}

	token := dropFinalNewline(string(data))
	if token == "" {
		return "", asUsage(errNoToken)
	}

	return token, nil
}

// dropFinalNewline removes one trailing "\n" or "\r\n" from s.
func dropFinalNewline(s string) string {
	if t, ok := strings.CutSuffix(s, "\n"); ok {
		return strings.TrimSuffix(t, "\r")
	}

	return s
}

// isTerminal reports whether r is a terminal, where a user may wait
// without knowing that a token is expected: a character device other than
// the null device.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}

	info, err := f.Stat()
	if err != nil || info.Mode()&os.ModeCharDevice == 0 {
		return false
	}

	null, err := os.Stat(os.DevNull)

	return err != nil || !os.SameFile(info, null)
}
