package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
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
}

// exitStatus reports err (unless already printed) and maps it to a status.
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

	if errors.Is(err, errUsage) {
		return exitUsage
	}

	return exitFailure
}

func (s *session) writeTextError(err error) {
	fmt.Fprintf(s.stderr, "vapctl %s: %v\n", s.name, err)
	if hint := launch.Hint(err); hint != "" {
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
	}{Error: jsonError{Message: err.Error(), Code: launch.Code(err), Hint: launch.Hint(err)}}
	_ = writeJSON(s.stdout, out)
}

// writeJSON writes v as indented JSON followed by a newline.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)

	return enc.Encode(v)
}

// newFlagSet returns a FlagSet whose usage shows the command's synopsis.
func (s *session) newFlagSet(synopsis, description string) *flag.FlagSet {
	fs := flag.NewFlagSet("vapctl "+s.name, flag.ContinueOnError)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "Usage: vapctl %s %s\n\n%s\n\nFlags:\n", s.name, synopsis, description)
		fs.PrintDefaults()
	}

	return fs
}

// parseFlags parses args. --help prints the usage on stdout; a wrong flag
// prints the message and the usage on stderr.
func (s *session) parseFlags(fs *flag.FlagSet, args []string) error {
	var msg bytes.Buffer
	fs.SetOutput(&msg)
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(s.stdout)
		fs.Usage()

		return errHelp
	}

	if err != nil {
		_, _ = s.stderr.Write(msg.Bytes())

		return errors.Join(errUsage, errReported)
	}

	return nil
}

// usagef returns a usage error with a message.
func usagef(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errUsage}, args...)...)
}

// maxTokenInput bounds what is read from standard input; anything larger
// is far above the verifier's size cap anyway.
const maxTokenInput = 1 << 20

// readToken takes the token from the only argument, or from standard input
// when there is no argument or it is "-".
func (s *session) readToken(args []string) (string, error) {
	if len(args) > 1 {
		return "", usagef("expected at most one token argument, got %d", len(args))
	}

	if len(args) == 1 && args[0] != "-" {
		return strings.TrimSpace(args[0]), nil
	}

	if s.stdin == nil {
		return "", errNoToken
	}

	data, err := io.ReadAll(io.LimitReader(s.stdin, maxTokenInput))
	if err != nil {
		return "", fmt.Errorf("vapctl: read standard input: %w", err)
	}

	token := strings.TrimSpace(string(data))
	if token == "" {
		return "", errNoToken
	}

	return token, nil
}
