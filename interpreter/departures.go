package interpreter

import (
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/specrun/specrun/matchers"
	"github.com/specrun/specrun/specifications"
)

// A driver departure is a place where the Go driver does other than a test expects, for
// reasons of its own: the test then says nothing about the server, and a mismatch there
// must not blame it. A departure shows in one of three places: a command the test
// expects the driver to send, the documents of an outcome collection (which the driver
// wrote), or the result that goes with an operation's error (expectError.expectResult,
// which the driver computes). Each departure is narrow: it undoes exactly its
// difference, and only if the whole command, every document, or the whole result then
// matches is the test unsupported; any other difference still fails.
type departure struct {
	in     shownIn
	reason string
	// undone, for a departure in a result, says what undo changes, for the detail of a
	// test that still fails once it is undone.
	undone string
	// undo returns the mismatch with the departure's difference taken out (the observed
	// command as the spec would have it, the expected documents as the driver writes
	// them), if this departure is what it shows.
	undo func(m mismatch) (mismatch, bool)
}

// shownIn is where a departure shows.
type shownIn int

const (
	inCommand     shownIn = iota + 1 // an expected command (expectEvents)
	inDocuments                      // an outcome collection's documents
	inErrorResult                    // the result of an operation that raised an error (expectError.expectResult)
)

// mismatch is what a test expected and what was observed, where they do not match: a
// command (one document each), an outcome collection's documents (unordered), or the
// result of an operation that raised an error (one document each, matched as a root).
type mismatch struct {
	in         shownIn
	collection string // of the documents
	// operation is the operation whose error result this is, with its arguments.
	operation          string
	arguments          bson.Raw
	expected, observed []bson.Raw
}

func commandMismatch(expected, observed bson.Raw) mismatch {
	return mismatch{in: inCommand, expected: []bson.Raw{expected}, observed: []bson.Raw{observed}}
}

func documentsMismatch(collection string, expected, observed []bson.Raw) mismatch {
	return mismatch{in: inDocuments, collection: collection, expected: expected, observed: observed}
}

func errorResultMismatch(op *specifications.Operation, expected, observed bson.Raw) mismatch {
	return mismatch{in: inErrorResult, operation: op.Name, arguments: op.Arguments, expected: []bson.Raw{expected}, observed: []bson.Raw{observed}}
}

// matches judges the mismatch again with m: a command or a result as a root document,
// documents as an unordered set.
func (mm mismatch) matches(m *matchers.Matcher) bool {
	if mm.in == inDocuments {
		return m.MatchUnordered(mm.expected, mm.observed) == nil
	}
	return m.Match(matchers.Doc(mm.expected[0]), matchers.Doc(mm.observed[0]), matchers.Root) == nil
}

var driverDepartures = []departure{
	{
		in:     inCommand,
		reason: "the Go driver v2 queries GridFS files by {_id: {$eq: id}}, where the test expects {_id: id}: the command cannot be judged",
		undo:   command(undoEqOn(".files", "_id")),
	},
	{
		in:     inCommand,
		reason: "the Go driver v2 queries GridFS chunks by {files_id: {$eq: id}}, where the test expects {files_id: id}: the command cannot be judged",
		undo:   command(undoEqOn(".chunks", "files_id")),
	},
	{
		in:     inCommand,
		reason: "the Go driver v2 runs estimatedDocumentCount as a count command (as the CRUD spec has since 2022), where the test expects an aggregate with $collStats: the command cannot be judged",
		undo:   command(undoCountAsCollStats),
	},
	{
		in: inCommand,
		reason: "the Go driver v2 sends batchSize equal to limit, where the CRUD spec has drivers send limit + 1 " +
			"(\"Setting limit and batchSize options for find commands\"): the command cannot be judged",
		undo: command(undoBatchSizeIsLimit),
	},
	{
		in: inCommand,
		reason: "the Go driver v2 keeps the wtimeout: 10000 it gives a commitTransaction (Transactions spec: on a retry, or on a commit after a commit) " +
			"for the session's later transactions (session.Client.CurrentWTimeout, which StartTransaction does not reset): the command cannot be judged",
		undo: command(undoLeakedWTimeout),
	},
	{
		in: inCommand,
		reason: "the Go driver v2 omits maxTimeMS from find and aggregate, the commands that create cursors (DRIVERS-2722), " +
			"where the test expects the one CSOT derives from timeoutMS: the command cannot be judged",
		undo: command(undoOmittedMaxTimeMS),
	},
	{
		in:     inDocuments,
		reason: "the test expects the deprecated md5 field, which the Go driver v2 never computes (GridFS spec): the files documents cannot be judged",
		undo:   undoMD5,
	},
	{
		in: inErrorResult,
		reason: "the Go driver v2 counts the upserts of an ordered bulk write that failed as matches (mongo/bulk_write.go returns at the failure before it subtracts " +
			"UpsertedCount from MatchedCount): the partial result cannot be judged",
		undone: "matchedCount without the upserts, which the Go driver v2 counts as matches when an ordered bulk write fails",
		undo:   undoUpsertsMatched,
	},
}

// departedErrorResult judges a result that goes with an operation's error and does not
// match what the test expects (err, from m) against the departures that show there. When
// a departure's difference is there and undoing it makes the result match, reason is
// the departure's. When it is there but the result still does not match, corrected is
// the result undone (what the server said, for the caller to judge, so that the
// mismatch reported is not the driver's) and undone says what changed. All are empty
// when no departure applies, or when the expectation itself is invalid.
func departedErrorResult(m *matchers.Matcher, op *specifications.Operation, expected, observed bson.RawValue, err error) (reason string, corrected bson.Raw, undone string) {
	want, ok := expected.DocumentOK()
	got, ok2 := observed.DocumentOK()
	if !ok || !ok2 || isInvalid(err) {
		return "", nil, ""
	}
	mm := errorResultMismatch(op, want, got)
	for _, d := range driverDepartures {
		if d.in != inErrorResult {
			continue
		}
		if u, ok := d.undo(mm); ok {
			if u.matches(m) {
				return d.reason, nil, ""
			}
			return "", u.observed[0], d.undone
		}
	}
	return "", nil, ""
}

// departureOf returns the reason of a known driver departure that explains the
// mismatch, which m judged, or "".
func departureOf(m *matchers.Matcher, mm mismatch) string {
	for _, d := range driverDepartures {
		if d.in != mm.in {
			continue
		}
		if undone, ok := d.undo(mm); ok && undone.matches(m) {
			return d.reason
		}
	}
	return ""
}

// command makes a departure's undo of the observed command.
func command(undo func(expected, observed bson.Raw) (bson.Raw, bool)) func(mismatch) (mismatch, bool) {
	return func(mm mismatch) (mismatch, bool) {
		cmd, ok := undo(mm.expected[0], mm.observed[0])
		if !ok {
			return mm, false
		}
		return commandMismatch(mm.expected[0], cmd), true
	}
}

// undoEqOn turns a find on a GridFS collection (suffix .files or .chunks) with filter
// {key: {$eq: v}} into {key: v} when the test expects exactly {key: v}.
func undoEqOn(suffix, key string) func(expected, observed bson.Raw) (bson.Raw, bool) {
	return func(expected, observed bson.Raw) (bson.Raw, bool) { return undoEq(suffix, key, expected, observed) }
}

func undoEq(suffix, key string, expected, observed bson.Raw) (bson.Raw, bool) {
	coll, ok := observed.Lookup("find").StringValueOK()
	if !ok || !strings.HasSuffix(coll, suffix) {
		return nil, false
	}
	want, err := expected.LookupErr("filter", key)
	if err != nil {
		return nil, false
	}
	doc, ok := observed.Lookup("filter", key).DocumentOK()
	if !ok {
		return nil, false
	}
	elems, err := doc.Elements()
	if err != nil || len(elems) != 1 || elems[0].Key() != "$eq" || !elems[0].Value().Equal(want) {
		return nil, false
	}
	var cmd bson.D
	if err := bson.Unmarshal(observed, &cmd); err != nil {
		return nil, false
	}
	for i, e := range cmd {
		if e.Key == "filter" {
			filter := e.Value.(bson.D)
			for j, f := range filter {
				if f.Key == key {
					filter[j].Value = elems[0].Value()
				}
			}
			cmd[i].Value = filter
		}
	}
	out, err := bson.Marshal(cmd)
	return out, err == nil
}

// undoMD5 takes the deprecated md5 field out of the expected documents of a GridFS files
// collection, which the Go driver v2 never computes (the GridFS spec: a driver that
// dropped MD5 support "MUST NOT compute MD5"), when one expects it and no observed
// document has one (if the driver wrote one after all, the mismatch is real).
func undoMD5(mm mismatch) (mismatch, bool) {
	if !strings.HasSuffix(mm.collection, ".files") {
		return mm, false
	}
	for _, a := range mm.observed {
		if a.Lookup("md5").Type != 0 {
			return mm, false
		}
	}
	stripped := make([]bson.Raw, len(mm.expected))
	removed := false
	for i, d := range mm.expected {
		var doc bson.D
		if err := bson.Unmarshal(d, &doc); err != nil {
			return mm, false
		}
		kept := doc[:0]
		for _, e := range doc {
			if e.Key == "md5" {
				removed = true
				continue
			}
			kept = append(kept, e)
		}
		raw, err := bson.Marshal(kept)
		if err != nil {
			return mm, false
		}
		stripped[i] = raw
	}
	if !removed {
		return mm, false
	}
	return documentsMismatch(mm.collection, stripped, mm.observed), true
}

// undoUpsertsMatched takes the upserts out of matchedCount in the partial result of an
// ordered bulkWrite that raised an error, as the Go driver does for every other bulk
// write: its bulkWrite.execute merges each batch's n (the matched and the upserted
// documents, as the server counts them) into MatchedCount, and subtracts UpsertedCount
// only after the last batch, which an ordered bulk write never reaches once a batch
// failed. Only with an upsert (and a matchedCount that holds it): otherwise the driver's
// count is the server's.
func undoUpsertsMatched(mm mismatch) (mismatch, bool) {
	if mm.operation != "bulkWrite" {
		return mm, false
	}
	if ordered := mm.arguments.Lookup("ordered"); ordered.Type != 0 {
		if b, ok := ordered.BooleanOK(); !ok || !b {
			return mm, false
		}
	}
	result := mm.observed[0]
	matched, ok := result.Lookup("matchedCount").AsInt64OK()
	upserted, ok2 := result.Lookup("upsertedCount").AsInt64OK()
	if !ok || !ok2 || upserted <= 0 || matched < upserted {
		return mm, false
	}
	var doc bson.D
	if err := bson.Unmarshal(result, &doc); err != nil {
		return mm, false
	}
	for i, e := range doc {
		if e.Key == "matchedCount" {
			doc[i].Value = matched - upserted
		}
	}
	corrected, err := bson.Marshal(doc)
	if err != nil {
		return mm, false
	}
	undone := mm
	undone.observed = []bson.Raw{corrected}
	return undone, true
}

// undoCountAsCollStats turns a count command without a query into the aggregate the
// test expects, when the test expects an aggregate on the same collection whose first
// stage is {$collStats: {count: {}}}: the observed command is given the expected
// pipeline, and every other key must still match.
func undoCountAsCollStats(expected, observed bson.Raw) (bson.Raw, bool) {
	coll, ok := observed.Lookup("count").StringValueOK()
	if !ok || observed.Lookup("query").Type != 0 {
		return nil, false
	}
	if want, ok := expected.Lookup("aggregate").StringValueOK(); !ok || want != coll {
		return nil, false
	}
	pipeline, ok := expected.Lookup("pipeline").ArrayOK()
	if !ok {
		return nil, false
	}
	stage, err := pipeline.IndexErr(0)
	if err != nil {
		return nil, false
	}
	if !isCollStatsCount(stage) {
		return nil, false
	}
	cmd := bson.D{{Key: "aggregate", Value: coll}, {Key: "pipeline", Value: expected.Lookup("pipeline")}}
	elems, err := observed.Elements()
	if err != nil || len(elems) == 0 {
		return nil, false
	}
	for _, e := range elems[1:] {
		cmd = append(cmd, bson.E{Key: e.Key(), Value: e.Value()})
	}
	out, err := bson.Marshal(cmd)
	return out, err == nil
}

// isCollStatsCount reports whether v is exactly {$collStats: {count: {}}}.
func isCollStatsCount(v bson.RawValue) bool {
	only := func(v bson.RawValue, key string) (bson.RawValue, bool) {
		doc, ok := v.DocumentOK()
		if !ok {
			return bson.RawValue{}, false
		}
		elems, err := doc.Elements()
		if err != nil || len(elems) != 1 || elems[0].Key() != key {
			return bson.RawValue{}, false
		}
		return elems[0].Value(), true
	}
	stats, ok := only(v, "$collStats")
	if !ok {
		return false
	}
	count, ok := only(stats, "count")
	if !ok {
		return false
	}
	doc, ok := count.DocumentOK()
	elems, _ := doc.Elements()
	return ok && len(elems) == 0
}

// undoBatchSizeIsLimit gives a find whose batchSize equals its limit the batchSize
// limit + 1 that the CRUD spec requires ("When users specify both limit and batchSize
// options with the same value ... drivers MUST send a value of limit + 1 for
// batchSize"), when the test expects exactly that; the Go driver v2 sends the user's
// batchSize as it is.
func undoBatchSizeIsLimit(expected, observed bson.Raw) (bson.Raw, bool) {
	if _, ok := observed.Lookup("find").StringValueOK(); !ok {
		return nil, false
	}
	limit, ok := observed.Lookup("limit").AsInt64OK()
	batch, ok2 := observed.Lookup("batchSize").AsInt64OK()
	want := expected.Lookup("batchSize")
	n, ok3 := want.AsInt64OK()
	if !ok || !ok2 || !ok3 || limit <= 0 || batch != limit || n != limit+1 {
		return nil, false
	}
	return withValue(observed, "batchSize", want)
}

// withValue is the command with key's value replaced by v.
func withValue(command bson.Raw, key string, v any) (bson.Raw, bool) {
	var cmd bson.D
	if err := bson.Unmarshal(command, &cmd); err != nil {
		return nil, false
	}
	for i, e := range cmd {
		if e.Key == key {
			cmd[i].Value = v
		}
	}
	out, err := bson.Marshal(cmd)
	return out, err == nil
}

// undoLeakedWTimeout takes wtimeout: 10000 out of the write concern of a
// commitTransaction or abortTransaction when the test expects a write concern without
// wtimeout: the Go driver v2 sets it on the session when a commit succeeds or is
// retried (UpdateCommitTransactionWriteConcern) and sends it with every later
// transaction's commit and abort.
func undoLeakedWTimeout(expected, observed bson.Raw) (bson.Raw, bool) {
	_, commit := observed.Lookup("commitTransaction").AsInt64OK()
	_, abort := observed.Lookup("abortTransaction").AsInt64OK()
	wc, ok := observed.Lookup("writeConcern").DocumentOK()
	want, ok2 := expected.Lookup("writeConcern").DocumentOK()
	if !commit && !abort || !ok || !ok2 {
		return nil, false
	}
	if n, ok := wc.Lookup("wtimeout").AsInt64OK(); !ok || n != 10000 {
		return nil, false
	}
	if _, err := want.LookupErr("wtimeout"); err == nil {
		return nil, false
	}
	var concern bson.D
	if bson.Unmarshal(wc, &concern) != nil {
		return nil, false
	}
	return withValue(observed, "writeConcern", slices.DeleteFunc(concern, func(e bson.E) bool { return e.Key == "wtimeout" }))
}

// undoOmittedMaxTimeMS gives a find or aggregate without maxTimeMS the maxTimeMS the
// test expects of it, when it expects only that one is there ({$$exists: true}) or of
// which type ({$$type: ...}): the Go driver v2 leaves it out of every find and
// aggregate (omitMaxTimeMS in mongo/collection.go and the GridFS bucket), where CSOT
// has drivers send the remaining timeoutMS.
func undoOmittedMaxTimeMS(expected, observed bson.Raw) (bson.Raw, bool) {
	var cmd bson.D
	if bson.Unmarshal(observed, &cmd) != nil || len(cmd) == 0 || cmd[0].Key != "find" && cmd[0].Key != "aggregate" {
		return nil, false
	}
	if _, err := observed.LookupErr("maxTimeMS"); err == nil {
		return nil, false
	}
	want, ok := expected.Lookup("maxTimeMS").DocumentOK()
	elems, _ := want.Elements()
	if !ok || len(elems) != 1 {
		return nil, false
	}
	var value any = int32(1)
	switch op := elems[0]; op.Key() {
	case "$$exists":
		if b, ok := op.Value().BooleanOK(); !ok || !b {
			return nil, false
		}
	case "$$type":
		if s, ok := op.Value().StringValueOK(); ok && s == "long" {
			value = int64(1)
		}
	default:
		return nil, false
	}
	out, err := bson.Marshal(append(cmd, bson.E{Key: "maxTimeMS", Value: value}))
	return out, err == nil
}
