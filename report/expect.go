package report

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/specrun/specrun/result"
	"go.yaml.in/yaml/v3"
)

// Expectations is an expectations file: what a server is known to do today.
type Expectations struct {
	Path    string // the file it was loaded from, for messages
	Entries []Entry
}

// Entry is one entry of an expectations file. Exactly one of ID and Prefix is set.
type Entry struct {
	ID     string // one test, exact
	Prefix string // every test whose ID starts with it
	Status result.Status
	Reason string
	Line   int // line of the entry in the file, 0 if unknown
}

// entryKey identifies an entry: a file has at most one entry per id and one per
// prefix (ParseExpectations refuses a second).
type entryKey struct{ id, prefix string }

func (e *Entry) identity() entryKey { return entryKey{e.ID, e.Prefix} }

// Pattern describes what the entry matches, for messages: id "…" or prefix "…".
func (e *Entry) Pattern() string {
	if e.Prefix != "" {
		return fmt.Sprintf("prefix %q", e.Prefix)
	}
	return fmt.Sprintf("id %q", e.ID)
}

// Matches reports whether the entry covers the test ID, whatever other entries say.
func (e *Entry) Matches(id string) bool {
	if e.Prefix != "" {
		return strings.HasPrefix(id, e.Prefix)
	}
	return e.ID == id
}

// LoadExpectations reads and checks an expectations file (see the package doc for the
// rules). Every problem found is reported, each as "path:line: tests[i]: …".
func LoadExpectations(path string) (*Expectations, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("expectations: %w", err)
	}
	return ParseExpectations(path, data)
}

// ParseExpectations is LoadExpectations for a file already read; path is used in
// messages only.
func ParseExpectations(path string, data []byte) (*Expectations, error) {
	p := &expectParser{path: path}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if err == io.EOF {
			return nil, fmt.Errorf("%s: empty expectations file (want a \"tests:\" list; \"tests: []\" for none)", path)
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err != io.EOF {
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return nil, fmt.Errorf("%s:%d: more than one YAML document", path, extra.Line)
	}
	exp := &Expectations{Path: path}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:%d: want a mapping with a \"tests\" list", path, root.Line)
	}
	var tests *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch {
		case k.Value != "tests":
			p.errorf(k.Line, "unknown key %q (want only \"tests\")", k.Value)
		case tests != nil:
			p.errorf(k.Line, "\"tests\" given twice")
		default:
			tests = v
		}
	}
	switch {
	case tests == nil:
		p.errorf(root.Line, "no \"tests\" list (\"tests: []\" for none)")
	case tests.Kind == yaml.ScalarNode && tests.Tag == "!!null":
		// "tests:" with every entry removed: no entries.
	case tests.Kind != yaml.SequenceNode:
		p.errorf(tests.Line, "\"tests\" must be a list")
	default:
		firstID := map[string]int{}
		firstPrefix := map[string]int{}
		for i, n := range tests.Content {
			e, ok := p.entry(i, n)
			if !ok {
				continue
			}
			seen, what, key := firstID, "id", e.ID
			if e.Prefix != "" {
				seen, what, key = firstPrefix, "prefix", e.Prefix
			}
			if line, dup := seen[key]; dup {
				p.errorf(e.Line, "tests[%d]: duplicate %s %q (first at line %d)", i, what, key, line)
				continue
			}
			seen[key] = e.Line
			exp.Entries = append(exp.Entries, e)
		}
	}
	if len(p.errs) > 0 {
		return nil, errors.Join(p.errs...)
	}
	return exp, nil
}

type expectParser struct {
	path string
	errs []error
}

func (p *expectParser) errorf(line int, format string, args ...any) {
	p.errs = append(p.errs, fmt.Errorf("%s:%d: %s", p.path, line, fmt.Sprintf(format, args...)))
}

// entry checks and converts tests[i]; it reports every problem of the entry.
func (p *expectParser) entry(i int, n *yaml.Node) (Entry, bool) {
	e := Entry{Line: n.Line}
	if n.Kind != yaml.MappingNode {
		p.errorf(n.Line, "tests[%d]: want a mapping with id or prefix, status and reason", i)
		return e, false
	}
	before := len(p.errs)
	seen := map[string]bool{} // keys given
	bad := map[string]bool{}  // keys given with a value that is not a string
	var status string
	for j := 0; j+1 < len(n.Content); j += 2 {
		k, v := n.Content[j], n.Content[j+1]
		var dst *string
		switch k.Value {
		case "id":
			dst = &e.ID
		case "prefix":
			dst = &e.Prefix
		case "status":
			dst = &status
		case "reason":
			dst = &e.Reason
		default:
			p.errorf(k.Line, "tests[%d]: unknown key %q (want id or prefix, status, reason)", i, k.Value)
			continue
		}
		if seen[k.Value] {
			p.errorf(k.Line, "tests[%d]: %q given twice", i, k.Value)
			continue
		}
		seen[k.Value] = true
		if v.Kind != yaml.ScalarNode || v.Tag != "!!str" {
			if v.Kind == yaml.ScalarNode {
				p.errorf(v.Line, "tests[%d]: %s must be a string, not %s (quote it)", i, k.Value, strings.TrimPrefix(v.Tag, "!!"))
			} else {
				p.errorf(v.Line, "tests[%d]: %s must be a string", i, k.Value)
			}
			bad[k.Value] = true
			continue
		}
		*dst = v.Value
	}
	switch {
	case seen["id"] && seen["prefix"]:
		p.errorf(n.Line, "tests[%d]: both id and prefix given (want exactly one)", i)
	case !seen["id"] && !seen["prefix"]:
		p.errorf(n.Line, "tests[%d]: neither id nor prefix given (want exactly one)", i)
	case seen["id"] && !bad["id"] && e.ID == "":
		p.errorf(n.Line, "tests[%d]: empty id", i)
	case seen["prefix"] && !bad["prefix"] && e.Prefix == "":
		p.errorf(n.Line, "tests[%d]: empty prefix (it would match every test)", i)
	}
	e.Status = result.Status(status)
	switch {
	case !seen["status"]:
		p.errorf(n.Line, "tests[%d]: missing status", i)
	case !bad["status"] && !e.Status.Known():
		p.errorf(n.Line, "tests[%d]: unknown status %q (want pass, fail, skip, unsupported or error)", i, status)
	}
	switch {
	case !seen["reason"]:
		p.errorf(n.Line, "tests[%d]: missing reason (every entry says why)", i)
	case !bad["reason"] && strings.TrimSpace(e.Reason) == "":
		p.errorf(n.Line, "tests[%d]: empty reason (every entry says why)", i)
	}
	return e, len(p.errs) == before
}

// Lookup returns the entry that decides the expected status of the test with this
// ID: the id entry if there is one, else the prefix entry with the longest matching
// prefix (the first in the file if two are equally long). A nil Expectations has no
// entries.
func (e *Expectations) Lookup(id string) (*Entry, bool) {
	if e == nil {
		return nil, false
	}
	var best *Entry
	for i := range e.Entries {
		en := &e.Entries[i]
		switch {
		case en.Prefix == "":
			if en.ID == id {
				return en, true
			}
		case strings.HasPrefix(id, en.Prefix):
			if best == nil || len(en.Prefix) > len(best.Prefix) {
				best = en
			}
		}
	}
	return best, best != nil
}
