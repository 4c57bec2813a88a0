package specifications

import (
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Legacy change streams (change-streams/tests/legacy, the README's "Spec Test Format"
// and "Spec Test Runner"). Each test becomes, on the unified engine:
//
//   - the databases dropped and the two collections created (DropDatabases, initialData);
//   - a fail point set through globalClient, if the test has one;
//   - createChangeStream on client0, database0 or collection0 (the target), saved as
//     changeStream0; client0 observes command started events, killCursors ignored;
//   - each operation through globalClient, which no one observes;
//   - iterateOnce when an error is expected, else iterateUntilDocumentOrError once per
//     expected change, each change matched against its element of result.success;
//   - close. The first error any of these raises ends them and is judged against
//     result.error (Test.FirstError), as the README's runner captures "any error".
//
// The expectations are a prefix of client0's command started events
// (ignoreExtraEvents), killCursors skipped. Matching is the README's MATCH
// (matchers.LegacyChangeStreams).

// LegacyChangeStream is the change stream of translated legacy change-stream files
// (README.md).
const LegacyChangeStream = "changeStream0"

type csFile struct {
	CollectionName  string   `spec:"collection_name,required"`
	DatabaseName    string   `spec:"database_name,required"`
	Collection2Name string   `spec:"collection2_name"`
	Database2Name   string   `spec:"database2_name"`
	Tests           []csTest `spec:"tests,required,nonempty"`
}

type csTest struct {
	Description          string         `spec:"description,required"`
	MinServerVersion     string         `spec:"minServerVersion,version"`
	MaxServerVersion     string         `spec:"maxServerVersion,version"`
	FailPoint            bson.Raw       `spec:"failPoint"`
	Target               string         `spec:"target,required,enum=collection|database|client"`
	Topology             []string       `spec:"topology,nonempty,enum=single|replicaset|sharded|load-balanced"`
	ChangeStreamPipeline []bson.Raw     `spec:"changeStreamPipeline"`
	ChangeStreamOptions  bson.Raw       `spec:"changeStreamOptions"`
	Operations           []csOperation  `spec:"operations,required"`
	Expectations         csExpectations `spec:"expectations"`
	Result               csResult       `spec:"result,required"`
}

type csOperation struct {
	Database   string   `spec:"database,required"`
	Collection string   `spec:"collection,required"`
	Name       string   `spec:"name,required"`
	Arguments  bson.Raw `spec:"arguments"`
}

// csExpectations is the list of expected command started events; null (as one test
// writes it) is no list.
type csExpectations []csExpectation

func (e *csExpectations) decodeRaw(path string, v bson.RawValue) *FieldError {
	if v.Type == bson.TypeNull {
		*e = nil
		return nil
	}
	var list []csExpectation
	if err := decodeValue(path, v, reflectOf(&list), fieldTag{}); err != nil {
		return err
	}
	*e = list
	return nil
}

// The README: "Optional list of command-started events".
type csExpectation struct {
	Started cmStarted `spec:"command_started_event,required"`
}

// csResult is "Document with ONE of the following fields".
type csResult struct {
	Error   bson.Raw   `spec:"error"`
	Success []bson.Raw `spec:"success"`
}

func (*csResult) oneOf() {}

// csTopologies maps the README's topology names onto the unified ones they cover.
var csTopologies = map[string][]string{
	"single":        {"single"},
	"replicaset":    {"replicaset"},
	"sharded":       {"sharded", "sharded-replicaset"},
	"load-balanced": {"load-balanced"},
}

func translateChangeStreams(doc bson.Raw) (*File, *FieldError) {
	var in csFile
	if err := decodeDocument("", doc, &in); err != nil {
		return nil, err
	}
	if (in.Database2Name == "") != (in.Collection2Name == "") {
		return nil, fieldErrorf("database2_name", "database2_name and collection2_name go together")
	}
	f := &File{
		SchemaVersion: "1.0",
		CreateEntities: []Entity{
			{Client: &ClientEntity{ID: LegacyClient, ObserveEvents: []string{"commandStartedEvent"},
				IgnoreCommandMonitoringEvents: []string{"killCursors"}}},
			{Database: &DatabaseEntity{ID: LegacyDatabase, Client: LegacyClient, DatabaseName: in.DatabaseName}},
			{Collection: &CollectionEntity{ID: LegacyCollection, Database: LegacyDatabase, CollectionName: in.CollectionName}},
			{Client: &ClientEntity{ID: LegacyGlobalClient}},
		},
		DropDatabases: []string{in.DatabaseName},
		InitialData:   []CollectionData{{CollectionName: in.CollectionName, DatabaseName: in.DatabaseName, Documents: []bson.Raw{}}},
	}
	if in.Database2Name != "" {
		f.DropDatabases = append(f.DropDatabases, in.Database2Name)
		f.InitialData = append(f.InitialData, CollectionData{CollectionName: in.Collection2Name, DatabaseName: in.Database2Name, Documents: []bson.Raw{}})
	}
	globals := map[[2]string]string{} // (database, collection) → globalClient's collection entity
	global := func(database, collection string) string {
		key := [2]string{database, collection}
		if id, ok := globals[key]; ok {
			return id
		}
		n := len(globals)
		id := fmt.Sprintf("globalCollection%d", n)
		db := fmt.Sprintf("globalDatabase%d", n)
		globals[key] = id
		f.CreateEntities = append(f.CreateEntities,
			Entity{Database: &DatabaseEntity{ID: db, Client: LegacyGlobalClient, DatabaseName: database}},
			Entity{Collection: &CollectionEntity{ID: id, Database: db, CollectionName: collection}})
		return id
	}
	for i, t := range in.Tests {
		test, err := changeStreamTest(indexPath("tests", i), t, global)
		if err != nil {
			return nil, err
		}
		f.Tests = append(f.Tests, test)
	}
	return f, nil
}

func changeStreamTest(path string, t csTest, global func(database, collection string) string) (Test, *FieldError) {
	test := Test{Description: t.Description}
	add := func(label string, op Operation) {
		op.placeLegacy(path, label)
		test.Operations = append(test.Operations, op)
	}
	if t.FailPoint != nil {
		add("failPoint", Operation{Name: "failPoint", Object: "testRunner", Arguments: mustMarshal(bson.D{
			{Key: "client", Value: LegacyGlobalClient}, {Key: "failPoint", Value: t.FailPoint}})})
	}
	target := map[string]string{"client": LegacyClient, "database": LegacyDatabase, "collection": LegacyCollection}[t.Target]
	args := bson.D{{Key: "pipeline", Value: nonNil(t.ChangeStreamPipeline)}}
	opts, _ := t.ChangeStreamOptions.Elements()
	for _, o := range opts {
		if o.Key() == "pipeline" {
			return Test{}, fieldErrorf(joinPath(path, "changeStreamOptions.pipeline"), "the pipeline is changeStreamPipeline")
		}
		args = append(args, bson.E{Key: o.Key(), Value: o.Value()})
	}
	stream := LegacyChangeStream
	add("target", Operation{Name: "createChangeStream", Object: target, Arguments: mustMarshal(args), SaveResultAsEntity: &stream})
	for j, o := range t.Operations {
		add(indexPath("operations", j), Operation{Name: o.Name, Object: global(o.Database, o.Collection), Arguments: o.Arguments})
	}
	if t.Result.Error != nil {
		// "iterate changeStream once and capture any error"
		add("iteration", Operation{Name: "iterateOnce", Object: LegacyChangeStream})
		test.FirstError = &ExpectedError{ErrorResponse: t.Result.Error, Label: "result.error"}
	}
	for j, change := range t.Result.Success {
		add(indexPath("result.success", j), Operation{Name: "iterateUntilDocumentOrError", Object: LegacyChangeStream,
			ExpectResult: bson.RawValue{Type: bson.TypeEmbeddedDocument, Value: change}, ResultLabel: "change"})
	}
	add("close", Operation{Name: "close", Object: LegacyChangeStream})
	if len(t.Expectations) > 0 {
		events := make([]ExpectedEvent, len(t.Expectations))
		for j, e := range t.Expectations {
			s := e.Started
			events[j].CommandStartedEvent = &CommandStartedEvent{Command: s.Command, CommandName: &s.CommandName, DatabaseName: optional(s.DatabaseName)}
		}
		prefix := true
		test.ExpectEvents = []ExpectedEventsForClient{{Client: LegacyClient, Events: events, IgnoreExtraEvents: &prefix, Label: "expectations"}}
	}
	req := RunOnRequirement{MinServerVersion: t.MinServerVersion, MaxServerVersion: t.MaxServerVersion}
	for _, top := range t.Topology {
		req.Topologies = append(req.Topologies, csTopologies[top]...)
	}
	if req.MinServerVersion != "" || req.MaxServerVersion != "" || req.Topologies != nil {
		test.RunOnRequirements = []RunOnRequirement{req}
	}
	return test, nil
}
