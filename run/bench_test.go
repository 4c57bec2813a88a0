package run

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/specrun/specrun/internal/testcorpus"
	"github.com/specrun/specrun/specifications"
)

// BenchmarkFolder runs a whole folder (crud/tests/unified of the shared corpus, every
// test) against embedded servers, one run per iteration, serially and with two
// workers; the servers are started once.
//
//	go test ./run -run '^$' -bench Folder -count 6 | tee new.txt; benchstat old.txt new.txt
func BenchmarkFolder(b *testing.B) {
	sources, err := specifications.Discover([]string{filepath.Join(testcorpus.Shared(b), "source/crud/tests/unified")})
	if err != nil {
		b.Fatal(err)
	}
	plan := Plan{Loads: specifications.LoadAll(sources, false)}
	srvs := []Target{{URI: serverURI, Own: true}}
	for _, jobs := range []int{1, 2} {
		for len(srvs) < jobs {
			srvs = append(srvs, Target{URI: secondServer(b), Own: true})
		}
		b.Run("jobs="+strconv.Itoa(jobs), func(b *testing.B) {
			for b.Loop() {
				if _, err := ExecuteJobs(context.Background(), plan, srvs[:jobs]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
