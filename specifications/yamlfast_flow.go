package specifications

// fastYAML's flow collections ([…] and {…}); see yamlfast.go.

func flowIndicator(c byte) bool {
	return c == ',' || c == '[' || c == ']' || c == '{' || c == '}'
}

// plainFlow scans a plain scalar inside a flow collection, on one line.
func (p *fastYAML) plainFlow() (string, error) {
	if !plainStart(p.at(p.i), p.at(p.i+1), true) {
		return "", errNotFast
	}
	start, end := p.i, p.i
	for p.i < len(p.data) {
		c := p.data[p.i]
		if c == '\n' || flowIndicator(c) || c == '#' && p.data[p.i-1] == ' ' || c == ':' && p.blankAt(p.i+1) {
			break
		}
		if c == '?' {
			return "", errNotFast // yaml.v3 ends a plain scalar there in a flow collection
		}
		p.i++
		if c != ' ' {
			end = p.i
		}
	}
	return string(p.data[start:end]), nil
}

// flowSpace passes what may separate the tokens of a flow collection: spaces, line
// breaks and comments. yaml.v3 checks no indentation inside a flow collection, only
// the document markers at the start of a line.
func (p *fastYAML) flowSpace() error {
	for p.i < len(p.data) {
		switch c := p.data[p.i]; {
		case c == ' ':
			p.i++
		case c == '\n':
			p.i++
			p.lineStart = p.i
			for p.at(p.i) == ' ' {
				p.i++
			}
			if p.column() == 0 && p.docMarker() {
				return errNotFast
			}
		case c == '#' && (p.i == p.lineStart || p.data[p.i-1] == ' '):
			p.skipComment()
		default:
			return nil
		}
	}
	return errNotFast // the file ends inside a flow collection
}

// flowNode reads a node inside a flow collection, or a flow collection itself.
func (p *fastYAML) flowNode() error {
	if err := p.flowSpace(); err != nil {
		return err
	}
	switch p.at(p.i) {
	case '[':
		return p.flowCollection(true)
	case '{':
		return p.flowCollection(false)
	case '"', '\'':
		s, err := p.quoted()
		if err != nil {
			return err
		}
		return p.str(s)
	case '*':
		return p.alias()
	case '&':
		anchor, err := p.name()
		if err != nil {
			return err
		}
		if err := p.flowSpace(); err != nil {
			return err
		}
		if c := p.at(p.i); c == '*' || c == '&' {
			return errNotFast // yaml.v3 refuses an anchor on an alias, and two anchors on a node
		}
		a := p.define(anchor, fastAnchor{flow: true})
		if err := p.flowNode(); err != nil {
			return err
		}
		a.finish()
		return nil
	}
	s, err := p.plainFlow()
	if err != nil {
		return err
	}
	if s == "" {
		return errNotFast
	}
	return p.plain(s)
}

// flowCollection reads a flow sequence ([…]) or mapping ({…}).
func (p *fastYAML) flowCollection(array bool) error {
	if err := p.w.begin(noNode); err != nil {
		return err
	}
	if err := p.w.open(noNode, array); err != nil {
		return err
	}
	end := byte('}')
	if array {
		end = ']'
	}
	p.i++
	for n := 0; ; n++ {
		if err := p.flowSpace(); err != nil {
			return err
		}
		if p.at(p.i) == end { // empty, or after a last comma
			break
		}
		if n > 0 {
			p.w.buf.WriteByte(',')
		}
		var err error
		switch {
		case !array:
			err = p.flowPair()
		case p.pairAhead():
			err = p.onePairMapping()
		default:
			err = p.flowNode()
		}
		if err == nil {
			err = p.flowSpace()
		}
		if err != nil {
			return err
		}
		if c := p.at(p.i); c == end {
			break
		} else if c != ',' {
			return errNotFast
		}
		p.i++
	}
	p.i++
	p.w.close(array)
	return nil
}

// flowPair reads a key and its value in a flow mapping; a value left out is null.
func (p *fastYAML) flowPair() error {
	if err := p.flowKey(); err != nil {
		return err
	}
	if err := p.flowSpace(); err != nil {
		return err
	}
	if c := p.at(p.i); c == ',' || c == '}' || c == ']' {
		return p.plain("")
	}
	return p.flowNode()
}

// pairAhead: a flow sequence's entry at p.i is a key and its colon (k: v), which
// makes it a mapping of that one pair.
func (p *fastYAML) pairAhead() bool {
	save := p.i
	defer func() { p.i = save }()
	var err error
	if c := p.at(p.i); c == '"' || c == '\'' {
		_, err = p.quoted()
	} else if plainStart(c, p.at(p.i+1), true) {
		_, err = p.plainFlow()
	} else {
		return false
	}
	p.skipSpaces()
	return err == nil && p.at(p.i) == ':'
}

func (p *fastYAML) onePairMapping() error {
	if err := p.w.begin(noNode); err != nil {
		return err
	}
	if err := p.w.open(noNode, false); err != nil {
		return err
	}
	if err := p.flowPair(); err != nil {
		return err
	}
	p.w.close(false)
	return nil
}

// flowKey reads a flow mapping's key and its colon, on one line, and writes the key.
func (p *fastYAML) flowKey() error {
	var key string
	var err error
	start := p.i
	if c := p.at(p.i); c == '"' || c == '\'' {
		key, err = p.quoted()
	} else {
		key, err = p.plainFlow()
	}
	if err != nil {
		return err
	}
	p.skipSpaces()
	if key == "" || key == "<<" || p.at(p.i) != ':' || !p.blankAt(p.i+1) || p.i-start > maxSimpleKey {
		return errNotFast
	}
	p.i++
	return p.writeKey(key)
}
