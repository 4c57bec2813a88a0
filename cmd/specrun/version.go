package main

import (
	"fmt"
	"io"
	"runtime/debug"
	"strings"
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

// The modules whose versions specrun names.
const (
	driverModule   = "go.mongodb.org/mongo-driver/v2"
	ferretDBModule = "github.com/FerretDB/FerretDB"
)

// versionText is what specrun version prints, from the build information (nil: none
// recorded): specrun's module version with the commit and whether the checkout was
// modified, the Go driver's version, FerretDB's when it is linked in (not with -tags
// noembedded), and the Go version and platform.
func versionText(info *debug.BuildInfo) string {
	if info == nil {
		return "specrun (no build information)\n"
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	version := info.Main.Version
	if version == "" {
		version = "(devel)"
	}
	if rev := settings["vcs.revision"]; rev != "" {
		built := "commit " + rev
		if t := settings["vcs.time"]; t != "" {
			built += " of " + t
		}
		if settings["vcs.modified"] == "true" {
			built += ", with uncommitted changes"
		}
		version += " (" + built + ")"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "specrun %s\n", version)
	deps := map[string]string{}
	for _, d := range info.Deps {
		v := d.Version
		if d.Replace != nil && d.Replace.Version != "" {
			v = d.Replace.Version
		}
		deps[d.Path] = v
	}
	fmt.Fprintf(&b, "driver  %s %s\n", driverModule, orUnknown(deps[driverModule]))
	if v, ok := deps[ferretDBModule]; ok {
		fmt.Fprintf(&b, "server  embedded FerretDB %s (SQLite)\n", strings.TrimPrefix(v, "v"))
	} else {
		fmt.Fprintln(&b, "server  none embedded (built with -tags noembedded)")
	}
	platform := settings["GOOS"] + "/" + settings["GOARCH"]
	if platform == "/" {
		platform = "platform unknown"
	}
	fmt.Fprintf(&b, "go      %s %s\n", info.GoVersion, platform)
	return b.String()
}
