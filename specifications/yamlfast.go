package specifications

// yaml.v3 builds a node for every token and scalar of a file before yamlWriter turns
// the tree into Extended JSON: reading YAML was a third of `specrun check`'s time. The
// corpus writes its YAML in a narrow style (block mappings and sequences, flow
// collections, one-line scalars, anchors and aliases, comments), and fastYAML reads
// exactly that style straight into the writer. It is a shortcut, not a second YAML
// reader: whatever lies outside that style, or is wrong in it, it leaves to yaml.v3
// (ok false) rather than judge, so every error and every unusual construct is still
// yaml.v3's. Where it succeeds, it writes what yaml.v3 and the writer write, byte
// for byte: every scalar is typed by yaml.v3's own resolution (through the writer's
// scalar), and tests hold the equality on every YAML file of the corpora and, by
// fuzzing, on any text checkYAMLText lets through.

import (
	"bytes"
	"errors"

	"go.yaml.in/yaml/v3"
)

// fastYAML reads one YAML document of the narrow style; see fastYAMLExtJSON.
type fastYAML struct {
	data      []byte
	i         int // the next byte to read
	lineStart int // offset of the line of i
	w         yamlWriter
	anchors   map[string]*fastAnchor
	// The anchor each alias named when it was first read, by the alias's offset: an
	// alias inside an aliased node is read again, and its name may since have been
	// given to another node.
	aliases   map[int]*fastAnchor
	replaying int // > 0 while an alias's node is read again
}

// fastAnchor is where an anchored node is, and how it was read there, to be read
// again for each alias of it.
type fastAnchor struct {
	at, lineStart int
	compact       bool // inlineValue's compact
	flow          bool // the node is inside a flow collection
	done          bool // read to its end: an alias inside it would be recursive
}

// errNotFast: the file is not in the style fastYAML reads, or not valid; yaml.v3 reads it.
var errNotFast = errors.New("not in the narrow YAML style")

// noNode stands for the YAML node in the writer's bookkeeping, which uses a node only
// for the place of an error, and fastYAML leaves errors to yaml.v3.
var noNode = &yaml.Node{}

// fastYAMLExtJSON writes the Extended JSON of a YAML file, already checked by
// checkYAMLText, as yamlExtJSON does; ok is false when yaml.v3 is to read it.
func fastYAMLExtJSON(data []byte) (text []byte, ok bool) {
	if !fastBytes(data) {
		return nil, false
	}
	p := fastYAML{data: data, w: yamlWriter{target: -1}}
	p.w.buf.Grow(len(data))
	col, err := p.skipToContent(true)
	if err == nil && col == 0 && p.docStart() {
		p.i += 3
		if err = p.lineEnd(); err == nil {
			col, err = p.skipToContent(false)
		}
	}
	if err != nil || col != 0 || p.dash() {
		return nil, false
	}
	if col, err = p.blockMapping(0); err != nil || col != -1 {
		return nil, false
	}
	return p.w.buf.Bytes(), true
}

// fastBytes: no byte that YAML treats specially outside the narrow style (tabs,
// carriage returns, and the byte order mark and line breaks beyond ASCII).
func fastBytes(data []byte) bool {
	if bytes.IndexByte(data, '\t') >= 0 || bytes.IndexByte(data, '\r') >= 0 {
		return false
	}
	for _, special := range []string{"\u0085", "\u2028", "\u2029", "\uFEFF"} {
		if bytes.Contains(data, []byte(special)) {
			return false
		}
	}
	return true
}

func (p *fastYAML) at(i int) byte {
	if i < len(p.data) {
		return p.data[i]
	}
	return 0
}

func (p *fastYAML) column() int { return p.i - p.lineStart }

// blankAt: a space, a line break or the end of the file at offset i.
func (p *fastYAML) blankAt(i int) bool {
	c := p.at(i)
	return c == ' ' || c == '\n' || c == 0
}

// dash: a block sequence entry starts here.
func (p *fastYAML) dash() bool { return p.at(p.i) == '-' && p.blankAt(p.i+1) }

// docMarker: a document marker (--- or ...) starts here, if at the start of a line.
func (p *fastYAML) docMarker() bool {
	return p.docStart() || bytes.HasPrefix(p.data[p.i:], []byte("...")) && p.blankAt(p.i+3)
}

// maxSimpleKey is the length of a key and what follows it up to its colon beyond
// which fastYAML leaves a file to yaml.v3, which allows 1024 characters.
const maxSimpleKey = 1000

// docStart: a document start (---) is here.
func (p *fastYAML) docStart() bool {
	return bytes.HasPrefix(p.data[p.i:], []byte("---")) && p.blankAt(p.i+3)
}

// skipToContent passes spaces, line breaks and comments, and returns the column of
// what follows, or -1 at the end of the file. A document marker is left to yaml.v3,
// but the very first (top set).
func (p *fastYAML) skipToContent(top bool) (int, error) {
	for p.i < len(p.data) {
		switch p.data[p.i] {
		case ' ':
			p.i++
		case '\n':
			p.i++
			p.lineStart = p.i
		case '#':
			if p.i > p.lineStart && p.data[p.i-1] != ' ' {
				return 0, errNotFast
			}
			p.skipComment()
		default:
			if p.column() == 0 && p.docMarker() && !(top && p.docStart()) {
				return 0, errNotFast
			}
			return p.column(), nil
		}
	}
	return -1, nil
}

func (p *fastYAML) skipComment() {
	if end := bytes.IndexByte(p.data[p.i:], '\n'); end >= 0 {
		p.i += end
	} else {
		p.i = len(p.data)
	}
}

// lineEnd passes the spaces and the comment that may end a line after a value.
func (p *fastYAML) lineEnd() error {
	for p.at(p.i) == ' ' {
		p.i++
	}
	switch c := p.at(p.i); {
	case c == '\n' || p.i == len(p.data):
		return nil
	case c == '#' && p.data[p.i-1] == ' ':
		p.skipComment()
		return nil
	}
	return errNotFast
}

func (p *fastYAML) skipSpaces() {
	for p.at(p.i) == ' ' {
		p.i++
	}
}

// blockMapping reads the block mapping at column col, where p.i is, and returns the
// column of what follows it (-1 at the end of the file).
func (p *fastYAML) blockMapping(col int) (int, error) {
	if err := p.w.begin(noNode); err != nil {
		return 0, err
	}
	if err := p.w.open(noNode, false); err != nil {
		return 0, err
	}
	next := col
	for first := true; next == col; first = false {
		if !first {
			p.w.buf.WriteByte(',')
		}
		if err := p.key(); err != nil {
			return 0, err
		}
		var err error
		if next, err = p.blockValue(col, false); err != nil {
			return 0, err
		}
	}
	if next > col {
		return 0, errNotFast // a scalar's next line, or a misplaced node
	}
	p.w.close(false)
	return next, nil
}

func (p *fastYAML) blockSequence(col int) (int, error) {
	if err := p.w.begin(noNode); err != nil {
		return 0, err
	}
	if err := p.w.open(noNode, true); err != nil {
		return 0, err
	}
	next := col
	for first := true; next == col && p.dash(); first = false {
		if !first {
			p.w.buf.WriteByte(',')
		}
		p.i++ // the dash
		var err error
		if next, err = p.blockValue(col, true); err != nil {
			return 0, err
		}
	}
	if next > col {
		return 0, errNotFast
	}
	p.w.close(true)
	return next, nil
}

// key reads a block mapping's key and its colon, and writes the key.
func (p *fastYAML) key() error {
	var key string
	start := p.i
	switch c := p.at(p.i); c {
	case '"', '\'':
		var err error
		if key, err = p.quoted(); err != nil {
			return err
		}
		p.skipSpaces()
		if p.at(p.i) != ':' || !p.blankAt(p.i+1) {
			return errNotFast
		}
		p.i++
	default:
		if !plainStart(c, p.at(p.i+1), false) {
			return errNotFast
		}
		var isKey bool
		if key, isKey = p.plainBlock(); !isKey {
			return errNotFast
		}
	}
	if p.i-start > maxSimpleKey || key == "<<" { // "<<" is a merge key
		return errNotFast
	}
	return p.writeKey(key)
}

func (p *fastYAML) writeKey(key string) error {
	if p.w.check.key(key) != "" {
		return errNotFast
	}
	p.w.str(key)
	p.w.buf.WriteByte(':')
	return nil
}

// blockValue reads the value after a block mapping's key or a sequence's dash, in a
// collection at column parent, and returns the column of what follows it.
func (p *fastYAML) blockValue(parent int, entry bool) (int, error) {
	p.skipSpaces()
	anchor, err := p.anchor()
	if err != nil {
		return 0, err
	}
	if !p.atLineEnd() {
		// On this line; a key after an anchor would be the key's anchor.
		return p.anchoredValue(anchor, entry && anchor == "")
	}
	if err := p.lineEnd(); err != nil {
		return 0, err
	}
	next, err := p.skipToContent(false)
	if err != nil {
		return 0, err
	}
	// The node on the next lines (a mapping's value may be a sequence at the
	// mapping's own column), or none: null.
	if !(next > parent || next == parent && next >= 0 && !entry && p.dash()) {
		if anchor != "" {
			return 0, errNotFast // an anchored empty node
		}
		return next, p.plain("")
	}
	if anchor == "" && p.at(p.i) == '&' { // the anchor opens the next line
		if anchor, err = p.anchor(); err != nil || p.atLineEnd() {
			return 0, errNotFast
		}
		return p.anchoredValue(anchor, false)
	}
	return p.anchoredValue(anchor, true)
}

// anchor reads the anchor at p.i and the spaces after it, if there is one.
func (p *fastYAML) anchor() (string, error) {
	if p.at(p.i) != '&' {
		return "", nil
	}
	name, err := p.name()
	p.skipSpaces()
	return name, err
}

// atLineEnd: nothing but a comment is left on the line, past the spaces at p.i.
func (p *fastYAML) atLineEnd() bool {
	c := p.at(p.i)
	return c == '\n' || c == '#' || p.i == len(p.data)
}

// anchoredValue reads a block node with inlineValue, under an anchor if there is one.
func (p *fastYAML) anchoredValue(anchor string, compact bool) (int, error) {
	if anchor != "" && p.at(p.i) == '*' {
		return 0, errNotFast // yaml.v3 refuses an anchor on an alias
	}
	a := p.define(anchor, fastAnchor{compact: compact})
	next, err := p.inlineValue(compact)
	if err != nil {
		return 0, err
	}
	a.finish()
	return next, nil
}

// inlineValue reads a block node that starts where p.i is: a scalar, an alias, a flow
// collection or, where a block collection may start there (compact set: after a
// sequence's dash, or at the start of a line), a mapping or a sequence. It returns
// the column of what follows.
func (p *fastYAML) inlineValue(compact bool) (int, error) {
	start, col := p.i, p.column()
	if p.dash() {
		if !compact {
			return 0, errNotFast
		}
		return p.blockSequence(col)
	}
	var err error
	switch c := p.at(p.i); c {
	case '[', '{':
		err = p.flowNode()
	case '*':
		err = p.alias()
	case '"', '\'':
		var s string
		if s, err = p.quoted(); err != nil {
			return 0, err
		}
		if save := p.i; compact {
			p.skipSpaces()
			if p.at(p.i) == ':' && p.blankAt(p.i+1) {
				p.i = start
				return p.blockMapping(col)
			}
			p.i = save
		}
		err = p.str(s)
	default:
		if !plainStart(c, p.at(p.i+1), false) {
			return 0, errNotFast
		}
		s, isKey := p.plainBlock()
		if isKey {
			if !compact {
				return 0, errNotFast
			}
			p.i = start
			return p.blockMapping(col)
		}
		err = p.plain(s)
	}
	if err == nil {
		err = p.lineEnd()
	}
	if err != nil {
		return 0, err
	}
	return p.skipToContent(false)
}

// name reads an anchor (&name) or an alias (*name): yaml.v3's name characters, then a
// blank, or for an alias in a flow collection the end of its entry.
func (p *fastYAML) name() (string, error) {
	start := p.i + 1
	end := start
	for end < len(p.data) {
		c := p.data[end]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '-') {
			break
		}
		end++
	}
	next := p.at(end)
	if end == start || !(next == ' ' || next == '\n' || p.data[p.i] == '*' && (next == 0 || next == ',' || next == ']' || next == '}')) {
		return "", errNotFast
	}
	p.i = end
	return string(p.data[start:end]), nil
}

// define notes an anchor on the node at p.i, unless there is none or an alias is being
// read again (its anchors are already known). A later node of the same name takes the
// name from there on, as in yaml.v3.
func (p *fastYAML) define(name string, a fastAnchor) *fastAnchor {
	if name == "" || p.replaying > 0 {
		return nil
	}
	if p.anchors == nil {
		p.anchors = map[string]*fastAnchor{}
	}
	a.at, a.lineStart = p.i, p.lineStart
	p.anchors[name] = &a
	return &a
}

func (a *fastAnchor) finish() {
	if a != nil {
		a.done = true
	}
}

// alias writes again the node an alias names, read again from where it is, as it was
// read there (the writer's output does not depend on where a node is).
func (p *fastYAML) alias() error {
	at := p.i
	name, err := p.name()
	if err != nil {
		return err
	}
	a := p.aliases[at]
	if p.replaying > 0 && a == nil {
		return errNotFast // not met on the first reading: cannot be, but is not ours to judge
	}
	if p.replaying == 0 {
		if a = p.anchors[name]; a == nil || !a.done {
			return errNotFast
		}
		if p.aliases == nil {
			p.aliases = map[int]*fastAnchor{}
		}
		p.aliases[at] = a
	}
	save, saveLine := p.i, p.lineStart
	p.i, p.lineStart = a.at, a.lineStart
	p.replaying++
	if a.flow {
		err = p.flowNode()
	} else {
		_, err = p.inlineValue(a.compact)
	}
	p.replaying--
	p.i, p.lineStart = save, saveLine
	return err
}
