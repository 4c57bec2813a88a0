package corpusget

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// bar shows a download on a terminal, on one line redrawn at most ten times a second:
//
//	https://…/tar.gz/master: [==============>               ]  48%  5.1 of 10.6 MiB
//
// (without a known size, the bytes only). A nil writer shows nothing.
type bar struct {
	w     io.Writer
	label string
	last  time.Time
	shown bool
}

const barWidth = 30

func newBar(w io.Writer, label string) *bar { return &bar{w: w, label: label} }

func (b *bar) set(have, total int64) {
	if b.w == nil || time.Since(b.last) < 100*time.Millisecond && have != total {
		return
	}
	b.last, b.shown = time.Now(), true
	fmt.Fprint(b.w, "\r"+barLine(b.label, have, total))
}

// done ends the line.
func (b *bar) done() {
	if b.w != nil && b.shown {
		fmt.Fprintln(b.w)
	}
}

func barLine(label string, have, total int64) string {
	mib := func(n int64) string { return fmt.Sprintf("%.1f", float64(n)/(1<<20)) }
	if total <= 0 {
		return fmt.Sprintf("%s: %s MiB", label, mib(have))
	}
	done := int(have * barWidth / total)
	arrow := ""
	if done < barWidth {
		arrow = ">"
	}
	fill := strings.Repeat("=", min(done, barWidth)) + arrow
	return fmt.Sprintf("%s: [%-*s] %3d%%  %s of %s MiB", label, barWidth, fill, have*100/total, mib(have), mib(total))
}
