package specifications

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// hostileInputs are fixtures of about 2 MB that a hostile or broken generator could
// write: deeply nested arrays (which once took 783 MB to refuse) and wide flat arrays,
// in JSON and YAML. Each is the value of key "a" of a document.
func hostileInputs() []struct{ name, file, data string } {
	const size = 2_000_000
	deep := strings.Repeat("[", size/2) + strings.Repeat("]", size/2)
	wide := "[" + strings.Repeat("1,", size/2-1) + "1]"
	return []struct{ name, file, data string }{
		{"nested arrays JSON", "f.json", `{"a": ` + deep + `}`},
		{"nested arrays YAML", "f.yml", "a: " + deep},
		{"flat array JSON", "f.json", `{"a": ` + wide + `}`},
		{"flat array YAML", "f.yml", "a: " + wide},
	}
}

// BenchmarkReadDocument measures reading (bytes allocated: -benchmem) the hostile
// inputs and the largest fixture of the shared corpus, whether they load or are refused.
func BenchmarkReadDocument(b *testing.B) {
	largest := filepath.Join(sharedCorpus(b), "source", "client-side-operations-timeout", "tests", "deprecated-options.json")
	real, err := os.ReadFile(largest)
	if err != nil {
		b.Fatal(err)
	}
	inputs := append(hostileInputs(), struct{ name, file, data string }{"largest shared fixture", largest, string(real)})
	for _, in := range inputs {
		data := []byte(in.data)
		b.Run(strings.ReplaceAll(in.name, " ", "_"), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				_, _ = ReadDocument(in.file, data)
			}
		})
	}
}
