package report

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	junit "github.com/joshdk/go-junit"
	"github.com/specrun/specrun/result"
)

func writeJUnit(t *testing.T, r *Run) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WriteJUnit(&b, r); err != nil {
		t.Fatal(err)
	}
	wellFormed(t, b.Bytes())
	return b.Bytes()
}

// wellFormed fails unless data is well-formed XML (Go's decoder rejects characters
// outside XML's Char production and unbalanced markup).
func wellFormed(t *testing.T, data []byte) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(data))
	for {
		_, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, data)
		}
	}
}

// counts are the count attributes of a <testsuites> or <testsuite> element.
type counts struct {
	Name     string `xml:"name,attr"`
	File     string `xml:"file,attr"`
	Tests    int    `xml:"tests,attr"`
	Failures int    `xml:"failures,attr"`
	Errors   int    `xml:"errors,attr"`
	Skipped  int    `xml:"skipped,attr"`
	Time     string `xml:"time,attr"`
}

type junitDoc struct {
	counts
	Suites []counts `xml:"testsuite"`
}

func TestWriteJUnitParsedByJUnitParser(t *testing.T) {
	r := sampleRun()
	r.Partial = &Partial{Reason: "--max-time 1m0s reached", NotRun: []result.Test{
		{ID: "crud/unified/find/d", File: "crud/unified/find.json", Description: "d"},
		{ID: "crud/unified/later/e", File: "crud/unified/later.json", Description: "e"},
	}}
	data := writeJUnit(t, r)

	suites, err := junit.Ingest(data)
	if err != nil {
		t.Fatal(err)
	}
	type tc struct {
		suite, name, class string
		status             junit.Status
		message, body      string
		duration           time.Duration
	}
	var got []tc
	for _, s := range suites {
		for _, c := range s.Tests {
			var body string
			if c.Error != nil {
				body = c.Error.(junit.Error).Body
			}
			got = append(got, tc{s.Name, c.Name, c.Classname, c.Status, c.Message, body, c.Duration})
		}
	}
	want := []tc{
		{"crud/unified/find", "b", "crud/unified/find", junit.StatusPassed, "", "", 3 * time.Millisecond},
		{"crud/unified/find", "a", "crud/unified/find", junit.StatusFailed, "one line <with> & markup",
			"operation 0 (find)\nexpected 1 at cursor.firstBatch.0.x, got 2", 12 * time.Millisecond},
		{"crud/unified/find", "c", "crud/unified/find", junit.StatusFailed, "timed out after 60s", "", time.Minute},
		{"crud/unified/find", "d", "crud/unified/find", junit.StatusSkipped, "not run: --max-time 1m0s reached", "", 0},
		{"change-streams/unified/x", "y", "change-streams/unified/x", junit.StatusSkipped, "unsupported: no change streams", "", 0},
		{"sessions/unified/x", "y", "sessions/unified/x", junit.StatusSkipped, "skip: requires replicaset", "", 0},
		{"crud/unified/bad", "z", "crud/unified/bad", junit.StatusError, "unknown operation foo", "", 0},
		{"crud/unified/later", "e", "crud/unified/later", junit.StatusSkipped, "not run: --max-time 1m0s reached", "", 0},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d test cases, want %d:\n%+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("case %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}

	var doc junitDoc
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	wantRoot := counts{Name: "specrun", Tests: 8, Failures: 2, Errors: 1, Time: "12.345"}
	if doc.counts != wantRoot {
		t.Errorf("testsuites = %+v, want %+v", doc.counts, wantRoot)
	}
	// Jenkins' junit-10.xsd allows these attributes on the root and no others.
	var root struct {
		Attrs []xml.Attr `xml:",any,attr"`
	}
	if err := xml.Unmarshal(data, &root); err != nil {
		t.Fatal(err)
	}
	for _, a := range root.Attrs {
		switch a.Name.Local {
		case "name", "time", "tests", "failures", "errors":
		default:
			t.Errorf("testsuites has attribute %s, which junit-10.xsd rejects", a.Name.Local)
		}
	}
	wantSuites := []counts{
		{Name: "crud/unified/find", File: "crud/unified/find.json", Tests: 4, Failures: 2, Skipped: 1, Time: "60.015"},
		{Name: "change-streams/unified/x", File: "change-streams/unified/x.json", Tests: 1, Skipped: 1, Time: "0.000"},
		{Name: "sessions/unified/x", File: "sessions/unified/x.json", Tests: 1, Skipped: 1, Time: "0.000"},
		{Name: "crud/unified/bad", File: "crud/unified/bad.json", Tests: 1, Errors: 1, Time: "0.000"},
		{Name: "crud/unified/later", File: "crud/unified/later.json", Tests: 1, Skipped: 1, Time: "0.000"},
	}
	if len(doc.Suites) != len(wantSuites) {
		t.Fatalf("suites = %+v", doc.Suites)
	}
	for i := range wantSuites {
		if doc.Suites[i] != wantSuites[i] {
			t.Errorf("suite %d = %+v, want %+v", i, doc.Suites[i], wantSuites[i])
		}
	}
}

// Whatever a test's text holds, the file is well-formed and the parser reads it back
// (made visible where XML cannot carry it).
func TestWriteJUnitHostileText(t *testing.T) {
	cases := []struct {
		name, text, want string
	}{
		{"markup", `<a href="x">&amp; ]]> <![CDATA[ x ]]>`, `<a href="x">&amp; ]]> <![CDATA[ x ]]>`},
		{"control characters", "nul\x00 bell\x07 esc\x1b", `nul\x00 bell\x07 esc\x1b`},
		{"invalid UTF-8", "bad\xff\xfe byte", "bad\uFFFD\uFFFD byte"},
		{"non-characters", "x\uFFFE y\uFFFF", `x\ufffe y\uffff`},
		{"quotes and tabs", "it's \"quoted\"\tand tabbed", "it's \"quoted\"\tand tabbed"},
		{"astral and CJK", "😀 テスト", "😀 テスト"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := &Run{Tests: []result.Test{{
				ID: "crud/unified/f/" + c.text, File: "crud/unified/f.json", Description: c.text,
				Status: result.Fail, Reason: c.text, Detail: c.text + "\n" + c.text,
			}}}
			data := writeJUnit(t, r)
			suites, err := junit.Ingest(data)
			if err != nil {
				t.Fatalf("%v\n%s", err, data)
			}
			if len(suites) != 1 || len(suites[0].Tests) != 1 {
				t.Fatalf("suites = %+v", suites)
			}
			tc := suites[0].Tests[0]
			if suites[0].Name != "crud/unified/f" {
				t.Errorf("suite name = %q", suites[0].Name)
			}
			if tc.Name != c.want || tc.Message != c.want || tc.Status != junit.StatusFailed {
				t.Errorf("name %q, message %q, status %s; want %q", tc.Name, tc.Message, tc.Status, c.want)
			}
			if body := tc.Error.(junit.Error).Body; body != c.want+"\n"+c.want {
				t.Errorf("body = %q", body)
			}
		})
	}
}

func TestWriteJUnitEmptyAndRejected(t *testing.T) {
	var doc junitDoc
	if err := xml.Unmarshal(writeJUnit(t, &Run{}), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Tests != 0 || len(doc.Suites) != 0 {
		t.Errorf("empty run: %+v", doc)
	}

	// A file that could not be loaded: one result named after the file.
	r := &Run{Tests: []result.Test{{ID: "crud/unified/broken", File: "x/broken.json",
		Status: result.Error, Reason: "invalid JSON"}}}
	suites, err := junit.Ingest(writeJUnit(t, r))
	if err != nil {
		t.Fatal(err)
	}
	if len(suites) != 1 || suites[0].Name != "crud/unified/broken" || suites[0].Tests[0].Name != "crud/unified/broken" ||
		suites[0].Tests[0].Status != junit.StatusError {
		t.Errorf("suites = %+v", suites)
	}

	bad := &Run{Tests: []result.Test{{ID: "a/b", Status: "weird"}}}
	if err := WriteJUnit(io.Discard, bad); err == nil || !strings.Contains(err.Error(), `unknown status "weird"`) {
		t.Errorf("unknown status: err = %v", err)
	}
}

func TestFileID(t *testing.T) {
	cases := []struct {
		r    result.Test
		want string
	}{
		{result.Test{ID: "crud/unified/find/Find with filter", Description: "Find with filter"}, "crud/unified/find"},
		{result.Test{ID: "crud/unified/find/a/b slash", Description: "a/b slash"}, "crud/unified/find"},
		{result.Test{ID: "crud/unified/broken"}, "crud/unified/broken"},
		{result.Test{ID: "crud/x/y", Description: "other"}, "crud/x"},
	}
	for _, c := range cases {
		if got := FileID(c.r); got != c.want {
			t.Errorf("FileID(%q, %q) = %q, want %q", c.r.ID, c.r.Description, got, c.want)
		}
	}
}
