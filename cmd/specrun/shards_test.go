package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/specrun/specrun/embedded"
	"github.com/specrun/specrun/internal/testcorpus"
	"github.com/specrun/specrun/report"
	"github.com/specrun/specrun/result"
)

// TestShardsAndShuffleGiveTheWholeRun: on the crud and command-logging-and-monitoring
// folders of the shared corpus, the 3-, 5- and 8-way shards, merged by specrun merge,
// give the whole run's verdicts test by test (status and reason), and so does a run of
// the files in a random order. Every run goes to one server, which each finds as the
// runs before it left it: a verdict may depend on nothing that ran before its file.
func TestShardsAndShuffleGiveTheWholeRun(t *testing.T) {
	srv, err := embedded.Start(context.Background(), embedded.Options{})
	require.NoError(t, err)
	defer srv.Close()
	source := filepath.Join(testcorpus.Shared(t), "source")
	folders := []string{filepath.Join(source, "crud/tests"), filepath.Join(source, "command-logging-and-monitoring/tests")}
	dir := t.TempDir()
	specrun := func(args ...string) (stderr string) {
		t.Helper()
		var out, errOut bytes.Buffer
		code := dispatch(append(args, "--uri", srv.URI()), &out, &errOut)
		require.Contains(t, []int{exitOK, exitFail}, code, "%s\n%s", out.String(), errOut.String())
		return errOut.String()
	}
	runReport := func(name string, args ...string) string {
		path := filepath.Join(dir, name+".json")
		specrun(append(append([]string{"run", "--json", path}, args...), folders...)...)
		return path
	}

	wholeRun := readReport(t, runReport("whole"))
	whole := verdicts(t, wholeRun.Tests)
	require.Greater(t, len(whole), 600)
	for _, n := range []int{3, 5, 8} {
		merge := []string{"merge", "--json", filepath.Join(dir, fmt.Sprintf("merged-%d.json", n))}
		for i := 1; i <= n; i++ {
			merge = append(merge, runReport(fmt.Sprintf("shard-%d-%d", i, n), "--shard", fmt.Sprintf("%d/%d", i, n)))
		}
		var out, errOut bytes.Buffer
		require.Equal(t, exitFail, dispatch(merge, &out, &errOut), "FerretDB fails some tests\n%s%s", out.String(), errOut.String())
		merged := readReport(t, merge[2])
		assert.Empty(t, differences(whole, verdicts(t, merged.Tests)), "%d shards merged", n)
		assert.Equal(t, ids(wholeRun.Tests), ids(merged.Tests), "%d shards merged: the whole run's order", n)
	}

	path := filepath.Join(dir, "shuffled.json")
	stderr := specrun(append([]string{"run", "--shuffle", "20241204", "--json", path}, folders...)...)
	assert.Regexp(t, regexp.MustCompile(`(?m)^specrun: --shuffle 20241204: the files run in a random order, which this seed repeats$`), stderr)
	shuffled := readReport(t, path)
	assert.Equal(t, "20241204", shuffled.Filters.Shuffle)
	assert.Empty(t, differences(whole, verdicts(t, shuffled.Tests)), "shuffled")
	var files []string
	for _, r := range shuffled.Tests {
		if len(files) == 0 || files[len(files)-1] != r.File {
			files = append(files, r.File)
		}
	}
	assert.False(t, slices.IsSorted(files), "the shuffled run ran its files in another order")
}

// verdicts are a run's statuses and reasons, by test ID.
func verdicts(t *testing.T, tests []result.Test) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, r := range tests {
		_, twice := out[r.ID]
		require.False(t, twice, "test %s twice", r.ID)
		out[r.ID] = string(r.Status) + ": " + report.Stable(r.Reason)
	}
	return out
}

// differences lists the tests whose verdicts differ, or that one of the runs lacks.
func differences(whole, other map[string]string) []string {
	var out []string
	for id, w := range whole {
		if o, ok := other[id]; !ok || o != w {
			out = append(out, fmt.Sprintf("%s: whole run %q, this one %q", id, w, o))
		}
	}
	for id, o := range other {
		if _, ok := whole[id]; !ok {
			out = append(out, fmt.Sprintf("%s: not in the whole run, this one %q", id, o))
		}
	}
	slices.Sort(out)
	return out
}

func ids(tests []result.Test) []string {
	var out []string
	for _, r := range tests {
		out = append(out, r.ID)
	}
	return out
}
