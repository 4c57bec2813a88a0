package main

import (
	"io"
	"testing"

	"github.com/specrun/specrun/internal/testcorpus"
)

// BenchmarkCheckSharedCorpus is specrun check of the whole shared corpus, output
// discarded: loading, validation, twin comparison and coverage of every file.
func BenchmarkCheckSharedCorpus(b *testing.B) {
	corpus := testcorpus.Shared(b)
	b.ReportAllocs()
	for b.Loop() {
		check([]string{corpus}, io.Discard, io.Discard)
	}
}
