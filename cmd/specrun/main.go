// Command specrun runs the MongoDB driver specification tests against a server and
// says, test by test, where the server departs from the specifications.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/specrun/specrun/run"
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
  specrun merge A.json B.json... [--json F] [--junit F] [--markdown F]
                                       join the reports of --shard runs into one
  specrun compare A.json B.json... [--json F] [--markdown F]
                                       reports of different servers on the same
                                       corpus, side by side
  specrun serve [--addr HOST:PORT]     run the embedded FerretDB server until interrupted
  specrun corpus list [SPEC...]        the corpora found, in the order SPEC names are
                                       looked up, and where each SPEC resolves
  specrun corpus get [REF] [--from URL|FILE]
                                       fetch mongodb/specifications' test data at REF
                                       into the user cache, where SPEC names find it
  specrun version                      print the versions of specrun and the Go driver

PATH is a fixture file or a folder (walked recursively). SPEC is a spec name such
as crud or crud/unified, found in the first corpus of: --corpus, $SPECRUN_CORPUS,
the corpus fetched last by specrun corpus get, ./specifications, the Go driver 1.x
module's test data in the Go module cache (there on any machine that built
specrun), the Debian package location
` + "/usr/share/gocode/src/go.mongodb.org/mongo-driver/data" + `.
A run says which it used.

Examples:
  specrun crud                                  CRUD spec tests on the embedded server
  specrun --uri mongodb://localhost:27017 ./specifications/crud --json r.json

Run 'specrun <command> --help' for the flags of a command.
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

func dispatch(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "run":
		return runCommand(args[1:], stdout, stderr)
	case "check":
		return check(args[1:], stdout, stderr)
	case "diff":
		return diff(args[1:], stdout, stderr)
	case "merge":
		return merge(args[1:], stdout, stderr)
	case "compare":
		return compare(args[1:], stdout, stderr)
	case "serve":
		return serve(args[1:], stdout, stderr)
	case "corpus":
		return corpusCommand(args[1:], stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, versionLine())
		return exitOK
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	// run is the default subcommand: anything else is its flags and paths.
	return runCommand(args, stdout, stderr)
}

func versionLine() string {
	version, driver := run.Versions()
	return fmt.Sprintf("specrun %s, driver %s", version, driver)
}

// parseFlags parses flags wherever they stand among the arguments (specrun crud --json
// r.json as well as specrun --json r.json crud) and returns the other arguments.
// newFlags is a subcommand's flag set: errors and --help go to stderr, --help prints
// usage and then the flags.
func newFlags(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	return fs
}

// parseArgs parses flags anywhere among the arguments and returns the others. When it
// returns false, the subcommand ends with the exit status: 0 for --help, 2 for a bad flag.
func parseArgs(fs *flag.FlagSet, args []string) (paths []string, exit int, ok bool) {
	paths, err := parseFlags(fs, args)
	switch {
	case err == flag.ErrHelp:
		return nil, exitOK, false
	case err != nil:
		return nil, exitUsage, false
	}
	return paths, 0, true
}

func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return rest, nil
		}
		rest = append(rest, args[0])
		args = args[1:]
	}
}
