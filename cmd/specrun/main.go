// Command specrun runs the MongoDB driver specification tests against a server and
// says, test by test, where the server departs from the specifications.
package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/specrun/specrun/specifications"
)

const usage = `specrun runs the MongoDB driver specification tests (Unified Test Format,
legacy CRUD v1, legacy command monitoring) through the official Go driver.

Usage:
  specrun [run] [flags] PATH|SPEC...   run spec tests against a server (default: an
                                       embedded FerretDB) and print a verdict per test
  specrun check [flags] PATH|SPEC...   load and validate fixture files and list what
                                       specrun cannot run in them; no server needed
  specrun diff OLD.json NEW.json       compare two JSON reports: regressions, fixes, new
                                       and removed tests; exit 1 on a regression
  specrun merge A.json B.json...       join the reports of --shard runs into one
  specrun compare A.json B.json...     reports of different servers on the same
                                       corpus, side by side
  specrun serve [--addr HOST:PORT]     run the embedded FerretDB server until interrupted
  specrun corpus list [SPEC...]        the corpora found, in the order SPEC names are
                                       looked up, and where each SPEC resolves
  specrun corpus get [REF]             fetch mongodb/specifications' test data at REF
                                       into the user cache, where SPEC names find it
  specrun version                      the versions of specrun, the Go driver, the
                                       embedded server and Go (also --version)
  specrun help [COMMAND]               this help, or a command's

PATH is a fixture file or a folder (walked recursively). SPEC is a spec name such
as crud or crud/unified, found in the first corpus of: --corpus, $SPECRUN_CORPUS,
the corpus fetched last by specrun corpus get, ./specifications, the Go driver 1.x
module's test data in the Go module cache (there on any machine that built
specrun), the Debian package location
` + specifications.DebianCorpus + `.
A run says which it used.

Reports (FILE - is stdout; then what specrun says for people goes to stderr):
  --json FILE          run, merge    JSON: every test with status, reason and detail;
                                     what diff, merge and compare read
  --junit FILE         run, merge    JUnit XML: one testsuite per fixture file, for CI
  --markdown FILE      run, merge    Markdown: a table per spec and the failures, for
                                     release notes and CI summaries
  --update-expect FILE run           YAML expectations file: what the server does
                                     today, each entry with a reason (read by --expect)
  --json FILE          diff          JSON: regressions, fixes and other changes
  --json, --markdown   compare       JSON and Markdown: the servers side by side

Examples:
  specrun crud                                  CRUD spec tests on the embedded server
  specrun --uri mongodb://localhost:27017 crud --expect expect.yml --junit junit.xml
  specrun check ./specifications/source         validate a checkout's fixtures

Run 'specrun help COMMAND' (or 'specrun COMMAND --help') for a command's flags.
`

// Exit statuses shared by the subcommands (see DESIGN.md).
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

func main() {
	os.Exit(dispatch(os.Args[1:], os.Stdout, os.Stderr))
}

// commands are specrun's commands by name; run is also what any other first
// argument starts.
var commands = map[string]func(args []string, stdout, stderr io.Writer) int{
	"run":     runCommand,
	"check":   check,
	"diff":    diff,
	"merge":   merge,
	"compare": compare,
	"serve":   serve,
	"corpus":  corpusCommand,
	"version": versionCommand,
}

func dispatch(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	if command, ok := commands[args[0]]; ok {
		return command(args[1:], stdout, stderr)
	}
	switch args[0] {
	case "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	case "help":
		return help(args[1:], stdout, stderr)
	case "-version", "--version":
		return versionCommand(args[1:], stdout, stderr)
	}
	if s := mistypedCommand(args[0]); s != "" {
		return unknownCommand(args[0], s, stderr)
	}
	// run is the default command: anything else is its flags and paths.
	return runCommand(args, stdout, stderr)
}

// help is specrun help [COMMAND [SUBCOMMAND]]: the command's --help.
func help(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	command, ok := commands[args[0]]
	if !ok {
		msg := fmt.Sprintf("specrun help: %s: no such command", args[0])
		if s := closest(args[0], commandNames()); s != "" {
			msg += "; did you mean " + s + "?"
		}
		fmt.Fprintln(stderr, msg)
		fmt.Fprintln(stderr, "Run 'specrun help' for usage.")
		return exitUsage
	}
	return command(append(args[1:len(args):len(args)], "--help"), stdout, stderr)
}

func commandNames() []string {
	names := []string{"help"}
	for name := range commands {
		names = append(names, name)
	}
	return names
}

// mistypedCommand is the command arg was most likely meant to be ("" if none): arg is
// near a command's name, and is neither a flag, a path that exists, nor a spec name
// of the corpus spec names resolve in.
func mistypedCommand(arg string) string {
	if strings.HasPrefix(arg, "-") {
		return ""
	}
	s := closest(arg, commandNames())
	if s == "" {
		return ""
	}
	if _, err := os.Lstat(arg); err == nil {
		return ""
	}
	if root, err := specifications.CorpusRoot(""); err == nil {
		if _, err := specifications.Resolve(arg, root); err == nil {
			return ""
		}
	}
	return s
}

// unknownCommand says that arg is no command (nor a file or spec), and which was meant.
func unknownCommand(arg, suggestion string, stderr io.Writer) int {
	fmt.Fprintf(stderr, "specrun: %s: no such command, file or spec; did you mean %s?\n", arg, suggestion)
	fmt.Fprintln(stderr, "Run 'specrun help' for usage.")
	return exitUsage
}
