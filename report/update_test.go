package report

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/specrun/specrun/result"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func parse(t *testing.T, yaml string) *Expectations {
	t.Helper()
	exp, err := ParseExpectations("expect.yaml", []byte(yaml))
	require.NoError(t, err)
	return exp
}

// entries renders entries as "id|prefix status reason" lines, for comparison.
func entries(es []Entry) []string {
	var out []string
	for _, e := range es {
		kind := "id"
		if e.Prefix != "" {
			kind = "prefix"
		}
		out = append(out, fmt.Sprintf("%s %s %s: %s", kind, e.key(), e.Status, e.Reason))
	}
	return out
}

// Statuses, short, for the tables of cases.
const (
	P = result.Pass
	F = result.Fail
	S = result.Skip
	U = result.Unsupported
	E = result.Error
)

func TestUpdateExpectations(t *testing.T) {
	todo := func(st result.Status) string { return TODOReason + "because " + string(st) }
	tests := []struct {
		name    string
		base    string // "" for no file
		results []result.Test
		known   []string
		want    []string
	}{
		{"no file: an entry per fail and error, none for skip and unsupported", "",
			[]result.Test{res("a/x/1", P), res("a/x/2", F), res("a/x/3", S), res("a/x/4", U), res("a/x/5", E)}, nil,
			[]string{"id a/x/2 fail: " + todo(F), "id a/x/5 error: " + todo(E)}},
		{"met entries stay with their reasons", "tests:\n- {id: a/x/2, status: fail, reason: known}\n- {prefix: b/, status: unsupported, reason: no b}\n",
			[]result.Test{res("a/x/2", F), res("b/y/1", U), res("b/y/2", U)}, nil,
			[]string{"id a/x/2 fail: known", "prefix b/ unsupported: no b"}},
		{"an id entry whose test passes goes", "tests:\n- {id: a/x/2, status: fail, reason: known}\n",
			[]result.Test{res("a/x/2", P)}, nil, nil},
		{"an id entry whose test changed status takes it, marked TODO", "tests:\n- {id: a/x/2, status: fail, reason: known}\n",
			[]result.Test{res("a/x/2", E)}, nil, []string{"id a/x/2 error: " + todo(E)}},
		{"an id entry that became unsupported follows: a gate notices a test no longer judged", "tests:\n- {id: a/x/2, status: fail, reason: known}\n",
			[]result.Test{res("a/x/2", U)}, nil, []string{"id a/x/2 unsupported: " + todo(U)}},
		{"a test passing under a prefix gets an id entry with status pass", "tests:\n- {prefix: b/, status: fail, reason: no b}\n",
			[]result.Test{res("b/y/1", F), res("b/y/2", P)}, nil,
			[]string{"prefix b/ fail: no b", "id b/y/2 pass: " + TODOReason + "pass"}},
		{"an id entry carving a test out of a prefix stays when the test passes", "tests:\n- {prefix: b/, status: fail, reason: no b}\n- {id: b/y/2, status: unsupported, reason: carve}\n",
			[]result.Test{res("b/y/1", F), res("b/y/2", P)}, nil,
			[]string{"prefix b/ fail: no b", "id b/y/2 pass: " + TODOReason + "pass"}},
		{"a prefix no test meets goes; its tests get id entries", "tests:\n- {prefix: b/, status: unsupported, reason: no b}\n",
			[]result.Test{res("b/y/1", F), res("b/y/2", P)}, nil, []string{"id b/y/1 fail: " + todo(F)}},
		{"a prefix deciding tests that did not run stays", "tests:\n- {prefix: b/, status: unsupported, reason: no b}\n",
			[]result.Test{res("b/y/1", F)}, []string{"b/y/1", "b/y/2"},
			[]string{"prefix b/ unsupported: no b", "id b/y/1 fail: " + todo(F)}},
		{"stale entries go; entries of tests that did not run stay", "tests:\n- {id: a/x/9, status: fail, reason: gone}\n- {id: c/z/1, status: fail, reason: filtered}\n",
			[]result.Test{res("a/x/1", P)}, []string{"a/x/1", "c/z/1"}, []string{"id c/z/1 fail: filtered"}},
		{"a prefix shadowed by id entries for all its tests goes", "tests:\n- {prefix: a/, status: fail, reason: all a}\n",
			[]result.Test{res("a/x/1", E)}, nil, []string{"id a/x/1 error: " + todo(E)}},
		{"a test failing with no entry under a prefix of another status", "tests:\n- {prefix: b/, status: unsupported, reason: no b}\n",
			[]result.Test{res("b/y/1", U), res("b/y/2", F)}, nil,
			[]string{"prefix b/ unsupported: no b", "id b/y/2 fail: " + todo(F)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var base *Expectations
			if tc.base != "" {
				base = parse(t, tc.base)
			}
			up := UpdateExpectations(base, tc.results, tc.known)
			assert.Equal(t, tc.want, entries(up.Expectations.Entries))
			ev := up.Expectations.Evaluate(tc.results, tc.known)
			assert.True(t, ev.OK(), "the run satisfies the written file")
			assert.Empty(t, ev.Stale, "the written file has no stale entry")
		})
	}
}

func TestUpdateExpectationsTakesReasonsFromOtherFiles(t *testing.T) {
	base := parse(t, "tests:\n- {id: a/x/1, status: fail, reason: from --expect}\n")
	own := parse(t, "tests:\n- {id: a/x/2, status: error, reason: from the file itself}\n- {id: a/x/1, status: error, reason: other status}\n")
	up := UpdateExpectations(base, []result.Test{res("a/x/1", result.Fail), res("a/x/2", result.Error)}, nil, own)
	assert.Equal(t, []string{"id a/x/1 fail: from --expect", "id a/x/2 error: from the file itself"}, entries(up.Expectations.Entries))
	assert.Equal(t, []string{"id a/x/2 error: from the file itself"}, entries(up.Added))
}

func TestUpdateExpectationsReportsChanges(t *testing.T) {
	base := parse(t, "tests:\n- {id: a/x/1, status: fail, reason: r1}\n- {id: a/x/2, status: fail, reason: r2}\n- {id: a/x/9, status: fail, reason: gone}\n")
	up := UpdateExpectations(base, []result.Test{res("a/x/1", result.Pass), res("a/x/2", result.Error), res("a/x/3", result.Fail)}, nil)
	assert.Equal(t, []string{"id a/x/3 fail: " + TODOReason + "because fail"}, entries(up.Added))
	assert.Equal(t, []string{"id a/x/2 error: " + TODOReason + "because error"}, entries(up.Changed))
	assert.ElementsMatch(t, []string{"id a/x/1 fail: r1", "id a/x/9 fail: gone"}, entries(up.Removed))
}

// TestUpdateExpectationsRandom: whatever the file and the run, the written file is
// one the run satisfies with no stale entry, and it reads back to the same entries.
func TestUpdateExpectationsRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	ids := []string{"a/x/1", "a/x/2", "a/y/1", "b/x/1", "b/x/2", "b/y/1", "c/x/1"}
	prefixes := []string{"a/", "a/x/", "b/", "b/y/", "c/", "d/"}
	pick := func() result.Status { return result.Statuses[rng.IntN(len(result.Statuses))] }
	for round := range 2000 {
		var yaml strings.Builder
		yaml.WriteString("tests:\n")
		used := map[string]bool{}
		for range rng.IntN(6) {
			if rng.IntN(2) == 0 {
				if p := prefixes[rng.IntN(len(prefixes))]; !used[p] {
					used[p] = true
					fmt.Fprintf(&yaml, "- {prefix: %q, status: %s, reason: r}\n", p, pick())
				}
			} else if id := ids[rng.IntN(len(ids))]; !used[id] {
				used[id] = true
				fmt.Fprintf(&yaml, "- {id: %q, status: %s, reason: r}\n", id, pick())
			}
		}
		base := parse(t, yaml.String())
		var results []result.Test
		var known []string
		for _, id := range ids {
			known = append(known, id)
			if rng.IntN(4) > 0 {
				results = append(results, res(id, pick()))
			}
		}
		up := UpdateExpectations(base, results, known)
		ev := up.Expectations.Evaluate(results, known)
		if !ev.OK() || len(ev.Stale) > 0 {
			var sum bytes.Buffer
			_ = ev.WriteSummary(&sum)
			t.Fatalf("round %d: base\n%s\nresults %v\nwritten %v\n%s", round, yaml.String(), results, entries(up.Expectations.Entries), sum.String())
		}
		var out bytes.Buffer
		require.NoError(t, WriteExpectations(&out, DefaultExpectationsHeader, up.Expectations))
		back, err := ParseExpectations("w.yaml", out.Bytes())
		require.NoError(t, err, "%s", out.String())
		require.Equal(t, entries(up.Expectations.Entries), entries(back.Entries))
	}
}

func TestWriteExpectationsQuotesAndHeader(t *testing.T) {
	exp := &Expectations{Entries: []Entry{
		{ID: `crud/unified/x/a "quoted": #not a comment, 'single' \ back`, Status: result.Fail, Reason: "line1: {x: [1]} & <b>\ttab"},
		{Prefix: "yes", Status: result.Unsupported, Reason: "true"},
	}}
	var out bytes.Buffer
	require.NoError(t, WriteExpectations(&out, "# kept\n\n# header\n", exp))
	assert.True(t, strings.HasPrefix(out.String(), "# kept\n\n# header\ntests:\n"), out.String())
	back, err := ParseExpectations("w.yaml", out.Bytes())
	require.NoError(t, err)
	assert.Equal(t, entries(exp.Entries), entries(back.Entries))

	out.Reset()
	require.NoError(t, WriteExpectations(&out, "", &Expectations{}))
	back, err = ParseExpectations("w.yaml", out.Bytes())
	require.NoError(t, err)
	assert.Empty(t, back.Entries)
}

func TestHeaderComment(t *testing.T) {
	assert.Equal(t, "# a\n\n# b\n", HeaderComment([]byte("# a\n\n# b\ntests:\n  # not header\n")))
	assert.Equal(t, "", HeaderComment([]byte("tests: []\n")))
}
