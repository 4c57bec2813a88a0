package run

import "runtime/debug"

// Versions returns BuildVersions of this binary's build.
func Versions() (version, driver string) {
	info, _ := debug.ReadBuildInfo()
	return BuildVersions(info)
}

// BuildVersions returns specrun's version, and the Go driver's module and version, as
// the build information records them (nil: none recorded). specrun's version is its
// module version ("(devel)" when built from a checkout) with the commit and its time,
// and whether the checkout was modified, when the build recorded them.
func BuildVersions(info *debug.BuildInfo) (version, driver string) {
	const driverModule = "go.mongodb.org/mongo-driver/v2"
	version, driver = "(devel)", "unknown"
	if info == nil {
		return version, driverModule + " " + driver
	}
	if info.Main.Version != "" {
		version = info.Main.Version
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
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
	for _, d := range info.Deps {
		if d.Path == driverModule {
			driver = d.Version
			if d.Replace != nil && d.Replace.Version != "" {
				driver = d.Replace.Version
			}
		}
	}
	return version, driverModule + " " + driver
}
