package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/specrun/specrun/specifications"
)

// flagSet is a command's flags with its help: --help prints the help on stdout (exit
// 0); a usage error is one line on stderr and a hint where the help is (exit 2). The
// flag package's own messages (which write flags with one dash) are not printed.
type flagSet struct {
	*flag.FlagSet
	command string // as in "specrun help <command>": run, check, corpus get
	usage   string // the help above the flags, ending with "Flags:\n"
	stdout  io.Writer
	stderr  io.Writer
}

func newFlags(command, usage string, stdout, stderr io.Writer) *flagSet {
	fs := flag.NewFlagSet(command, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &flagSet{FlagSet: fs, command: command, usage: usage, stdout: stdout, stderr: stderr}
}

// help prints the command's help and its flags on stdout.
func (fs *flagSet) help() {
	fmt.Fprint(fs.stdout, fs.usage)
	printFlags(fs.stdout, fs.FlagSet)
}

// usageError prints what is wrong and where the help is, on stderr, and returns the
// exit status of a usage error.
func (fs *flagSet) usageError(format string, args ...any) int {
	prefix := "specrun " + fs.command
	if fs.command == "run" { // the default command: its messages say "specrun:"
		prefix = "specrun"
	}
	fmt.Fprintf(fs.stderr, "%s: %s\n", prefix, fmt.Sprintf(format, args...))
	fmt.Fprintf(fs.stderr, "Run 'specrun help %s' for usage.\n", fs.command)
	return exitUsage
}

// parseArgs parses flags anywhere among the arguments (specrun crud --json r.json as
// well as specrun --json r.json crud) and returns the others. When it returns false,
// the command ends with the exit status: 0 for --help, 2 for a bad flag.
func parseArgs(fs *flagSet, args []string) (paths []string, exit int, ok bool) {
	for {
		err := fs.Parse(args)
		switch {
		case errors.Is(err, flag.ErrHelp):
			fs.help()
			return nil, exitOK, false
		case err != nil:
			return nil, fs.usageError("%s", fs.flagError(err)), false
		}
		args = fs.Args()
		if len(args) == 0 {
			return paths, 0, true
		}
		paths = append(paths, args[0])
		args = args[1:]
	}
}

// flagError is the flag package's error with flags written as the help writes them
// (--json, -v), and for an unknown flag the closest one.
func (fs *flagSet) flagError(err error) string {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		msg = "unknown flag " + dashed(name)
		var names []string
		fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
		if s := closest(name, names); s != "" {
			msg += "; did you mean " + dashed(s) + "?"
		}
		return msg
	}
	// "flag needs an argument: -json", "invalid value "x" for flag -timeout: …"
	for _, prefix := range []string{"flag needs an argument: -", "for flag -"} {
		if before, after, ok := strings.Cut(msg, prefix); ok {
			name, rest, _ := strings.Cut(after, ":")
			msg = before + strings.TrimSuffix(prefix, "-") + dashed(name)
			if rest != "" {
				msg += ":" + rest
			}
		}
	}
	return msg
}

// dashed writes a flag as the help does: one dash for a one-letter flag (-v), two for
// the others (--json).
func dashed(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// printFlags lists the flags as a user types them: "--json FILE", the help below it,
// indented, with the default when it is not the zero value.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		arg, usage := flag.UnquoteUsage(f)
		head := dashed(f.Name)
		if arg != "" {
			if arg == strings.ToLower(arg) {
				arg = strings.ToUpper(arg)
			}
			head += " " + arg
		}
		switch f.DefValue {
		case "", "false", "0", "0s":
		default:
			usage += " (default " + f.DefValue + ")"
		}
		fmt.Fprintf(w, "  %s\n", head)
		for _, line := range strings.Split(usage, "\n") {
			fmt.Fprintf(w, "        %s\n", line)
		}
	})
}

// closest is the candidate nearest to s, if near enough to be what was meant.
func closest(s string, candidates []string) string { return specifications.Closest(s, candidates) }
