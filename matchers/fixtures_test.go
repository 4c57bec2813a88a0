package matchers

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/specrun/specrun/internal/testcorpus"
	"go.mongodb.org/mongo-driver/v2/bson"
)

func sharedCorpus(t testing.TB) string { return testcorpus.Shared(t) }

// TestLegacyCommandMonitoringFixtures checks that the legacy rules sit where
// the fixtures put placeholders: in every expected command and reply, each 42,
// "42" and "" is replaced by a server-like value (the same cursor id for the
// whole test), and the events must then match, in order, on one matcher. A
// placeholder outside the rules would stay a literal and fail. With a new
// cursor id for every event, tests that repeat the placeholder must fail.
func TestLegacyCommandMonitoringFixtures(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(sharedCorpus(t), "source", "command-monitoring", "tests", "legacy", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no legacy command monitoring fixtures: %v", err)
	}
	placeholders := 0
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var fixture struct {
			Tests []struct {
				Description  string     `bson:"description"`
				Expectations []bson.Raw `bson:"expectations"`
			} `bson:"tests"`
		}
		if err := bson.UnmarshalExtJSON(data, false, &fixture); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for _, test := range fixture.Tests {
			t.Run(filepath.Base(file)+"/"+test.Description, func(t *testing.T) {
				const cursorID = 5907411331442567049
				same, fresh := Legacy(), Legacy()
				eventsWithPlaceholder, freshFailed := 0, false
				for i, event := range test.Expectations {
					expected, err := event.LookupErr("command_started_event", "command")
					if err != nil {
						expected, err = event.LookupErr("command_succeeded_event", "reply")
					}
					if err != nil {
						continue // a failed event has no document
					}
					actual, n := serverLike(expected, cursorID)
					if err := same.Match(expected, actual, Root); err != nil {
						t.Fatalf("event %d: %v", i, err)
					}
					placeholders += n
					if n > 0 {
						eventsWithPlaceholder++
					}
					other, _ := serverLike(expected, cursorID+int64(i))
					freshFailed = freshFailed || fresh.Match(expected, other, Root) != nil
				}
				if eventsWithPlaceholder > 1 && !freshFailed {
					t.Error("events matched with a different cursor id each")
				}
			})
		}
	}
	if placeholders == 0 {
		t.Error("the fixtures had no placeholders")
	}
}

// serverLike replaces every placeholder in v, wherever it is: 42 and "42" by
// cursorID, "" by a message. It returns the new value and the count.
func serverLike(v bson.RawValue, cursorID int64) (bson.RawValue, int) {
	switch {
	case is42(v, true):
		return mustMarshalValue(cursorID), 1
	case v.Type == bson.TypeString && v.StringValue() == "":
		return mustMarshalValue("a server message"), 1
	case v.Type == bson.TypeEmbeddedDocument:
		elems, _ := v.Document().Elements()
		doc, count := bson.D{}, 0
		for _, e := range elems {
			replaced, n := serverLike(e.Value(), cursorID)
			doc, count = append(doc, bson.E{Key: e.Key(), Value: replaced}), count+n
		}
		return mustMarshal(doc), count
	case v.Type == bson.TypeArray:
		values, _ := v.Array().Values()
		arr, count := bson.A{}, 0
		for _, e := range values {
			replaced, n := serverLike(e, cursorID)
			arr, count = append(arr, replaced), count+n
		}
		doc := mustMarshal(bson.D{{Key: "v", Value: arr}})
		return doc.Document().Lookup("v"), count
	}
	return v, 0
}

func mustMarshalValue(v any) bson.RawValue {
	return mustMarshal(bson.D{{Key: "v", Value: v}}).Document().Lookup("v")
}
