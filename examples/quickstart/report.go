package main

import (
	"fmt"
	"io"
	"strings"
)

// report prints numbered steps and their details.
type report struct {
	w io.Writer
	n int
}

func (r *report) step(format string, args ...any) {
	r.n++
	r.line("%2d. "+format, append([]any{r.n}, args...)...)
}

func (r *report) detail(format string, args ...any) {
	r.line("    "+format, args...)
}

// line prints one line without trailing blanks (padded columns leave some).
func (r *report) line(format string, args ...any) {
	fmt.Fprintln(r.w, strings.TrimRight(fmt.Sprintf(format, args...), " "))
}
