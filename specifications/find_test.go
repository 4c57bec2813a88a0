package specifications

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"check", "check", 0}, {"chek", "check", 1}, {"mrege", "merge", 1},
		{"jsno", "json", 1}, {"crud", "crdu", 1}, {"abc", "", 3}, {"日本", "日本語", 1},
		{"serve", "server", 1}, {"kitten", "sitting", 3}, {"ca", "abc", 3},
	} {
		assert.Equal(t, tc.want, editDistance(tc.a, tc.b), "%q %q", tc.a, tc.b)
		assert.Equal(t, tc.want, editDistance(tc.b, tc.a), "%q %q", tc.b, tc.a)
	}
}

// TestFindSuggestsSpecs: a spec name that is not in the corpus is an error naming the
// nearest spec, folder or file of that corpus, in either layout.
func TestFindSuggestsSpecs(t *testing.T) {
	upstream, goLayout := t.TempDir(), t.TempDir()
	for _, f := range []string{
		"source/crud/tests/unified/find.json", "source/crud/tests/v1/read/count.yml",
		"source/sessions/tests/driver-sessions.json", "source/transactions/tests/unified/commit.json",
	} {
		mkfile(t, filepath.Join(upstream, f))
	}
	for _, f := range []string{"crud/unified/find.json", "sessions/driver-sessions.json", "transactions/unified/commit.json"} {
		mkfile(t, filepath.Join(goLayout, f))
	}
	for _, root := range []string{upstream, goLayout} {
		for _, tc := range []struct{ arg, want string }{
			{"crdu", "; did you mean crud?"},
			{"Crud", "; did you mean crud?"},
			{"sesions", "; did you mean sessions?"},
			{"transaction/unified", "; did you mean transactions/unified?"},
			{"crud/unifed", "; did you mean crud/unified?"},
			{"crud/unified/fnid", "; did you mean crud/unified/find?"},
			{"crud/unified/nothing-near", ""},
			{"retryable-reads", ""},
			{"./crdu", ""},
		} {
			_, _, err := Find([]string{tc.arg}, Locations{Flag: root})
			require.Error(t, err, tc.arg)
			assert.Equal(t, tc.arg+": no such file or folder, nor a spec of that name in "+root+tc.want, err.Error())
		}
		// an empty argument (an unset shell variable) is not the corpus root, and
		// nothing is suggested for it
		_, _, err := Find([]string{"crud/unified", ""}, Locations{Flag: root})
		require.Error(t, err)
		assert.Equal(t, `"": an empty argument names no file, folder or spec (an unset variable?)`, err.Error())
		sources, used, err := Find([]string{"crud/unified"}, Locations{Flag: root})
		require.NoError(t, err)
		assert.Len(t, sources, 1)
		assert.Equal(t, root, used.Root)
	}
}

func mkfile(t *testing.T, path string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte("{}"), 0o644))
}
