package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"golang.org/x/net/html"

	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/specifications"
)

// rendered is a Markdown report as a GFM renderer shows it.
type rendered struct {
	markdown string
	root     *html.Node
}

func renderMarkdown(t *testing.T, r *Run) rendered {
	t.Helper()
	var md bytes.Buffer
	if err := WriteMarkdown(&md, r); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := goldmark.New(goldmark.WithExtensions(extension.GFM)).Convert(md.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	root, err := html.Parse(&out)
	if err != nil {
		t.Fatal(err)
	}
	return rendered{md.String(), root}
}

func elements(n *html.Node, tag string) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == tag {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// rows returns the cells of every row of the first table (results by spec), header
// first.
func (r rendered) rows(t *testing.T) [][]string {
	t.Helper()
	tables := elements(r.root, "table")
	if len(tables) == 0 {
		t.Fatalf("no table in\n%s", r.markdown)
	}
	var rows [][]string
	for _, tr := range elements(tables[0], "tr") {
		var cells []string
		for c := tr.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode && (c.Data == "td" || c.Data == "th") {
				cells = append(cells, text(c))
			}
		}
		rows = append(rows, cells)
	}
	return rows
}

// items returns the text of the list items that follow the heading with the given text.
func (r rendered) items(t *testing.T, heading string) []string {
	t.Helper()
	for _, tag := range []string{"h2", "h3"} {
		for _, h := range elements(r.root, tag) {
			if text(h) != heading {
				continue
			}
			for n := h.NextSibling; n != nil; n = n.NextSibling {
				if n.Type == html.ElementNode && n.Data == "ul" {
					var out []string
					for _, li := range elements(n, "li") {
						out = append(out, text(li))
					}
					return out
				}
				if n.Type == html.ElementNode && strings.HasPrefix(n.Data, "h") {
					break
				}
			}
			return nil
		}
	}
	t.Fatalf("no heading %q in\n%s", heading, r.markdown)
	return nil
}

func equalRows(t *testing.T, got, want [][]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d:\n%q", len(got), len(want), got)
	}
	for i := range want {
		if strings.Join(got[i], "\x00") != strings.Join(want[i], "\x00") {
			t.Errorf("row %d:\n got %q\nwant %q", i, got[i], want[i])
		}
	}
}

var tableHeader = []string{"Spec", "Pass", "Fail", "Skip", "Unsupported", "Error", "Total", "Pass rate"}

func TestWriteMarkdownTable(t *testing.T) {
	r := renderMarkdown(t, sampleRun())
	equalRows(t, r.rows(t), [][]string{
		tableHeader,
		{"change-streams", "0", "0", "0", "1", "0", "1", "— (judged 0 of 1)"},
		{"crud", "1", "2", "0", "0", "1", "4", "25.0% (judged 4 of 4)"},
		{"sessions", "0", "0", "1", "0", "0", "1", "— (judged 0 of 1)"},
		{"Total", "1", "2", "1", "1", "1", "6", "25.0% (judged 4 of 6)"},
	})
	for cause, want := range map[string]string{
		"other (1)":                           "fail crud/unified/find/a: one line <with> & markup",
		"timed out (1)":                       "fail crud/unified/find/c: timed out after 60s",
		"specrun could not judge (error) (1)": "error crud/unified/bad/z: unknown operation foo",
	} {
		if got := r.items(t, cause); len(got) != 1 || got[0] != want {
			t.Errorf("failures of cause %s: %q, want %q", cause, got, want)
		}
	}
	for _, want := range []string{
		"Date: 2026-03-04 05:06:07 UTC",
		"specrun: v0.1.0, driver go.mongodb.org/mongo-driver/v2 v2.9.3",
		// the embedded server's URI is a random port of this machine's
		"Server: 7.0.42, single, maxWireVersion 21, embedded; capabilities: changeStreams no, failPoints no, transactions no",
		"Corpus: a corpus without identity at /corpus/a: the whole corpus (123 files)",
		"Duration: 12.345s",
	} {
		if !strings.Contains(text(r.root), want) {
			t.Errorf("header lacks %q:\n%s", want, r.markdown)
		}
	}
	if strings.Contains(r.markdown, "PARTIAL") || strings.Contains(r.markdown, "Filters") || strings.Contains(r.markdown, "Gate") {
		t.Errorf("complete unfiltered run without expectations:\n%s", r.markdown)
	}
}

func TestPassRate(t *testing.T) {
	cases := []struct {
		s    Summary
		want string
	}{
		{Summary{}, "—"},
		{Summary{Skip: 3, Unsupported: 2}, "—"},
		{Summary{Pass: 1}, "100.0%"},
		{Summary{Pass: 2, Fail: 1}, "66.6%"}, // 66.67 rounds down
		{Summary{Pass: 1, Fail: 1, Error: 1, Skip: 9}, "33.3%"},
		{Summary{Pass: 999, Fail: 1}, "99.9%"},
		{Summary{Pass: 9999, Fail: 1}, "99.9%"}, // never 100% with a failure
		{Summary{Pass: 1, Error: 1999}, "0.0%"},
		{Summary{Fail: 1}, "0.0%"},
	}
	for _, c := range cases {
		if got, _, _ := strings.Cut(passRate(c.s), " (judged"); got != c.want {
			t.Errorf("passRate(%+v) = %q, want %q", c.s, got, c.want)
		}
	}
}

func TestWriteMarkdownHostileText(t *testing.T) {
	hostile := []string{
		"a | b || c",
		"`code` and ``more``",
		"*bold* _em_ **x** __y__",
		"<script>alert(1)</script> <b>",
		"[link](http://x) ![img](y) [ref]",
		"two\nlines\r\nand\rmore",
		"back\\slash \\| \\` end\\",
		"~~strike~~ &amp; &lt; #not heading #",
		"bad\xff byte",
	}
	for _, h := range hostile {
		t.Run(h, func(t *testing.T) {
			run := &Run{
				Corpus:  []CorpusRoot{{Root: "/c/" + h, Files: 1}},
				Filters: Filters{Run: h, Skip: "x|y"},
				Tests: []result.Test{
					{ID: h + "/f/" + h, File: h + ".json", Description: h, Status: result.Fail, Reason: h},
					{ID: "crud/f/ok", File: "crud/f.json", Description: "ok", Status: result.Pass},
				},
			}
			r := renderMarkdown(t, run)
			want := strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "\xff", "\uFFFD").Replace(h)
			spec := strings.SplitN(want, "/", 2)[0]
			specRows := [][]string{
				{"crud", "1", "0", "0", "0", "0", "1", "100.0% (judged 1 of 1)"},
				{spec, "0", "1", "0", "0", "0", "1", "0.0% (judged 1 of 1)"},
			}
			if strings.SplitN(h, "/", 2)[0] < "crud" {
				specRows[0], specRows[1] = specRows[1], specRows[0]
			}
			equalRows(t, r.rows(t), [][]string{tableHeader, specRows[0], specRows[1],
				{"Total", "1", "1", "0", "0", "0", "2", "50.0% (judged 2 of 2)"}})
			items := r.items(t, "other (1)")
			if line := "fail " + want + "/f/" + want + ": " + want; len(items) != 1 || items[0] != line {
				t.Errorf("failure line = %q, want %q\n%s", items, line, r.markdown)
			}
			body := text(r.root)
			for _, w := range []string{"Filters: --run " + want + " --skip x|y", "Corpus: a corpus without identity at /c/" + want + ": the whole corpus (1 file)"} {
				if !strings.Contains(body, w) {
					t.Errorf("rendered text lacks %q:\n%s", w, body)
				}
			}
			if n := len(elements(r.root, "script")) + len(elements(r.root, "a")) + len(elements(r.root, "img")) +
				len(elements(r.root, "code")) + len(elements(r.root, "em")) + len(elements(r.root, "del")); n != 0 {
				t.Errorf("test text became markup (%d elements):\n%s", n, r.markdown)
			}
		})
	}
}

func TestWriteMarkdownPartialFiltersExpectations(t *testing.T) {
	run := sampleRun()
	run.Corpus[0].Identity = specifications.Identity{GitCommit: "92b3c0b9287b1234567890abcdef1234567890ab"}
	run.Filters = Filters{Run: "^crud/", Shard: Shard{Index: 2, Count: 4}, Shuffle: "7"}
	run.Partial = &Partial{Reason: "--max-time 30m0s reached", NotRun: []result.Test{
		{ID: "crud/unified/x/1"}, {ID: "crud/unified/x/2"}, {ID: "crud/unified/x/3"},
	}}
	exp := &Expectations{Path: "expect.yml", Entries: []Entry{
		{ID: "crud/unified/find/a", Status: result.Fail, Reason: "known", Line: 3},
		{ID: "crud/unified/find/b", Status: result.Fail, Reason: "was broken", Line: 6},
		{Prefix: "gridfs/", Status: result.Unsupported, Reason: "no gridfs", Line: 9},
	}}
	ev := exp.Evaluate(run.Tests, nil)
	run.Expect = &ev
	r := renderMarkdown(t, run)
	body := text(r.root)
	for _, want := range []string{
		"PARTIAL RUN: 3 selected tests did not run (--max-time 30m0s reached)",
		"Filters: --run ^crud/ --shard 2/4 --shuffle 7",
		"Corpus: git 92b3c0b9287b: the whole corpus (123 files)",
		"Gate: FAIL",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("rendered text lacks %q:\n%s", want, r.markdown)
		}
	}
	if got := r.items(t, "Regressions"); strings.Join(got, "\n") !=
		"error crud/unified/bad/z — no entry: unknown operation foo\n"+
			"fail crud/unified/find/c — no entry: timed out after 60s" {
		t.Errorf("regressions = %q", got)
	}
	if got := r.items(t, "Unexpected passes"); len(got) != 1 ||
		got[0] != `crud/unified/find/b passes: remove expect.yml:6 (id "crud/unified/find/b", expects fail)` {
		t.Errorf("unexpected passes = %q", got)
	}
	if got := r.items(t, "Stale entries"); len(got) != 1 || got[0] != `expect.yml:9: prefix "gridfs/" (unsupported) decides no test` {
		t.Errorf("stale = %q", got)
	}
}

// One line per corpus, with its provenance and the run's folders below its root; no
// local path but for a corpus in neither layout.
func TestMarkdownCorpusLines(t *testing.T) {
	debian := specifications.Identity{DebianPackage: "golang-mongodb-mongo-driver-dev", DebianVersion: "1.8.4+ds1-3"}
	const data = "/usr/share/gocode/src/go.mongodb.org/mongo-driver/data"
	got := corpusLines([]CorpusRoot{
		{Root: data + "/crud/unified", Files: 40, Identity: debian},
		{Root: data + "/crud/v1", Files: 12, Identity: debian},
		{Root: "/srv/specifications/source/sessions/tests", Files: 3,
			Identity: specifications.Identity{GitCommit: "92b3c0b9287bfba1b0ec4084300858d05c654f8c"}},
		{Root: "/home/me/fixtures", Files: 1},
	})
	want := []string{
		"golang-mongodb-mongo-driver-dev 1.8.4+ds1-3: crud/unified (40 files), crud/v1 (12 files)",
		"git 92b3c0b9287b: sessions/tests (3 files)",
		"a corpus without identity at /home/me/fixtures: the whole corpus (1 file)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("corpus lines:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestShellCommand(t *testing.T) {
	got := ShellCommand([]string{"specrun", "--run", "find|aggregate", "--expect", "expect.yml", "it's", "", "crud/unified"})
	if want := `specrun --run 'find|aggregate' --expect expect.yml 'it'\''s' '' crud/unified`; got != want {
		t.Errorf("ShellCommand = %s, want %s", got, want)
	}
}
