package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

// commandFlags is a command's FlagSet together with what its synopsis
// needs beyond the flags: which flags are required, which are alternatives,
// and the positional arguments. The synopsis and the flag list of --help
// are generated from the FlagSet, so they always show every flag.
type commandFlags struct {
	*flag.FlagSet
	command     string
	description string
	// required lists flags that must be given a non-empty value.
	required []string
	// oneOf lists groups of flags of which exactly one must be given.
	oneOf [][]string
	// args describes the positional arguments, such as "[TOKEN | -]".
	args string
}

// synopsisWidth is the column at which the synopsis wraps.
const synopsisWidth = 80

// newFlagSet returns the command's flags; --help prints the description.
// The flags' usage strings name their value in back quotes, as in
// "PEM private key `FILE`", which the synopsis shows as --key FILE.
func (s *session) newFlagSet(description string) *commandFlags {
	fs := flag.NewFlagSet("vapctl "+s.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c := &commandFlags{FlagSet: fs, command: s.name, description: description}
	s.flags = c

	return c
}

// require marks flags as required, in the order the synopsis shows them.
func (c *commandFlags) require(names ...string) {
	c.required = append(c.required, names...)
}

// exactlyOne marks flags of which exactly one must be given.
func (c *commandFlags) exactlyOne(names ...string) {
	c.oneOf = append(c.oneOf, names)
}

// checkRequired returns a usage error naming the required flags left out
// or empty, and the groups not given exactly once.
func (c *commandFlags) checkRequired() error {
	var missing []string
	for _, name := range c.required {
		if !c.given(name) {
			missing = append(missing, "--"+name)
		}
	}

	switch len(missing) {
	case 0:
	case 1:
		return usagef("missing required flag %s", missing[0])
	default:
		return usagef("missing required flags %s", strings.Join(missing, ", "))
	}

	for _, group := range c.oneOf {
		n := 0
		for _, name := range group {
			if c.given(name) {
				n++
			}
		}

		if n != 1 {
			return usagef("give exactly one of %s", joinFlags(group, " and "))
		}
	}

	return nil
}

// given reports whether the flag has a non-empty value.
func (c *commandFlags) given(name string) bool {
	f := c.Lookup(name)

	return f != nil && f.Value.String() != ""
}

// isSet reports whether the flag was given on the command line.
func (c *commandFlags) isSet(name string) bool {
	set := false
	c.Visit(func(f *flag.Flag) { set = set || f.Name == name })

	return set
}

func joinFlags(names []string, sep string) string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = "--" + n
	}

	return strings.Join(out, sep)
}

// placeholder returns how a flag's value is shown: the back-quoted word of
// its usage, else its type in capitals, and "" for a boolean flag.
func placeholder(f *flag.Flag) string {
	name, _ := flag.UnquoteUsage(f)

	return strings.ToUpper(name)
}

// flagWord returns "--name VALUE", or "--name" for a boolean flag.
func flagWord(f *flag.Flag) string {
	if p := placeholder(f); p != "" {
		return "--" + f.Name + " " + p
	}

	return "--" + f.Name
}

// synopsisWords returns the synopsis after "vapctl <command>": required
// flags, then alternatives, then every other flag in brackets, then the
// arguments.
func (c *commandFlags) synopsisWords() []string {
	var words []string
	listed := map[string]bool{}
	for _, name := range c.required {
		words = append(words, flagWord(c.Lookup(name)))
		listed[name] = true
	}

	for _, group := range c.oneOf {
		alts := make([]string, len(group))
		for i, name := range group {
			alts[i] = flagWord(c.Lookup(name))
			listed[name] = true
		}

		words = append(words, "("+strings.Join(alts, " | ")+")")
	}

	c.VisitAll(func(f *flag.Flag) {
		if !listed[f.Name] {
			words = append(words, "["+flagWord(f)+"]")
		}
	})

	if c.args != "" {
		words = append(words, c.args)
	}

	return words
}

// synopsis returns lead and "vapctl <command> ..." wrapped at
// synopsisWidth, each continuation line indented under the first flag.
func (c *commandFlags) synopsis(lead string) string {
	head := lead + "vapctl " + c.command
	pad := strings.Repeat(" ", len(head))
	var b strings.Builder
	b.WriteString(head)
	col := len(head)
	for i, w := range c.synopsisWords() {
		if i > 0 && col+1+len(w) > synopsisWidth {
			b.WriteString("\n" + pad)
			col = len(pad)
		}

		b.WriteString(" " + w)
		col += 1 + len(w)
	}

	return b.String()
}

// printHelp writes the command's synopsis, description and flags.
func (c *commandFlags) printHelp(w io.Writer) {
	fmt.Fprintf(w, "%s\n\n%s\n\nFlags:\n", c.synopsis("Usage: "), c.description)
	c.VisitAll(func(f *flag.Flag) {
		_, usage := flag.UnquoteUsage(f)
		if slices.Contains(c.required, f.Name) {
			usage += " (required)"
		}

		for _, group := range c.oneOf {
			if i := slices.Index(group, f.Name); i >= 0 {
				others := slices.Delete(slices.Clone(group), i, i+1)
				usage += " (this or " + joinFlags(others, " or ") + " is required)"
			}
		}

		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
			usage += fmt.Sprintf(" (default %s)", f.DefValue)
		}

		fmt.Fprintf(w, "  %s\n      %s\n", flagWord(f), usage)
	})
}

// printUsageHint writes the synopsis and where to read more, after a
// usage error.
func (c *commandFlags) printUsageHint(w io.Writer) {
	fmt.Fprintf(w, "%s\nRun 'vapctl %s --help' for details.\n", c.synopsis("usage: "), c.command)
}

// parse parses args. --help prints the help on the session's stdout and
// returns errHelp; a flag the set does not know, or a malformed value, is a
// usage error.
func (c *commandFlags) parse(s *session, args []string) error {
	err := c.Parse(args)
	if err == nil {
		return nil
	}

	if errors.Is(err, flag.ErrHelp) {
		c.printHelp(s.stdout)

		return errHelp
	}

	return &usageError{err: err}
}
