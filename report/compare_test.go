package report

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/specifications"
)

func compareRun(name, version string, tests ...result.Test) *Run {
	return &Run{
		Server: ServerInfo{Name: name, Version: version, Topology: "replicaset"},
		Corpus: []CorpusRoot{{Root: "/c/source", Identity: specifications.Identity{GitCommit: "abc"}}},
		Tests:  tests,
	}
}

func ct(id string, st result.Status, reason string) result.Test {
	return result.Test{ID: id, File: "/c/source/" + id + ".json", Status: st, Reason: reason}
}

func TestCompareCountsPerSpecAndServer(t *testing.T) {
	a := compareRun("A", "1", ct("crud/x/a", P, ""), ct("crud/x/b", F, "boom"), ct("sessions/y/c", S, "no"))
	b := compareRun("B", "2", ct("crud/x/a", P, ""), ct("crud/x/b", P, ""), ct("sessions/y/c", U, "no fail points"))
	c, err := Compare(a, b)
	require.NoError(t, err)
	assert.Equal(t, []string{"A", "B"}, c.Servers)
	require.Len(t, c.Specs, 2)
	assert.Equal(t, "crud", c.Specs[0].Spec)
	assert.Equal(t, Summary{Total: 2, Pass: 1, Fail: 1}, c.Specs[0].Counts[0])
	assert.Equal(t, Summary{Total: 2, Pass: 2}, c.Specs[0].Counts[1])
	assert.Equal(t, Summary{Total: 1, Unsupported: 1}, c.Specs[1].Counts[1])
	var ids []string
	for _, d := range c.Differences {
		ids = append(ids, d.ID)
	}
	assert.Equal(t, []string{"crud/x/b", "sessions/y/c"}, ids, "the tests whose status differs, and only those")
	assert.Equal(t, "boom", c.Differences[0].Results[0].Reason)
}

func TestCompareNamesColumns(t *testing.T) {
	unnamed := compareRun("", "8.2.11", ct("crud/x/a", P, ""))
	embedded := compareRun("", "7.0.42", ct("crud/x/a", P, ""))
	embedded.Server.Embedded, embedded.Server.Topology = true, "single"
	c, err := Compare(unnamed, embedded, compareRun("8.2.11 replicaset", "9", ct("crud/x/a", P, "")))
	require.NoError(t, err)
	assert.Equal(t, []string{"8.2.11 replicaset (report 1)", "7.0.42 single (embedded)", "8.2.11 replicaset (report 3)"}, c.Servers,
		"without a name, the report's identity; a name two reports share gets the report's number")
}

func TestCompareTestOnlyInOneReport(t *testing.T) {
	c, err := Compare(compareRun("A", "1", ct("crud/x/a", P, ""), ct("crud/x/new", P, "")), compareRun("B", "1", ct("crud/x/a", P, "")))
	require.NoError(t, err)
	require.Len(t, c.Differences, 1)
	assert.Equal(t, "crud/x/new", c.Differences[0].ID)
	assert.Nil(t, c.Differences[0].Results[1])
}

func TestCompareRefusesOtherCorpus(t *testing.T) {
	a := compareRun("FerretDB", "1", ct("crud/x/a", P, ""))
	b := compareRun("SecantusDB", "2", ct("crud/x/a", P, ""))
	b.Corpus[0].Identity.GitCommit = "def"
	_, err := Compare(a, b)
	var ce *CompareError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "compare: report 2 (SecantusDB) is not of the corpus of report 1 (FerretDB): other corpus: report 1 /c/source (git abc), report 2 /c/source (git def)", err.Error())

	b.Corpus[0].Identity.GitCommit = "abc"
	b.Corpus = append(b.Corpus, CorpusRoot{Root: "/d"})
	_, err = Compare(a, b)
	require.ErrorAs(t, err, &ce, "another number of roots is another corpus")

	_, err = Compare(a)
	require.ErrorAs(t, err, &ce, "one report is nothing to compare")
}

// TestComparePartialNotRun: as in Diff, a test a partial report did not run is no
// difference by that alone; where the others differ, it shows as not run.
func TestComparePartialNotRun(t *testing.T) {
	a := compareRun("A", "1", ct("crud/x/a", P, ""), ct("crud/x/b", P, ""), ct("crud/x/c", P, ""))
	b := compareRun("B", "2", ct("crud/x/a", P, ""))
	b.Partial = &Partial{Reason: "interrupted", NotRun: []result.Test{ct("crud/x/b", "", ""), ct("crud/x/c", "", "")}}
	c3 := compareRun("C", "3", ct("crud/x/a", P, ""), ct("crud/x/b", P, ""), ct("crud/x/c", F, "boom"))

	c, err := Compare(a, b)
	require.NoError(t, err)
	assert.Empty(t, c.Differences, "not run is not a difference")
	d := Diff(a, b)
	assert.Empty(t, d.Removed, "Diff agrees")

	c, err = Compare(a, b, c3)
	require.NoError(t, err)
	require.Len(t, c.Differences, 1)
	assert.Equal(t, "crud/x/c", c.Differences[0].ID)
	var out strings.Builder
	require.NoError(t, c.WriteText(&out))
	assert.Contains(t, out.String(), "crud/x/c\n    A: pass\n    B: not run (partial report)\n    C: fail: boom\n")
	var js strings.Builder
	require.NoError(t, c.WriteJSON(&js))
	assert.Contains(t, js.String(), `"notRun": [
        false,
        true,
        false
      ]`, "the JSON tells a test not run from one the report lacks")
}
