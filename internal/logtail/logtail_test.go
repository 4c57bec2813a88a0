package logtail

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRing(t *testing.T) {
	tail := New(3)
	log := slog.New(tail.Handler())
	m0 := tail.Mark()
	log.Warn("one", "k", 1)
	log.Info("not kept")
	m1 := tail.Mark()
	log.With("conn", "c1").WithGroup("g").Warn("two\n  {\n \"x\": 1}", "k", "v")
	lines, dropped := tail.Since(m1)
	assert.Equal(t, []string{`WARN two { "x": 1} conn=c1 g.k=v`}, lines)
	assert.Zero(t, dropped)

	for i := range 4 {
		log.Error(fmt.Sprint("e", i))
	}
	lines, dropped = tail.Since(m0)
	assert.Equal(t, []string{"ERROR e1", "ERROR e2", "ERROR e3"}, lines, "the ring keeps the last 3")
	assert.Equal(t, 3, dropped, "one, two and e0 were dropped")
	lines, _ = tail.Since(tail.Mark())
	assert.Empty(t, lines)
}

func TestWriter(t *testing.T) {
	tail := New(10)
	w := tail.Writer()
	m := tail.Mark()
	for _, chunk := range []string{"first li", "ne\nsecond\r\n", "", "\nthird", " and last\n", strings.Repeat("x", 2*maxLine) + "\nafter\n", "no break"} {
		n, err := fmt.Fprint(w, chunk)
		assert.NoError(t, err)
		assert.Equal(t, len(chunk), n)
	}
	lines, dropped := tail.Since(m)
	assert.Zero(t, dropped)
	assert.Equal(t, []string{"first line", "second", "", "third and last", strings.Repeat("x", maxLine), "after"}, lines,
		"a line at a time, its break and carriage return dropped, a long one cut; the unfinished one waits")
	fmt.Fprint(w, "\n")
	lines, _ = tail.Since(m)
	assert.Equal(t, "no break", lines[len(lines)-1])
}
