package main

import (
	"runtime"

	"github.com/specrun/specrun/operations"
	"github.com/specrun/specrun/specifications"
)

// checked is what check needs of one file: its load and, when it loaded in a schema
// version specrun runs, what of it specrun cannot run.
type checked struct {
	specifications.LoadResult
	gaps []operations.Gap
}

// checkEach loads the sources and finds their coverage gaps on all cores, and calls
// use with each result in the order of sources, on the calling goroutine, as soon as
// it and those before it are ready: the output is that of a serial check and starts
// at once. The files are independent; loads run at most a window ahead of use, so
// that the corpus is not held in memory.
func checkEach(sources []specifications.Source, use func(checked)) {
	workers := runtime.GOMAXPROCS(0)
	window := make(chan struct{}, 4*workers) // a slot per file loaded or loading and not yet used
	done := make([]chan checked, len(sources))
	for i := range done {
		done[i] = make(chan checked, 1)
	}
	next := make(chan int)
	go func() {
		defer close(next)
		for i := range sources {
			window <- struct{}{}
			next <- i
		}
	}()
	for range workers {
		go func() {
			for i := range next {
				done[i] <- checkOne(sources[i])
			}
		}()
	}
	for i := range sources {
		use(<-done[i])
		done[i] = nil
		<-window
	}
}

func checkOne(src specifications.Source) checked {
	c := checked{LoadResult: specifications.Load(src, true)}
	if c.Kind == specifications.Loaded && c.File.Unsupported == "" {
		c.gaps = operations.Coverage(c.File)
	}
	return c
}
