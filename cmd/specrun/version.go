package main

import (
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"github.com/specrun/specrun/run"
)

const versionUsage = `Usage: specrun version

Prints the versions of specrun (the module version, and the commit it was built
from when built from a checkout), the Go driver it runs the tests through, the
embedded server (when this build has it) and Go. specrun --version is the same.

Example:
  specrun version

Flags:
`

func versionCommand(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("version", versionUsage, stdout, stderr)
	extra, exit, ok := parseArgs(fs, args)
	if !ok {
		return exit
	}
	if len(extra) > 0 {
		return fs.usageError("unexpected argument %q", extra[0])
	}
	info, _ := debug.ReadBuildInfo()
	fmt.Fprint(stdout, versionText(info))
	return exitOK
}

// ferretDBModule is the embedded server's module, whose version specrun names.
const ferretDBModule = "github.com/FerretDB/FerretDB"

// versionText is what specrun version prints, from the build information (nil: none
// recorded): specrun's module version with the commit and whether the checkout was
// modified, the Go driver's version, FerretDB's when it is linked in (not with -tags
// noembedded), and the Go version and platform.
func versionText(info *debug.BuildInfo) string {
	if info == nil {
		return "specrun (no build information)\n"
	}
	version, driver := run.BuildVersions(info)
	var b strings.Builder
	fmt.Fprintf(&b, "specrun %s\n", version)
	fmt.Fprintf(&b, "driver  %s\n", driver)
	ferretDB := ""
	for _, d := range info.Deps {
		if d.Path == ferretDBModule {
			ferretDB = d.Version
			if d.Replace != nil && d.Replace.Version != "" {
				ferretDB = d.Replace.Version
			}
		}
	}
	if ferretDB != "" {
		fmt.Fprintf(&b, "server  embedded FerretDB %s (SQLite)\n", strings.TrimPrefix(ferretDB, "v"))
	} else {
		fmt.Fprintln(&b, "server  none embedded (built with -tags noembedded)")
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	platform := settings["GOOS"] + "/" + settings["GOARCH"]
	if platform == "/" {
		platform = "platform unknown"
	}
	fmt.Fprintf(&b, "go      %s %s\n", info.GoVersion, platform)
	return b.String()
}
