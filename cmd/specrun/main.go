// Command specrun runs the MongoDB driver specification tests against a server and
// says, test by test, where the server departs from the specifications.
package main

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"
)

const usage = `specrun runs the MongoDB driver specification tests (Unified Test Format,
legacy CRUD v1, legacy command monitoring) through the official Go driver.

Usage:
  specrun check [flags] PATH|SPEC...   load and validate fixture files, no server needed
  specrun version                      print the versions of specrun and the Go driver

PATH is a fixture file or a folder (walked recursively). SPEC is a spec name such
as crud or crud/unified, found in the corpus: --corpus, else $SPECRUN_CORPUS, else
./specifications, else the Debian package location
` + "/usr/share/gocode/src/go.mongodb.org/mongo-driver/data" + `
(apt-get install golang-mongodb-mongo-driver-dev).

Running tests against a server (specrun run) is not built yet.

Run 'specrun check --help' for the flags of check.
`

// Exit statuses shared by the subcommands (see DESIGN.md).
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "check":
		return check(args[1:], stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, versionLine())
		return exitOK
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "specrun: unknown command %q\n\n%s", args[0], usage)
	return exitUsage
}

func versionLine() string {
	version, driver := "(devel)", "unknown"
	if info, ok := debug.ReadBuildInfo(); ok {
		if info.Main.Version != "" {
			version = info.Main.Version
		}
		for _, dep := range info.Deps {
			if dep.Path == "go.mongodb.org/mongo-driver/v2" {
				driver = dep.Version
			}
		}
	}
	return fmt.Sprintf("specrun %s, driver go.mongodb.org/mongo-driver/v2 %s", version, driver)
}
