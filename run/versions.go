package run

import "runtime/debug"

// Versions returns specrun's version and the driver's module and version, as the
// build recorded them.
func Versions() (version, driver string) {
	version, driver = "(devel)", "unknown"
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
	return version, "go.mongodb.org/mongo-driver/v2 " + driver
}
