package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// envAsMain makes the test binary run as specrun itself: the tests start it as a
// server process (specrun serve) that they can kill, or as a whole specrun run.
const envAsMain = "SPECRUN_TEST_AS_MAIN"

// slowFixture has a slow test (30s) between two quick ones.
var slowFixture = filepath.Join("..", "..", "testdata", "run", "slow")

func TestMain(m *testing.M) {
	if os.Getenv(envAsMain) == "1" {
		os.Exit(dispatch(os.Args[1:], os.Stdout, os.Stderr))
	}
	// The tests say which server and corpus they run on: a user's own (a CI machine's
	// $MONGODB_URI) would change what they run, and their verdicts.
	for _, name := range userEnvironment {
		os.Unsetenv(name)
	}
	os.Exit(m.Run())
}

// userEnvironment is what specrun reads from the environment to choose its server
// and corpus.
var userEnvironment = []string{"MONGODB_URI", "SINGLE_MONGOS_LB_URI", "MULTI_MONGOS_LB_URI", "SPECRUN_CORPUS"}

// asMain is the test binary run as specrun with args.
func asMain(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), envAsMain+"=1")
	return cmd
}

type reportTests struct {
	Tests []struct{ ID, Status, Reason string }
}

func readTests(t *testing.T, path string) map[string][2]string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var rep reportTests
	require.NoError(t, json.Unmarshal(data, &rep))
	out := map[string][2]string{}
	for _, r := range rep.Tests {
		out[r.ID] = [2]string{r.Status, r.Reason}
	}
	return out
}
