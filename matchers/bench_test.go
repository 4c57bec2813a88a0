package matchers

import (
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

func mustMarshal(v any) bson.RawValue {
	doc, err := bson.Marshal(v)
	if err != nil {
		panic(err)
	}
	return Doc(doc)
}

// findReply is a find reply with 100 typical documents; the expected side
// writes ok and the counters as int32 where the server sends double and int64.
func findReply(expected bool) bson.RawValue {
	batch := bson.A{}
	for i := range 100 {
		var count any = int64(i)
		if expected {
			count = int32(i)
		}
		batch = append(batch, bson.D{
			{Key: "_id", Value: int32(i)},
			{Key: "name", Value: "document name"},
			{Key: "count", Value: count},
			{Key: "tags", Value: bson.A{"a", "b", "c"}},
			{Key: "address", Value: bson.D{{Key: "street", Value: "Main"}, {Key: "number", Value: int32(i)}}},
			{Key: "created", Value: bson.DateTime(1700000000000 + int64(i))},
		})
	}
	var ok any = 1.0
	if expected {
		ok = int32(1)
	}
	reply := bson.D{
		{Key: "cursor", Value: bson.D{{Key: "firstBatch", Value: batch}, {Key: "id", Value: int64(0)}, {Key: "ns", Value: "db.coll"}}},
		{Key: "ok", Value: ok},
	}
	if !expected {
		reply = append(reply, bson.E{Key: "$clusterTime", Value: bson.D{{Key: "clusterTime", Value: bson.Timestamp{T: 1, I: 1}}}})
	}
	return mustMarshal(reply)
}

func BenchmarkMatchFindReply(b *testing.B) {
	expected, actual := findReply(true), findReply(false)
	m := Unified(nil)
	b.SetBytes(int64(len(actual.Value)))
	b.ReportAllocs()
	for b.Loop() {
		if err := m.Match(expected, actual, Root); err != nil {
			b.Fatal(err)
		}
	}
}

// nested is a tree of documents: fanout keys per level, leaves of every kind.
func nested(depth, fanout int) bson.D {
	doc := bson.D{}
	for i := range fanout {
		key := string(rune('a' + i))
		if depth == 0 {
			doc = append(doc, bson.E{Key: key, Value: []any{int32(i), "leaf", 1.5, true, nil, int64(i)}[i%6]})
			continue
		}
		doc = append(doc, bson.E{Key: key, Value: nested(depth-1, fanout)})
	}
	return doc
}

func BenchmarkMatchLargeNested(b *testing.B) {
	doc := mustMarshal(nested(4, 8)) // 4096 leaves
	for _, c := range []struct {
		name    string
		matcher *Matcher
	}{{"unified", Unified(nil)}, {"exact", Exact()}, {"legacy", Legacy()}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(doc.Value)))
			b.ReportAllocs()
			for b.Loop() {
				if err := c.matcher.Match(doc, doc, Root); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
