package specifications

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"unicode/utf8"
)

// The limits of every fixture, JSON or YAML. The largest fixture of both corpora is
// 205 KB (client-side-encryption-prose/corpus-encrypted.json in the Debian corpus) and
// the deepest nests 19 levels (open-telemetry/tests/operation/bulk_write.json). Reading
// YAML costs about 200 bytes of memory per byte of input (yaml.v3's node tree), so the
// size limit bounds what one file can cost: 4 MiB, twenty times the largest fixture.
// The depth limit is the Go driver's own for Extended JSON objects, now for arrays too
// and checked first, so that the error names the file and the path.
const (
	MaxFileSize = 4 << 20
	MaxDepth    = 200
)

// InputError is a fixture that is not well-formed JSON or YAML, or breaks a rule of
// the loader (limits, UTF-8, duplicate keys, numbers out of range): where it is.
type InputError struct {
	Line, Column int    // 1-based; Column is 0 where only the line is known (YAML syntax)
	Path         string // field path of the value, e.g. tests.0.description; "" for the document
	Message      string
	offset       int // in the JSON text read, for placing it in the YAML it was written from; -1 if none
}

func (e *InputError) Error() string {
	s := strconv.Itoa(e.Line)
	if e.Column > 0 {
		s += ":" + strconv.Itoa(e.Column)
	}
	if e.Path != "" {
		s += ": " + e.Path
	}
	return s + ": " + e.Message
}

// lineColumn gives the 1-based line and column (in characters) of a byte offset.
func lineColumn(data []byte, offset int) (line, column int) {
	offset = min(max(offset, 0), len(data))
	before := data[:offset]
	start := bytes.LastIndexByte(before, '\n') + 1
	return bytes.Count(before, []byte{'\n'}) + 1, utf8.RuneCount(before[start:]) + 1
}

// inputErrorAt places a message at a byte offset of data.
func inputErrorAt(data []byte, offset int, path, format string, args ...any) *InputError {
	line, col := lineColumn(data, offset)
	return &InputError{Line: line, Column: col, Path: path, Message: fmt.Sprintf(format, args...), offset: offset}
}

// readFixture reads a file of at most MaxFileSize bytes; a larger one is refused
// before it is read whole (a special file that says nothing of its size is read up to
// the limit, no further).
func readFixture(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var buf bytes.Buffer
	if info, err := f.Stat(); err == nil && info.Size() > MaxFileSize {
		return nil, tooLarge(info.Size())
	} else if err == nil {
		buf.Grow(int(info.Size()) + bytes.MinRead) // read at once, as os.ReadFile does
	}
	if _, err := buf.ReadFrom(io.LimitReader(f, MaxFileSize+1)); err != nil {
		return nil, err
	}
	data := buf.Bytes()
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("larger than the %d MiB a fixture may have", MaxFileSize>>20)
	}
	return data, nil
}

func tooLarge(size int64) error {
	return fmt.Errorf("%.1f MiB, larger than the %d MiB a fixture may have", float64(size)/(1<<20), MaxFileSize>>20)
}
