// Package report writes and reads what a specrun run produces for other tools and
// people: the JSON report (--json), the JUnit XML (--junit) and Markdown (--markdown)
// reports, the expectations file (--expect), the diff of two reports (specrun diff)
// and the merge of shard reports (specrun merge), as DESIGN.md defines them.
//
// # JSON report
//
// [WriteJSON] writes a [Run] with exactly the field names of DESIGN.md; the summary
// is computed from the tests, which keep run order. [ReadJSON] reads a report back
// (for diff and merge) and checks that its statuses are known and its summary agrees
// with its tests. Durations are written as whole milliseconds (rounded) and the
// start time in UTC with millisecond precision, so a round trip keeps everything
// else exactly. When [Run.Expect] is set, the report also carries the verdict of the
// expectations file: a top-level "expectations" object and, per test, "verdict" and
// (when an entry matched) "expected". These are additions; no field of DESIGN.md is
// renamed or dropped.
//
// URIs in reports must carry no credentials: [RedactURI] removes them.
//
// # JUnit XML
//
// [WriteJUnit] writes one <testsuite> per fixture file (name: the file's ID, [FileID],
// the test ID without the description; file: its path) in run order, and one
// <testcase> per test (name: the description, classname: the file's ID, time in
// seconds). fail is a <failure>, error an <error>, both with the reason as message
// and the detail as text; skip and unsupported are <skipped message="skip: …"> and
// <skipped message="unsupported: …">, and the tests a partial run did not run are
// <skipped message="not run: <reason>">. With an expectations file, a test that ends
// as its entry says is an expected result, not a failure: an expected fail or error is
// <skipped message="expected: <the entry's reason>"> with the test's own status and
// reason as text; a regression is a <failure> (an <error> for an error) whatever its
// status, and an unexpected pass a <failure> naming the entry. Details are CDATA, so
// they keep their lines, with the server's log quieted ([QuietDetail]; the JSON keeps
// it whole). Two files with the same ID (both corpus layouts) name their suites
// "<file ID> [<file>]", so no two suites have the same name. Suites carry the counts tests, failures,
// errors, skipped and time; the <testsuites> root all but skipped, which Jenkins'
// JUnit schema (junit-10.xsd) does not allow there. What XML 1.0 cannot carry
// (control characters, U+FFFE/U+FFFF) is written visibly as \xHH or \uHHHH, invalid
// UTF-8 as U+FFFD, so any text gives a well-formed file.
//
// # Markdown
//
// [WriteMarkdown] writes release-note material: a header (date, specrun and driver
// versions, the server by its product name when the run was told it, then what it
// says of itself; one line per corpus with its identity and the run's folders below
// its root, so no local path shows but for a corpus in neither layout; duration,
// filters, a PARTIAL banner when the run is partial, and the command that makes the
// report again, [Run.Command], credentials removed). With an expectations file then
// come the gate's verdict, its regressions (capped at 50), unexpected passes and stale
// entries. Then a table with a row per spec (the first segment of the test ID) and a
// total row: pass, fail, skip, unsupported, error, total and the pass rate pass /
// (pass + fail + error) rounded down to 0.1% ("—" when that is 0) with "judged N of M"
// beside it. Last, the failures and errors grouped by [Cause] (with an expectations
// file, the known failures: those that ended as their entry says), a table of causes
// with counts, most first, and the first five tests of each. Every result is a leaf
// test. Text from tests and the command line is escaped (Markdown punctuation gets a
// backslash, line breaks become spaces), so it cannot break the table or turn into
// markup.
//
// # Diff
//
// [Diff] matches the tests of two reports by ID; an ID that occurs more than once in
// either report (both corpus layouts in one run) is matched by ID and file, and the
// diff names it. A test not failing before (pass, skip, unsupported) that fails or
// errors now is a regression; fail or error before and pass now is a fix; any other
// change of status (pass → unsupported: no longer judged; fail → error) is a status
// change; the same status other than pass with another reason is a changed reason
// ([SameReason]: what changes from run to run of the same server, memory addresses,
// loopback ports, connection ids and times, is not a change; see [Stable]).
// A test only in the new report is new (a new failing test is new, not a
// regression), one only in the old is removed, except that a test a partial report
// lists as not run is neither. Warnings say when the reports are not comparable test
// for test: other corpus (the roots' identities differ, or roots without identity
// differ), other server (version, topology, embedded or not), other filters (--run,
// --skip, --shard), or a partial report. [DiffResult.Regressed] decides the exit
// status of specrun diff.
//
// # Merge
//
// [Merge] joins the reports of the shards of one run into the report of the whole
// run; see its doc for what it refuses and how missing or partial shards make the
// result partial. Tests come in the order of the unsharded run: corpus roots in
// argument order, files inside a root in the order specifications.Discover gives.
// Verdicts of an expectations file are the shards'; an entry is stale only when it
// is stale in every shard.
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
