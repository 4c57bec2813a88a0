package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/specrun/specrun/result"
)

// The JUnit XML form: the subset that Jenkins, GitLab and the common parsers read.
type (
	// The root has no skipped count: Jenkins' JUnit schema (xunit plugin,
	// junit-10.xsd) allows only name, time, tests, failures and errors there, and
	// rejects the file otherwise. Each suite has its skipped count.
	junitSuites struct {
		XMLName  xml.Name     `xml:"testsuites"`
		Name     string       `xml:"name,attr"`
		Tests    int          `xml:"tests,attr"`
		Failures int          `xml:"failures,attr"`
		Errors   int          `xml:"errors,attr"`
		Time     string       `xml:"time,attr"`
		Suites   []junitSuite `xml:"testsuite"`
	}
	junitSuite struct {
		Name      string      `xml:"name,attr"`
		Tests     int         `xml:"tests,attr"`
		Failures  int         `xml:"failures,attr"`
		Errors    int         `xml:"errors,attr"`
		Skipped   int         `xml:"skipped,attr"`
		Time      string      `xml:"time,attr"`
		Timestamp string      `xml:"timestamp,attr,omitempty"`
		File      string      `xml:"file,attr"`
		Cases     []junitCase `xml:"testcase"`

		duration time.Duration
	}
	junitCase struct {
		Name      string        `xml:"name,attr"`
		Classname string        `xml:"classname,attr"`
		Time      string        `xml:"time,attr"`
		Failure   *junitProblem `xml:"failure"`
		Error     *junitProblem `xml:"error"`
		Skipped   *junitSkipped `xml:"skipped"`
	}
	// Details are CDATA: encoding/xml writes a newline in character data as &#xA;,
	// which puts a multi-line detail on one line for whoever reads the file.
	junitProblem struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Detail  string `xml:",cdata"`
	}
	junitSkipped struct {
		Message string `xml:"message,attr"`
		Detail  string `xml:",cdata"`
	}
)

// WriteJUnit writes r as JUnit XML: one testsuite per fixture file, one testcase per
// test (see the package doc). Text from tests is made safe for XML first, so any
// reason or description gives a well-formed file.
func WriteJUnit(w io.Writer, r *Run) error {
	root := junitSuites{Name: "specrun"}
	names := suiteNames(r)
	index := map[string]int{} // fixture file -> its suite
	suite := func(t result.Test) *junitSuite {
		i, ok := index[t.File]
		if !ok {
			i = len(root.Suites)
			index[t.File] = i
			root.Suites = append(root.Suites, junitSuite{Name: xmlSafe(names[t.File]), File: xmlSafe(t.File)})
		}
		return &root.Suites[i]
	}
	add := func(t result.Test, c junitCase) {
		s := suite(t)
		c.Name, c.Classname = xmlSafe(t.Description), s.Name
		if c.Name == "" {
			c.Name = s.Name // a file that could not be loaded has one result, for the file
		}
		c.Time = seconds(t.Duration)
		s.Cases = append(s.Cases, c)
		s.duration += t.Duration
	}
	if err := r.verdictsAligned(); err != nil {
		return err
	}
	for i, t := range r.Tests {
		if !t.Status.Known() {
			return fmt.Errorf("report: test %q has unknown status %q", t.ID, t.Status)
		}
		var v *Verdict
		if r.Expect != nil {
			v = &r.Expect.Verdicts[i]
		}
		add(t, junitCaseOf(t, v, r.Expect))
	}
	if p := r.Partial; p != nil {
		for _, t := range p.NotRun {
			add(t, junitCase{Skipped: &junitSkipped{Message: xmlSafe("not run: " + p.Reason)}})
		}
	}
	for i := range root.Suites {
		s := &root.Suites[i]
		for _, c := range s.Cases {
			s.Tests++
			switch {
			case c.Failure != nil:
				s.Failures++
			case c.Error != nil:
				s.Errors++
			case c.Skipped != nil:
				s.Skipped++
			}
		}
		s.Time = seconds(s.duration)
		root.Tests += s.Tests
		root.Failures += s.Failures
		root.Errors += s.Errors
	}
	if !r.Started.IsZero() {
		for i := range root.Suites {
			root.Suites[i].Timestamp = r.Started.UTC().Format("2006-01-02T15:04:05")
		}
	}
	root.Time = seconds(r.Duration)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(&root); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// junitCaseOf is a test's testcase: its status, and with an expectations file its
// judgement. A test that ends as its entry says is an expected result, not a failure:
// an expected fail or error is <skipped message="expected: <the entry's reason>">, with
// the test's own status and reason as text. A regression fails whatever its status (a
// test the entry expects to fail that is now skipped has stopped being judged), an
// error as <error>; an unexpected pass is a <failure> naming the entry to remove.
func junitCaseOf(t result.Test, v *Verdict, ev *Evaluation) junitCase {
	var c junitCase
	own := string(t.Status)
	if t.Reason != "" {
		own += ": " + t.Reason
	}
	detail := xmlSafe(QuietDetail(t.Detail))
	switch {
	case v != nil && v.Judgement == Expected && t.Status.Failing():
		c.Skipped = &junitSkipped{Message: xmlSafe("expected: " + v.Entry.Reason), Detail: xmlSafe(own)}
		return c
	case v != nil && v.Judgement == UnexpectedPass:
		c.Failure = &junitProblem{Type: "unexpected pass",
			Message: xmlSafe("unexpected pass: " + ev.UnexpectedPassAdvice(*v))}
		return c
	case v != nil && v.Judgement == Regression && !t.Status.Failing():
		c.Failure = &junitProblem{Type: "regression", Detail: detail,
			Message: xmlSafe("regression: " + ev.EntryText(*v) + "; now " + own)}
		return c
	}
	switch t.Status {
	case result.Fail:
		c.Failure = &junitProblem{Message: xmlSafe(t.Reason), Type: "fail", Detail: detail}
	case result.Error:
		c.Error = &junitProblem{Message: xmlSafe(t.Reason), Type: "error", Detail: detail}
	case result.Skip:
		c.Skipped = &junitSkipped{Message: xmlSafe("skip: " + t.Reason)}
	case result.Unsupported:
		c.Skipped = &junitSkipped{Message: xmlSafe("unsupported: " + t.Reason)}
	}
	return c
}

// suiteNames names each fixture file's testsuite: its ID (FileID), and where two files
// of the run have the same ID (both corpus layouts), the ID and the file, so that no
// two suites have the same name.
func suiteNames(r *Run) map[string]string {
	names := map[string]string{}
	files := map[string][]string{} // file ID -> its files
	all := append(append([]result.Test{}, r.Tests...), partialNotRun(r)...)
	for _, t := range all {
		if _, ok := names[t.File]; ok {
			continue
		}
		id := FileID(t)
		names[t.File] = id
		files[id] = append(files[id], t.File)
	}
	for id, fs := range files {
		if len(fs) > 1 {
			for _, f := range fs {
				names[f] = id + " [" + f + "]"
			}
		}
	}
	return names
}

func partialNotRun(r *Run) []result.Test {
	if r.Partial == nil {
		return nil
	}
	return r.Partial.NotRun
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

// xmlSafe returns s with what XML 1.0 cannot carry replaced: invalid UTF-8 by U+FFFD,
// and characters outside XML's Char production (control characters but tab, newline
// and carriage return; U+FFFE, U+FFFF) by a visible \xHH or \uHHHH. encoding/xml
// escapes markup (<, &, ]]>) itself.
func xmlSafe(s string) string {
	ok := utf8.ValidString(s)
	for _, r := range s {
		if !xmlChar(r) {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteRune(utf8.RuneError)
		case !xmlChar(r) && r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		case !xmlChar(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}

// xmlChar reports whether r is in XML 1.0's Char production.
func xmlChar(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

// FileID is the ID of a test's fixture file: the one the run recorded, else (a report
// read back, which does not carry it) the test ID without its description. A result
// for a file that could not be loaded has no description; its ID is the file's.
func FileID(t result.Test) string {
	if t.FileID != "" {
		return t.FileID
	}
	if t.Description == "" {
		return t.ID
	}
	if id, ok := strings.CutSuffix(t.ID, "/"+t.Description); ok {
		return id
	}
	// Not an ID of the form <file ID>/<description> (a hand-made report): its
	// directory part.
	if i := strings.LastIndexByte(t.ID, '/'); i >= 0 {
		return t.ID[:i]
	}
	return t.ID
}

// specOf is the spec of a test ID: its first segment.
func specOf(id string) string {
	spec, _, _ := strings.Cut(id, "/")
	return spec
}
