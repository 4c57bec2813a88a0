// Package report writes and reads what a specrun run produces for other tools and
// people: the JSON report (--json) and the expectations file (--expect), as
// DESIGN.md defines them.
//
// # JSON report
//
// [WriteJSON] writes a [Run] with exactly the field names of DESIGN.md; the summary
// is computed from the tests, which keep run order. [ReadJSON] reads a report back
// (for diff and merge) and checks that its statuses are known and its summary agrees
// with its tests. Durations are written as whole milliseconds (truncated) and the
// start time in UTC with millisecond precision, so a round trip keeps everything
// else exactly. When [Run.Expect] is set, the report also carries the verdict of the
// expectations file: a top-level "expectations" object and, per test, "verdict" and
// (when an entry matched) "expected". These are additions; no field of DESIGN.md is
// renamed or dropped.
//
// URIs in reports must carry no credentials: [RedactURI] removes them.
//
// # Expectations
//
// [LoadExpectations] reads an expectations file strictly: an unknown key, a missing or
// blank reason, an unknown status, an entry with both or neither of id and prefix, or
// a second entry with the same id (or the same prefix) is an error naming the file,
// the line and the entry (tests[i], counted from 0). An empty file is an error;
// "tests: []" is a file with no entries. Every status is allowed in an entry,
// including pass: an id entry with status pass carves one test out of a prefix entry.
//
// [Expectations.Lookup] finds the entry of a test: an id entry wins over prefix
// entries, and among prefix entries the longest prefix wins. A prefix is a plain
// string prefix of the test ID (no pattern, no substring).
//
// [Expectations.Evaluate] judges each test of a run against the entry Lookup gives it:
//
//   - entry, and the test ended with the entry's status: [Expected];
//   - entry, the test passed, the entry says otherwise: [UnexpectedPass], the entry
//     should be removed (or, for a prefix entry, narrowed or overridden by an id entry
//     with status pass);
//   - entry, the test ended with any other status than the entry's (including skip or
//     unsupported): [Regression]. A gate must notice when a test it expects to fail
//     stops being judged at all;
//   - no entry, the test ended fail or error: [Regression];
//   - no entry, the test ended pass, skip or unsupported: [OK]. This is DESIGN.md's
//     "with no expectations file: no fail and no error": skip and unsupported need no
//     entry.
//
// [Evaluation.OK], which decides the exit status of specrun run, is false when any test
// is a regression or an unexpected pass. DESIGN.md says exit 1 "when any did not
// meet its expectation", and an unexpected pass did not: a gate that let it through
// would keep the stale entry, and the day the test breaks again it would be
// "expected" and the regression would go unseen. The fix is to remove the entry (or
// run with --update-expect). Stale entries do not fail the run: they expect nothing of
// any test that ran, so they cannot hide a failure; they are reported.
//
// An entry is stale when Lookup selects it for no test: not for a test of the run, and
// not for any of the known IDs the caller passes to Evaluate. Pass there the IDs of
// every test of the loaded corpus, including those filtered out by --run/--skip, run
// by other shards or cut by --max-time, so that their entries are not called stale.
// An entry shadowed by a more specific one for every test it covers is stale too: it
// decides nothing. A nil *Expectations is a valid one with no entries (no --expect).
package report
