package report

import "regexp"

// Some of what a server says changes from one run of the same server to the next:
// FerretDB's messages quote Go pointers (&{… 0xc000123456 …}), an error may name
// the connection it came on and the random port of the embedded server, a log line
// its time. Reports keep that text as it was; what compares two runs (specrun diff's
// changed reasons, an expectations file's stored reasons, the repeats of a server's
// log) compares it with Stable, which replaces each such part by a fixed mark and
// leaves everything else as it is. Two texts are the same reason when they are equal
// after that, and only then.

// volatile are the parts of a text that change from run to run, each with what
// replaces it. The replacements are fixed points: Stable(Stable(s)) == Stable(s), so
// a text already stored stable (an expectations file) compares with a raw one.
var volatile = []struct {
	re   *regexp.Regexp
	with string
}{
	// RFC 3339 and ISO 8601 times, with or without fraction and zone:
	// 2026-12-04T12:39:10.123Z, 2026-12-04 12:39:10+01:00.
	{regexp.MustCompile(`\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?`), "<time>"},
	// Memory addresses as Go and C print them: 0xc000123456 (six hex digits or more;
	// a short hex constant such as 0x1f is a value, not an address).
	{regexp.MustCompile(`\b0x[0-9a-fA-F]{6,}\b`), "0x…"},
	// The port of a loopback or IP-literal address: 127.0.0.1:41327, [::1]:41327,
	// localhost:41327. A named host's port is the server's identity and stays.
	{regexp.MustCompile(`(\b(?:\d{1,3}\.){3}\d{1,3}|\blocalhost|\[[0-9a-fA-F:.]+\]):\d{1,5}\b`), "$1:…"},
	// Connection ids: connectionId 12, "connectionId": 12, connection id 12, conn12
	// (the server's log), connection #12, and the Go driver's connection(host:port[-12]).
	// A bare "connection 3" may be a count or an index a test checks, and stays.
	{regexp.MustCompile(`(?i)(\bconnection[ _]?id"?\s*[:=]?\s*|\bconnection #|\bconn#?|\bconnection\([^()\[\]]*\[-)\d+\b`), "${1}…"},
}

// Stable returns s with the parts that change from run to run of the same server
// replaced by fixed marks: times by <time>, memory addresses by 0x…, the ports of
// loopback and IP-literal addresses by :…, connection ids by …. A part that is a
// whole quoted string ({"$date":"2009-02-13T23:31:30Z"}, "conn1", "10.0.0.1:27017")
// is a test's data, not the server's state, and stays. Everything else is kept,
// character for character.
func Stable(s string) string {
	for _, v := range volatile {
		s = replaceUnquoted(v.re, s, v.with)
	}
	return s
}

// replaceUnquoted is re.ReplaceAllString(s, with) except for the matches that are a
// whole quoted string: "…" right before and right after the match.
func replaceUnquoted(re *regexp.Regexp, s, with string) string {
	var out []byte
	last := 0
	for _, m := range re.FindAllStringSubmatchIndex(s, -1) {
		if m[0] > 0 && s[m[0]-1] == '"' && m[1] < len(s) && s[m[1]] == '"' {
			continue
		}
		out = append(out, s[last:m[0]]...)
		out = re.ExpandString(out, with, s, m)
		last = m[1]
	}
	if out == nil {
		return s
	}
	return string(append(out, s[last:]...))
}

// stableLine is Stable for a line of a server's log, whose quoted values are the
// server's own state (mongod's JSON log quotes its time, "ctx":"conn12" and the
// "remote" address), not a test's data: each is replaced wherever it stands.
func stableLine(s string) string {
	for _, v := range volatile {
		s = v.re.ReplaceAllString(s, v.with)
	}
	return s
}

// SameReason reports whether two reasons say the same thing: equal once Stable.
func SameReason(a, b string) bool { return a == b || Stable(a) == Stable(b) }
