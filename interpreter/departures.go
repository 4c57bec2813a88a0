package interpreter

import (
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/specrun/specrun/matchers"
	"github.com/specrun/specrun/specifications"
)

// A driver departure is a place where the Go driver sends a command other than the one
// a test expects, for reasons of its own: the test then says nothing about the server,
// and a mismatch there must not blame it. Each departure is narrow: it rewrites the
// observed command back to the spec's form, and only if the whole command then matches
// is the test unsupported; any other difference still fails.
type departure struct {
	reason string
	// undo returns the observed command as the spec would have it, if this departure
	// is what the command shows.
	undo func(expected, observed bson.Raw) (bson.Raw, bool)
}

var driverDepartures = []departure{
	{
		reason: "the Go driver v2 queries GridFS files by {_id: {$eq: id}}, where the test expects {_id: id}: the command cannot be judged",
		undo:   undoEqOn(".files", "_id"),
	},
	{
		reason: "the Go driver v2 queries GridFS chunks by {files_id: {$eq: id}}, where the test expects {files_id: id}: the command cannot be judged",
		undo:   undoEqOn(".chunks", "files_id"),
	},
	{
		reason: "the Go driver v2 runs estimatedDocumentCount as a count command (as the CRUD spec has since 2022), where the test expects an aggregate with $collStats: the command cannot be judged",
		undo:   undoCountAsCollStats,
	},
}

// departureOf returns the reason of a known driver departure that explains why the
// observed command does not match the expected one, or "".
func (tr *testRun) departureOf(expected, observed bson.Raw) string {
	for _, d := range driverDepartures {
		if undone, ok := d.undo(expected, observed); ok &&
			tr.matcher().Match(matchers.Doc(expected), matchers.Doc(undone), matchers.Root) == nil {
			return d.reason
		}
	}
	return ""
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

// withoutMD5 is the reason to call a GridFS files collection unjudgeable: the test
// expects the deprecated md5 field, which the Go driver v2 never computes (the GridFS
// spec: a driver that dropped MD5 support "MUST NOT compute MD5"), and the documents
// match once md5 is taken out of the expected ones. "" otherwise.
func withoutMD5(m *matchers.Matcher, cd *specifications.CollectionData, actual []bson.Raw) string {
	if !strings.HasSuffix(cd.CollectionName, ".files") {
		return ""
	}
	stripped := make([]bson.Raw, len(cd.Documents))
	removed := false
	for i, d := range cd.Documents {
		var doc bson.D
		if err := bson.Unmarshal(d, &doc); err != nil {
			return ""
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
			return ""
		}
		stripped[i] = raw
	}
	for _, a := range actual {
		if a.Lookup("md5").Type != 0 {
			return "" // the driver wrote one after all: the mismatch is real
		}
	}
	if !removed || m.MatchUnordered(stripped, actual) != nil {
		return ""
	}
	return "the test expects the deprecated md5 field, which the Go driver v2 never computes (GridFS spec): the files documents cannot be judged"
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
