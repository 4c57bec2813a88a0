package drivererr

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// errorCodesText is MongoDB's error-code table (errorcodes.txt names its source and
// commit): one "code name" a line, # comments.
//
//go:embed errorcodes.txt
var errorCodesText string

// errorCodeSource names the table in messages.
const errorCodeSource = "MongoDB's error_codes.yml"

// codesByName maps each name of the table, lower-cased (the spec compares code names
// case-insensitively), to its code.
var codesByName = sync.OnceValue(func() map[string]int {
	table, err := parseErrorCodes(errorCodesText)
	if err != nil {
		panic(err) // the embedded table is checked by the package's tests
	}
	return table
})

func parseErrorCodes(text string) (map[string]int, error) {
	table := map[string]int{}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		code, err := strconv.Atoi(fields[0])
		if len(fields) != 2 || err != nil {
			return nil, fmt.Errorf("errorcodes.txt:%d: want a code and a name, got %q", i+1, line)
		}
		key := strings.ToLower(fields[1])
		if _, dup := table[key]; dup {
			return nil, fmt.Errorf("errorcodes.txt:%d: the name %s again", i+1, fields[1])
		}
		table[key] = code
	}
	return table, nil
}

// CodeOf is the code that MongoDB's error-code table gives a code name (compared
// case-insensitively); false when the table has no such name.
func CodeOf(name string) (int, bool) {
	code, ok := codesByName()[strings.ToLower(name)]
	return code, ok
}
