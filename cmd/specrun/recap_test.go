package main

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/specrun/specrun/internal/golden"
	"github.com/specrun/specrun/report"
	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/run"
)

// terminalResults are the results of a fixed run, as the terminal sees them: every
// status, an expected failure, a regression whose detail ends with the embedded
// server's log (session cleanup and the reply said again), a fixture's escape
// sequence, an error, an unexpected pass and tests filtered out.
func terminalResults() []result.Test {
	r := func(id string, st result.Status, reason string) result.Test {
		i := strings.LastIndexByte(id, '/')
		return result.Test{ID: id, FileID: id[:i], File: id[:i] + ".json", Description: id[i+1:], Status: st, Reason: reason}
	}
	regression := r("crud/unified/find/Find with sort", result.Fail, "operation 1 (find): expectResult: 0.x: expected int32 1, got int32 2")
	regression.Detail = report.WithServerLog("operation 1 (find): expectResult: 0.x: expected int32 1, got int32 2\n"+
		`last command of client0: {"find":"coll0","sort":{"_id":1}}`+"\n"+
		`reply: {"cursor":{"firstBatch":[{"_id":2,"x":2}],"id":0},"ok":1.0}`, "embedded FerretDB", []string{
		"WARN slow query \x1b[31mred\x1b[0m at 0xc000123456",
		"WARN slow query \x1b[31mred\x1b[0m at 0xc000999999",
		`WARN Response header: length: 121, id: 3, response_to: 63, opcode: OP_MSG name=// 127.0.0.1:47488 -> 127.0.0.1:39553`,
		`WARN Response message: { "Document": { "ok": 0.0, "errmsg": "no such command: 'endSessions'", "code": 59 } } name=// 127.0.0.1:47488 -> 127.0.0.1:39553`,
	}, 0)
	return []result.Test{
		r("crud/unified/find/Find with filter", result.Pass, ""),
		regression,
		r("crud/unified/aggregate-out/aggregate with $out", result.Fail, "operation 0 (aggregate): unexpected error: server error 238 (NotImplemented): `aggregate` stage \"$out\" is not implemented yet"),
		r("crud/unified/find/Find with hint", result.Pass, ""),
		r("crud/unified/insertMany/InsertMany frobnicates", result.Error, "specrun cannot run operation frobnicate on a collection"),
		r("change-streams/unified/change-streams/Test array truncation", result.Unsupported, "the server lacks the changeStreams capability"),
		r("crud/unified/find/Find with limit", result.Skip, run.FilteredOut),
	}
}

const terminalExpect = `tests:
  - id: crud/unified/aggregate-out/aggregate with $out
    status: fail
    reason: no $out yet (SERVER-1234)
  - id: crud/unified/find/Find with hint
    status: fail
    reason: hint is ignored
  - prefix: change-streams/
    status: unsupported
    reason: no change streams
  - prefix: gridfs/
    status: unsupported
    reason: no GridFS
`

// terminalOutput is what a run with these results prints on stdout, with or without
// an expectations file, in colour or not.
func terminalOutput(t *testing.T, tests []result.Test, expectYAML string, color, verbose bool) string {
	t.Helper()
	var exp *report.Expectations
	if expectYAML != "" {
		var err error
		exp, err = report.ParseExpectations("expect.yml", []byte(expectYAML))
		require.NoError(t, err)
	}
	var judged []result.Test
	for _, r := range tests {
		if r.Reason != run.FilteredOut {
			judged = append(judged, r)
		}
	}
	rec := &run.Record{Report: &report.Run{Tests: tests, Duration: 1234567 * time.Microsecond},
		Judged: judged, Evaluation: exp.Evaluate(judged, nil)}
	rec.Evaluation.File = "expect.yml"
	var out, errOut bytes.Buffer
	c := palette{}
	if color {
		c.raw = &out
	}
	p := newProgress(terminal(&out), terminal(&errOut), nil, verbose, len(judged))
	p.gate = gate{expect: exp, ev: report.Evaluation{File: "expect.yml"}, paint: c}
	for _, r := range judged {
		p.Judged(r)
	}
	p.done()
	writeEnd(terminal(&out), c, rec, exp != nil)
	return out.String()
}

func TestGoldenTerminal(t *testing.T) {
	many := terminalResults()
	for i := range 12 {
		many = append(many, result.Test{ID: fmt.Sprintf("crud/unified/x/failure %d", i), FileID: "crud/unified/x", Description: fmt.Sprintf("failure %d", i),
			Status: result.Fail, Reason: fmt.Sprintf("operation 0 (find): expectResult: expected %d", i)})
	}
	for _, c := range []struct {
		name           string
		tests          []result.Test
		expect         string
		color, verbose bool
	}{
		{"terminal-expect.txt", terminalResults(), terminalExpect, false, false},
		{"terminal-expect-color.txt", terminalResults(), terminalExpect, true, false},
		{"terminal-expect-v.txt", terminalResults(), terminalExpect, false, true},
		{"terminal-no-expect.txt", many, "", false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := terminalOutput(t, c.tests, c.expect, c.color, c.verbose)
			if !c.color {
				assert.NotContains(t, got, "\x1b", "no colour")
			}
			golden.Check(t, filepath.Join(goldenDir, c.name), []byte(got), *update, "go test ./cmd/specrun -run TestGolden")
		})
	}
}

func TestUseColor(t *testing.T) {
	env := func(v string) func(string) string { return func(string) string { return v } }
	var notTerminal bytes.Buffer
	for _, c := range []struct {
		flag, noColor string
		want          bool
	}{
		{"always", "", true},
		{"always", "1", true}, // a flag overrides NO_COLOR
		{"never", "", false},
		{"auto", "", false}, // not a terminal
		{"auto", "1", false},
	} {
		got, err := useColor(c.flag, &notTerminal, env(c.noColor))
		require.NoError(t, err)
		assert.Equal(t, c.want, got, "--color %s, NO_COLOR=%q", c.flag, c.noColor)
	}
	_, err := useColor("sometimes", &notTerminal, env(""))
	assert.ErrorContains(t, err, "want auto, always or never")
}
