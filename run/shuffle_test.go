package run

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/specrun/specrun/report"
	"github.com/specrun/specrun/specifications"
)

func TestParseShuffle(t *testing.T) {
	now := func() time.Time { return time.Unix(0, 1733300000123456789) }
	for _, tt := range []struct {
		in   string
		want *int64
		err  string
	}{
		{"", nil, ""},
		{"off", nil, ""},
		{"on", ptr(int64(1733300000123456789)), ""},
		{"42", ptr(int64(42)), ""},
		{"-7", ptr(int64(-7)), ""},
		{"0", ptr(int64(0)), ""},
		{"On", nil, `--shuffle "On": want on, off or an integer seed`},
		{"1.5", nil, `--shuffle "1.5": want on, off or an integer seed`},
		{"99999999999999999999", nil, "want on, off or an integer seed"},
	} {
		got, err := ParseShuffle(tt.in, now)
		if tt.err != "" {
			assert.ErrorContains(t, err, tt.err, tt.in)
			continue
		}
		assert.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
	}
}

func ptr[T any](v T) *T { return &v }

// TestShuffledFiles: --shuffle runs the same files in an order of its seed's, the same
// for the same seed, after the shard has chosen them.
func TestShuffledFiles(t *testing.T) {
	var loads []specifications.LoadResult
	for _, id := range strings.Fields("a b c d e f g h i j k l m n o p") {
		loads = append(loads, specifications.LoadResult{Kind: specifications.Loaded, Source: specifications.Source{ID: id}})
	}
	ids := func(p Plan) []string {
		var out []string
		for _, lr := range p.Files() {
			out = append(out, lr.Source.ID)
		}
		return out
	}
	own := ids(Plan{Loads: loads})
	seed := func(n int64) Plan { return Plan{Loads: loads, Shuffle: &n} }
	first := ids(seed(1))
	assert.Equal(t, first, ids(seed(1)), "the same seed, the same order")
	assert.NotEqual(t, own, first, "the order is another")
	assert.NotEqual(t, first, ids(seed(2)), "another seed, another order")
	assert.ElementsMatch(t, own, first, "the same files")

	sharded := Plan{Loads: loads, Selection: Selection{Shard: report.Shard{Index: 2, Count: 3}}}
	shuffled := sharded
	shuffled.Shuffle = ptr(int64(1))
	assert.ElementsMatch(t, ids(sharded), ids(shuffled), "the shard's files")
	assert.NotEqual(t, ids(sharded), ids(shuffled))
}

// TestExecuteShuffled: the files run in the seed's order, which the report records
// with the seed.
func TestExecuteShuffled(t *testing.T) {
	plan := Plan{Loads: append(loads(t, "mixed/one.json"), loads(t, "leftovers")...)}
	var seed int64
	for ; seed < 100; seed++ { // a seed that puts the files in another order
		p := plan
		p.Shuffle = &seed
		if p.Files()[0].Source.ID != plan.Files()[0].Source.ID {
			break
		}
	}
	plan.Shuffle = &seed
	r, err := Execute(context.Background(), plan, Target{URI: serverURI, Own: true})
	require.NoError(t, err)
	var files []string
	for _, res := range r.Report.Tests {
		if len(files) == 0 || files[len(files)-1] != res.FileID {
			files = append(files, res.FileID)
		}
	}
	var want, own []string
	for _, lr := range plan.Files() {
		want = append(want, lr.Source.ID)
	}
	for _, lr := range plan.Loads {
		own = append(own, lr.Source.ID)
	}
	assert.Equal(t, want, files, "the report lists the tests in run order")
	assert.NotEqual(t, own, files, "not in the files' own order")
	assert.Equal(t, strconv.FormatInt(seed, 10), r.Report.Filters.Shuffle)
}
