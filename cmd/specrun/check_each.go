package main

import (
	"github.com/specrun/specrun/internal/ordered"
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
// at once, and the corpus is not held in memory (ordered.Each).
func checkEach(sources []specifications.Source, use func(checked)) {
	ordered.Each(len(sources), func(i int) checked { return checkOne(sources[i]) },
		func(_ int, c checked) { use(c) })
}

func checkOne(src specifications.Source) checked {
	c := checked{LoadResult: specifications.Load(src, true)}
	if c.Kind == specifications.Loaded && c.File.Unsupported == "" {
		c.gaps = operations.Coverage(c.File)
	}
	return c
}
