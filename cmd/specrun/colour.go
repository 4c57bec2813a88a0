package main

import (
	"fmt"
	"io"
	"os"

	"golang.org/x/term"
)

// Colour marks status words and the recap's headers on a terminal, nothing else: the
// text of fixtures and servers is never coloured, and the reports never are.
// --color auto (the default) colours when stdout is a terminal and NO_COLOR is unset
// or empty (https://no-color.org); always and never decide alone, as a command-line
// flag overrides NO_COLOR.

const colorUsage = "colour status words on the terminal: `WHEN` is auto (stdout is a terminal and $NO_COLOR is\nunset or empty), always or never"

// useColor decides whether to colour what goes to stdout.
func useColor(flag string, stdout io.Writer, getenv func(string) string) (bool, error) {
	f, isFile := stdout.(*os.File)
	terminal := isFile && term.IsTerminal(int(f.Fd()))
	switch flag {
	case "always":
		if terminal {
			enableColor(f) // colour_windows.go
		}
		return true, nil
	case "never":
		return false, nil
	case "auto", "":
		return getenv("NO_COLOR") == "" && terminal && enableColor(f), nil
	}
	return false, fmt.Errorf("--color %q: want auto, always or never", flag)
}

// style is an SGR sequence: what a status word looks like.
type style string

const (
	styleFail  style = "\x1b[1;31m" // bold red: fail, error, regressions
	stylePass  style = "\x1b[32m"   // green
	styleOther style = "\x1b[33m"   // yellow: skip, unsupported, an unexpected pass
	styleQuiet style = "\x1b[2m"    // faint: expected results
	styleReset style = "\x1b[0m"
)

// palette writes words in colour, or plainly. Its words are specrun's own (status
// words, headers): they go to the raw stdout, around the terminal writer that makes
// everything else visible (terminal), which would escape the colour sequences.
type palette struct {
	raw io.Writer // the unwrapped stdout; nil: no colour
}

// word writes s to w in the style (s must be specrun's own text).
func (c palette) word(w io.Writer, st style, s string) {
	if c.raw == nil {
		fmt.Fprint(w, s)
		return
	}
	fmt.Fprint(c.raw, string(st)+s+string(styleReset))
}

// statusStyle is how a status word looks.
func statusStyle(s string) style {
	switch s {
	case "fail", "error", "FAIL", "ERROR":
		return styleFail
	case "pass", "PASS":
		return stylePass
	}
	return styleOther
}
