package report

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// A failed test's detail ends with what the server logged while the test ran
// (WithServerLog): the reports' JSON keeps those lines whole, for whoever digs. What
// a person reads first (the terminal, JUnit) shows them through QuietDetail, which
// keeps the lines that say something about this test.

// serverLogIndent starts each line of the server log section.
const serverLogIndent = "  "

// WithServerLog adds to a failed test's detail the lines the server logged while the
// test ran; dropped is how many earlier ones were not kept. server names the server
// ("embedded FerretDB").
func WithServerLog(detail, server string, lines []string, dropped int) string {
	if len(lines) == 0 {
		return detail
	}
	var b strings.Builder
	b.WriteString(strings.TrimRight(detail, "\n"))
	if detail != "" {
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "server log (%s, while the test ran", server)
	if dropped > 0 {
		fmt.Fprintf(&b, "; %d earlier line(s) not shown", dropped)
	}
	b.WriteString("):")
	for _, l := range lines {
		b.WriteString("\n" + serverLogIndent + l)
	}
	return b.String()
}

// serverLogHeader is the first line of WithServerLog's section.
var serverLogHeader = regexp.MustCompile(`^server log \(.*, while the test ran(?:; \d+ earlier line\(s\) not shown)?\):$`)

// QuietLogLines is how many lines of the server's log QuietDetail keeps at most.
const QuietLogLines = 8

// QuietDetail is a failed test's detail with its server log section (WithServerLog)
// reduced to what says something about the test:
//
//   - the refusal of endSessions goes: the driver ends its sessions when a test's
//     clients disconnect, after every test, and a server without the command (FerretDB)
//     logs its refusal each time (sessionCleanup); any other line naming endSessions
//     stays;
//   - a line that introduces the next one and says nothing itself goes with it or
//     before it: FerretDB logs each reply in two lines, "Response header: length …,
//     id …" then "Response message: {…}";
//   - a line that quotes an error message ("errmsg": "…") the detail above already
//     shows goes: it is the reply the test failed on, said again;
//   - a line said again (the same once stableLine: volatile text aside) is shown once,
//     with the number of times;
//   - at most QuietLogLines lines, then how many more the JSON report holds.
//
// With nothing left, the section goes. A detail without the section is returned as it is.
func QuietDetail(detail string) string {
	head, section, ok := cutServerLog(detail)
	if !ok {
		return detail
	}
	header, lines := section[0], section[1:]
	var kept []string
	count := map[string]int{}
	for i, l := range lines {
		switch {
		case sessionCleanup.MatchString(l):
			continue
		case strings.Contains(l, "Response header:") && i+1 < len(lines) && strings.Contains(lines[i+1], "Response message:"):
			continue
		case repeatsError(l, head):
			continue
		}
		k := stableLine(l)
		if count[k] == 0 {
			kept = append(kept, l)
		}
		count[k]++
	}
	if len(kept) == 0 {
		return head
	}
	var b strings.Builder
	if head != "" {
		b.WriteString(head + "\n")
	}
	b.WriteString(header)
	for i, l := range kept {
		if i == QuietLogLines {
			fmt.Fprintf(&b, "\n%s… %d more line(s) in the JSON report", serverLogIndent, len(kept)-i)
			break
		}
		b.WriteString("\n" + serverLogIndent + l)
		if n := count[stableLine(l)]; n > 1 {
			fmt.Fprintf(&b, " (%d times)", n)
		}
	}
	return b.String()
}

// sessionCleanup is FerretDB's refusal of the endSessions the driver sends at the end
// of every test: "errmsg": "no such command: 'endSessions'".
var sessionCleanup = regexp.MustCompile(`"errmsg": ?"no such command: '?endSessions'?"`)

// logErrmsg is an error message a log line quotes, as FerretDB logs a reply.
var logErrmsg = regexp.MustCompile(`"errmsg": ?("(?:[^"\\]|\\.)*")`)

// repeatsError says whether the log line quotes an error message that the detail
// shows already.
func repeatsError(line, detail string) bool {
	m := logErrmsg.FindStringSubmatch(line)
	if m == nil {
		return false
	}
	msg, err := strconv.Unquote(m[1])
	return err == nil && msg != "" && strings.Contains(detail, msg)
}

// cutServerLog splits a detail into what comes before its server log section and the
// section's lines (header first, then the log lines without their indent).
func cutServerLog(detail string) (head string, section []string, ok bool) {
	lines := strings.Split(detail, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if serverLogHeader.MatchString(lines[i]) {
			section = []string{lines[i]}
			for _, l := range lines[i+1:] {
				body, indented := strings.CutPrefix(l, serverLogIndent)
				if !indented {
					return detail, nil, false
				}
				section = append(section, body)
			}
			return strings.Join(lines[:i], "\n"), section, true
		}
		if !strings.HasPrefix(lines[i], serverLogIndent) {
			return detail, nil, false
		}
	}
	return detail, nil, false
}
