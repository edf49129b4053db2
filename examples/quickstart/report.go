package main

import (
	"fmt"
	"io"
)

// report prints numbered steps and their details.
type report struct {
	w io.Writer
	n int
}

func (r *report) step(format string, args ...any) {
	r.n++
	fmt.Fprintf(r.w, "%2d. "+format+"\n", append([]any{r.n}, args...)...)
}

func (r *report) detail(format string, args ...any) {
	fmt.Fprintf(r.w, "    "+format+"\n", args...)
}

func (r *report) line(format string, args ...any) {
	fmt.Fprintf(r.w, format+"\n", args...)
}
