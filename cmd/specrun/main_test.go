package main

import (
	"os"
	"testing"
)

// envAsMain makes the test binary run as specrun itself: the tests start it as a
// server process (specrun serve) that they can kill, or as a whole specrun run.
const envAsMain = "SPECRUN_TEST_AS_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(envAsMain) == "1" {
		os.Exit(dispatch(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}
