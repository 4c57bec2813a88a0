package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/specrun/specrun/internal/golden"
)

// goldenDir holds the golden files of the command line, and in input/ the reports the
// diff invocations read (inputs: -update leaves them alone).
const goldenDir = "../../testdata/golden/specrun"

// goldenInvocation is one run of specrun whose whole output is a golden file.
type goldenInvocation struct {
	name string // the golden file, in goldenDir
	// args after "specrun": $ROOT stands for the checkout, $TMP for a temporary folder.
	args []string
	// files the command writes (under $TMP), recorded after its output.
	files []string
}

var goldenInvocations = []goldenInvocation{
	{name: "help.txt", args: []string{"help"}},
	{name: "help-flag.txt", args: []string{"--help"}},
	{name: "no-arguments.txt", args: nil},
	{name: "run-help.txt", args: []string{"run", "--help"}},
	{name: "check-help.txt", args: []string{"check", "--help"}},
	{name: "diff-help.txt", args: []string{"diff", "--help"}},
	{name: "merge-help.txt", args: []string{"merge", "--help"}},
	{name: "compare-help.txt", args: []string{"compare", "--help"}},
	{name: "serve-help.txt", args: []string{"serve", "--help"}},
	{name: "corpus-help.txt", args: []string{"corpus", "--help"}},
	{name: "corpus-list-help.txt", args: []string{"corpus", "list", "--help"}},
	{name: "corpus-get-help.txt", args: []string{"corpus", "get", "--help"}},
	{name: "version-help.txt", args: []string{"version", "--help"}},
	// help CMD is CMD --help; -h is --help.
	{name: "help-run.txt", args: []string{"help", "run"}},
	{name: "help-corpus-get.txt", args: []string{"help", "corpus", "get"}},
	{name: "check-h.txt", args: []string{"check", "-h"}},
	// Usage errors: one line on stderr, and where the help is.
	{name: "unknown-command.txt", args: []string{"chek", "crud"}},
	{name: "help-unknown-command.txt", args: []string{"help", "mrege"}},
	{name: "unknown-corpus-command.txt", args: []string{"corpus", "lst"}},
	{name: "unknown-flag.txt", args: []string{"run", "--jsno", "r.json", "crud"}},
	{name: "unknown-flag-check.txt", args: []string{"check", "--corpsu", "x", "crud"}},
	{name: "bad-flag-value.txt", args: []string{"--timeout", "soon", "crud"}},
	{name: "flag-needs-argument.txt", args: []string{"crud", "--json"}},
	{name: "run-no-paths.txt", args: []string{"run"}},
	{name: "unknown-spec.txt", args: []string{"check", "--corpus", "$ROOT/testdata/golden/specrun/input/corpus", "crdu"}},
	{name: "unknown-spec-folder.txt", args: []string{"check", "--corpus", "$ROOT/testdata/golden/specrun/input/corpus", "crud/unifed"}},
	{name: "two-outputs-on-stdout.txt", args: []string{"merge", "--json", "-", "--markdown", "-", goldenInput("old.json")}},
	// A report on stdout: stdout holds it alone, the text goes to stderr.
	{name: "diff-json-stdout.txt", args: []string{"diff", "--json", "-", goldenInput("old.json"), goldenInput("new.json")}},
	// The project's own check fixtures: good, bad (rejected) and gaps.
	{name: "check.txt", args: []string{"check", "$ROOT/testdata/check"}},
	{name: "check-v.txt", args: []string{"check", "-v", "$ROOT/testdata/check"}},
	{name: "check-one-file.txt", args: []string{"check", "$ROOT/testdata/check/gaps/encryption.yml"}},
	// input/old.json → input/new.json: a regression, a fix, another status, a changed
	// reason, a new and a removed test, and another server.
	{name: "diff.txt", args: []string{"diff", goldenInput("old.json"), goldenInput("new.json")}},
	{name: "diff-json.txt", args: []string{"diff", "--json", "$TMP/diff.json", goldenInput("old.json"), goldenInput("new.json")},
		files: []string{"$TMP/diff.json"}},
	{name: "diff-no-regression.txt", args: []string{"diff", goldenInput("old.json"), goldenInput("old.json")}},
	// input/old.json (the embedded server, unnamed) beside input/named.json (the
	// servers of new.json, with server.name), and a report of another corpus, refused.
	{name: "compare.txt", args: []string{"compare", "--json", "$TMP/c.json", "--markdown", "$TMP/c.md", goldenInput("old.json"), goldenInput("named.json")},
		files: []string{"$TMP/c.json", "$TMP/c.md"}},
	{name: "compare-other-corpus.txt", args: []string{"compare", goldenInput("old.json"), goldenInput("other-corpus.json")}},
}

func goldenInput(name string) string { return "$ROOT/testdata/golden/specrun/input/" + name }

// TestGoldenCLI runs each invocation and compares its exit status, stdout, stderr and
// the files it writes with its golden file. Paths of this machine (the checkout, the
// temporary folder) are written as $ROOT and $TMP, so the files are the same
// everywhere. go test ./cmd/specrun -run TestGolden -update rewrites them.
func TestGoldenCLI(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, inv := range goldenInvocations {
		t.Run(inv.name, func(t *testing.T) {
			tmp := t.TempDir()
			expand := strings.NewReplacer("$ROOT", root, "$TMP", tmp)
			// $TMP first: the temporary folder may lie under the checkout.
			hide := strings.NewReplacer(tmp, "$TMP", root, "$ROOT")
			args := make([]string, len(inv.args))
			for i, a := range inv.args {
				args[i] = expand.Replace(a)
			}
			code, stdout, stderr := cli(args...)

			var b strings.Builder
			fmt.Fprintf(&b, "$ %s\n", strings.Join(append([]string{"specrun"}, inv.args...), " "))
			fmt.Fprintf(&b, "exit status %d\n", code)
			section(&b, "stdout", hide.Replace(stdout))
			section(&b, "stderr", hide.Replace(stderr))
			for _, f := range inv.files {
				data, err := os.ReadFile(expand.Replace(f))
				if err != nil {
					t.Fatalf("%s: %v\nstderr: %s", f, err, stderr)
				}
				section(&b, "file "+f, hide.Replace(string(data)))
			}
			golden.Check(t, filepath.Join(goldenDir, inv.name), []byte(b.String()), *update,
				"go test ./cmd/specrun -run TestGolden")
		})
	}
}

// section writes one output under a "--- name" line: "--- name: empty" when there is
// none, and a note when it does not end with a newline.
func section(b *strings.Builder, name, text string) {
	if text == "" {
		fmt.Fprintf(b, "--- %s: empty\n", name)
		return
	}
	fmt.Fprintf(b, "--- %s\n%s", name, text)
	if !strings.HasSuffix(text, "\n") {
		b.WriteString("\n--- (no newline at the end)\n")
	}
}
