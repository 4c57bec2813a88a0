package report

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Lines as the embedded FerretDB 1.24.2 logs them during a failed test.
const (
	ferretHeader  = `WARN Response header: length: 139, id: 2, response_to: 58, opcode: OP_MSG name=// 127.0.0.1:47488 -> 127.0.0.1:39553`
	ferretMerge   = `WARN Response message: { "FlagBits": "[]", "Sections": [ { "Kind": 0, "Document": { "ok": 0.0, "errmsg": "$merge is not implemented yet", "code": 238, }, }, ], } name=// 127.0.0.1:47488 -> 127.0.0.1:39553`
	ferretHeader2 = `WARN Response header: length: 121, id: 3, response_to: 63, opcode: OP_MSG name=// 127.0.0.1:47488 -> 127.0.0.1:39553`
	ferretEnd     = `WARN Response message: { "FlagBits": "[]", "Sections": [ { "Kind": 0, "Document": { "ok": 0.0, "errmsg": "no such command: 'endSessions'", "code": 59, }, }, ], } name=// 127.0.0.1:47488 -> 127.0.0.1:39553`
	// endSessions failing otherwise, as a test about sessions may make it
	ferretEndFailed = `WARN Response message: { "FlagBits": "[]", "Sections": [ { "Kind": 0, "Document": { "ok": 0.0, "errmsg": "endSessions: field 'endSessions' must be an array", "code": 2, }, }, ], } name=// 127.0.0.1:47488 -> 127.0.0.1:39553`
	ferretEndSlow   = `WARN slow command endSessions took 1200ms name=// 127.0.0.1:47488 -> 127.0.0.1:39553`
)

func TestQuietDetail(t *testing.T) {
	const detail = "operation 0 (aggregate): failed\nlast command of client0: {}"
	section := func(lines ...string) string { return WithServerLog(detail, "embedded FerretDB", lines, 0) }
	header := "\nserver log (embedded FerretDB, while the test ran):"
	var many []string
	for i := range QuietLogLines + 3 {
		many = append(many, fmt.Sprintf("WARN line %d", i))
	}
	for _, c := range []struct{ name, in, want string }{
		{"no server log", detail, detail},
		{"a detail that only looks like one", "x\n  indented", "x\n  indented"},
		{"the session cleanup goes, its header too, and the reply's header",
			section(ferretHeader, ferretMerge, ferretHeader2, ferretEnd),
			detail + header + "\n  " + ferretMerge},
		{"only session cleanup: the section goes", section(ferretHeader2, ferretEnd), detail},
		{"other lines naming endSessions stay", section(ferretHeader2, ferretEndFailed, ferretEndSlow),
			detail + header + "\n  " + ferretEndFailed + "\n  " + ferretEndSlow},
		{"the reply the test failed on, said again, goes",
			WithServerLog("failed: (NotImplemented) $merge is not implemented yet", "s", []string{ferretHeader, ferretMerge, ferretHeader2, ferretEnd}, 0),
			"failed: (NotImplemented) $merge is not implemented yet"},
		{"repeats, volatile text aside, are shown once with a count",
			section("WARN slow query at 0xc000123456", "WARN slow query at 0xc000999999", "WARN other"),
			detail + header + "\n  WARN slow query at 0xc000123456 (2 times)\n  WARN other"},
		{"mongod's JSON log: its quoted time, connection and address are volatile too",
			section(`{"t":{"$date":"2026-12-04T12:39:10.123+00:00"},"s":"I","ctx":"conn12","msg":"Slow query","attr":{"remote":"127.0.0.1:41327"}}`,
				`{"t":{"$date":"2026-12-04T12:39:11.456+00:00"},"s":"I","ctx":"conn13","msg":"Slow query","attr":{"remote":"127.0.0.1:41330"}}`),
			detail + header + "\n  " + `{"t":{"$date":"2026-12-04T12:39:10.123+00:00"},"s":"I","ctx":"conn12","msg":"Slow query","attr":{"remote":"127.0.0.1:41327"}}` + " (2 times)"},
		{"capped", section(many...),
			detail + header + "\n  " + strings.Join(many[:QuietLogLines], "\n  ") + "\n  … 3 more line(s) in the JSON report"},
		{"the header of earlier lines dropped stays", WithServerLog("", "s", []string{"WARN a"}, 5),
			"server log (s, while the test ran; 5 earlier line(s) not shown):\n  WARN a"},
	} {
		t.Run(c.name, func(t *testing.T) { assert.Equal(t, c.want, QuietDetail(c.in)) })
	}
}
