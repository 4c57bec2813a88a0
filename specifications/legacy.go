package specifications

import (
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// The legacy formats are decoded strictly into their own structs, then translated into
// the unified model: one client, database and collection entity, the fixture's data as
// initialData, and each test's single operation as the test's only operation. The
// File's Format tells the matcher to apply the legacy rules.

// Entity and database names of translated legacy files. CRUD v1 fixtures name no
// database or collection, so specrun uses these (documented in README.md).
const (
	LegacyClient           = "client0"
	LegacyDatabase         = "database0"
	LegacyCollection       = "collection0"
	LegacyBucket           = "bucket0"
	LegacyCRUDDatabaseName = "crud-v1"
	LegacyCRUDCollection   = "test"
	// LegacyGlobalClient is an unobserved client of the file's own that sets the
	// fail points of legacy change-stream and transactions-style tests (and runs the
	// change streams' operations).
	LegacyGlobalClient = "globalClient"
)

// Legacy CRUD v1 (crud/tests/v1, README "Format").
type crudFile struct {
	Data             []bson.Raw `spec:"data"`
	MinServerVersion string     `spec:"minServerVersion,version"`
	MaxServerVersion string     `spec:"maxServerVersion,version"`
	Serverless       string     `spec:"serverless,enum=require|forbid|allow"`
	Tests            []crudTest `spec:"tests,required,nonempty"`
}

type crudTest struct {
	Description string        `spec:"description,required"`
	Operation   crudOperation `spec:"operation,required"`
	Outcome     crudOutcome   `spec:"outcome,required"`
}

type crudOperation struct {
	Name      string   `spec:"name,required"`
	Object    string   `spec:"object,enum=collection|database"`
	Arguments bson.Raw `spec:"arguments"`
}

type crudOutcome struct {
	Result     bson.RawValue   `spec:"result"` // null is a result (no document); absent is no assertion
	Error      *bool           `spec:"error"`
	Collection *crudCollection `spec:"collection"`
}

type crudCollection struct {
	Name string     `spec:"name"`
	Data []bson.Raw `spec:"data,required"`
}

func translateCRUD(doc bson.Raw) (*File, *FieldError) {
	var in crudFile
	if err := decodeDocument("", doc, &in); err != nil {
		return nil, err
	}
	f := legacyFile(LegacyCRUDDatabaseName, LegacyCRUDCollection, in.Data, nil)
	if in.MinServerVersion != "" || in.MaxServerVersion != "" || in.Serverless != "" {
		f.RunOnRequirements = []RunOnRequirement{{
			MinServerVersion:          in.MinServerVersion,
			MaxServerVersion:          in.MaxServerVersion,
			MaxServerVersionExclusive: in.MaxServerVersion != "",
			Serverless:                in.Serverless,
		}}
	}
	for i, t := range in.Tests {
		path := indexPath("tests", i)
		object := LegacyCollection
		if t.Operation.Object == "database" {
			object = LegacyDatabase
		}
		args, err := unifiedArguments(joinPath(path, "operation.arguments"), t.Operation.Name, t.Operation.Arguments)
		if err != nil {
			return nil, err
		}
		op := Operation{Name: t.Operation.Name, Object: object, Arguments: args}
		if t.Outcome.Error != nil && *t.Outcome.Error {
			// a result beside error: true is the partial result of a failed bulk write
			op.ExpectError = &ExpectedError{IsError: t.Outcome.Error, ExpectResult: t.Outcome.Result}
		} else {
			op.ExpectResult = t.Outcome.Result
		}
		op.placeLegacy(path, "operation")
		op.nameResults("outcome.result")
		test := Test{Description: t.Description, Operations: []Operation{op}}
		if c := t.Outcome.Collection; c != nil {
			name := c.Name
			if name == "" {
				name = LegacyCRUDCollection
			}
			test.Outcome = []CollectionData{{CollectionName: name, DatabaseName: LegacyCRUDDatabaseName, Documents: nonNil(c.Data), Label: "outcome.collection"}}
			f.InitialData = cleanBefore(f.InitialData, name)
		}
		f.Tests = append(f.Tests, test)
	}
	return f, nil
}

// cleanBefore adds an empty collection to initialData unless it is there already: the
// README asks for the collections a test checks to be clean before it runs (e.g. the
// target of $out), and initialData drops them first.
func cleanBefore(data []CollectionData, collection string) []CollectionData {
	for _, cd := range data {
		if cd.CollectionName == collection {
			return data
		}
	}
	return append(data, CollectionData{CollectionName: collection, DatabaseName: LegacyCRUDDatabaseName, Documents: []bson.Raw{}})
}

// Legacy command monitoring (command-monitoring/tests/legacy, its README).
type cmFile struct {
	Data           []bson.Raw `spec:"data,required"`
	CollectionName string     `spec:"collection_name,required"`
	DatabaseName   string     `spec:"database_name,required"`
	Namespace      string     `spec:"namespace"`
	Tests          []cmTest   `spec:"tests,required,nonempty"`
}

type cmTest struct {
	Description                      string          `spec:"description,required"`
	Comment                          string          `spec:"comment"`
	Operation                        cmOperation     `spec:"operation,required"`
	Expectations                     []cmExpectation `spec:"expectations,required"`
	IgnoreIfServerVersionGreaterThan string          `spec:"ignore_if_server_version_greater_than,version"`
	IgnoreIfServerVersionLessThan    string          `spec:"ignore_if_server_version_less_than,version"`
	IgnoreIfTopologyType             []string        `spec:"ignore_if_topology_type,enum=single|replicaset|sharded"`
}

type cmOperation struct {
	Name              string   `spec:"name,required"`
	Arguments         bson.Raw `spec:"arguments"`
	ReadPreference    bson.Raw `spec:"read_preference"`
	CollectionOptions bson.Raw `spec:"collectionOptions"`
}

type cmExpectation struct {
	Started   *cmStarted   `spec:"command_started_event"`
	Succeeded *cmSucceeded `spec:"command_succeeded_event"`
	Failed    *cmFailed    `spec:"command_failed_event"`
}

func (*cmExpectation) oneOf() {}

type cmStarted struct {
	Command      bson.Raw `spec:"command,required"`
	CommandName  string   `spec:"command_name,required"`
	DatabaseName string   `spec:"database_name"`
}

type cmSucceeded struct {
	Reply       bson.Raw `spec:"reply,required"`
	CommandName string   `spec:"command_name,required"`
}

type cmFailed struct {
	CommandName string `spec:"command_name,required"`
}

// legacyTopologies maps the legacy topology names onto the unified ones they cover.
var legacyTopologies = map[string][]string{
	"single":     {"single"},
	"replicaset": {"replicaset"},
	"sharded":    {"sharded", "sharded-replicaset"},
}

func translateCommandMonitoring(doc bson.Raw) (*File, *FieldError) {
	var in cmFile
	if err := decodeDocument("", doc, &in); err != nil {
		return nil, err
	}
	observe := []string{"commandStartedEvent", "commandSucceededEvent", "commandFailedEvent"}
	f := legacyFile(in.DatabaseName, in.CollectionName, in.Data, observe)
	for i, t := range in.Tests {
		path := indexPath("tests", i)
		args, err := unifiedArguments(joinPath(path, "operation.arguments"), t.Operation.Name, t.Operation.Arguments)
		if err != nil {
			return nil, err
		}
		test := Test{Description: t.Description}
		object := LegacyCollection
		if t.Operation.ReadPreference != nil || t.Operation.CollectionOptions != nil {
			// Per-test collection options: a collection entity of the test's own,
			// created by the spec's createEntities operation before the operation.
			object = "collection1"
			opts, err := collectionOptions(joinPath(path, "operation"), t.Operation.ReadPreference, t.Operation.CollectionOptions)
			if err != nil {
				return nil, err
			}
			create := Operation{
				Name: "createEntities", Object: "testRunner",
				Arguments: mustMarshal(bson.D{{Key: "entities", Value: bson.A{bson.D{{Key: "collection", Value: bson.D{
					{Key: "id", Value: object}, {Key: "database", Value: LegacyDatabase},
					{Key: "collectionName", Value: in.CollectionName}, {Key: "collectionOptions", Value: opts}}}}}}}),
			}
			create.placeLegacy(path, "operation.collectionOptions")
			test.Operations = append(test.Operations, create)
		}
		// The legacy runner judges only the events: whether the operation fails is
		// what the expected events say, so its result and error are not asserted.
		ignore := true
		op := Operation{Name: t.Operation.Name, Object: object, Arguments: args, IgnoreResultAndError: &ignore}
		op.placeLegacy(path, "operation")
		test.Operations = append(test.Operations, op)
		events := make([]ExpectedEvent, len(t.Expectations))
		for j, e := range t.Expectations {
			switch {
			case e.Started != nil:
				events[j].CommandStartedEvent = &CommandStartedEvent{Command: e.Started.Command, CommandName: &e.Started.CommandName, DatabaseName: optional(e.Started.DatabaseName)}
			case e.Succeeded != nil:
				events[j].CommandSucceededEvent = &CommandSucceededEvent{Reply: e.Succeeded.Reply, CommandName: &e.Succeeded.CommandName}
			case e.Failed != nil:
				events[j].CommandFailedEvent = &CommandFailedEvent{CommandName: &e.Failed.CommandName}
			}
		}
		test.ExpectEvents = []ExpectedEventsForClient{{Client: LegacyClient, Events: events, Label: "expectations"}}
		if req, ok := cmRequirement(t); ok {
			test.RunOnRequirements = []RunOnRequirement{req}
		}
		f.Tests = append(f.Tests, test)
	}
	return f, nil
}

// cmRequirement turns the ignore_if_* fields into the requirement for running the test.
func cmRequirement(t cmTest) (RunOnRequirement, bool) {
	req := RunOnRequirement{
		MinServerVersion: t.IgnoreIfServerVersionLessThan,
		MaxServerVersion: t.IgnoreIfServerVersionGreaterThan,
		MajorMinorOnly:   true,
	}
	if len(t.IgnoreIfTopologyType) > 0 {
		for _, top := range []string{"single", "replicaset", "sharded", "sharded-replicaset", "load-balanced"} {
			ignored := false
			for _, legacy := range t.IgnoreIfTopologyType {
				ignored = ignored || slices.Contains(legacyTopologies[legacy], top)
			}
			if !ignored {
				req.Topologies = append(req.Topologies, top)
			}
		}
	}
	return req, req.MinServerVersion != "" || req.MaxServerVersion != "" || req.Topologies != nil
}

// legacyFile builds the entities and initial data shared by both legacy formats.
func legacyFile(database, collection string, data []bson.Raw, observe []string) *File {
	return &File{
		SchemaVersion: "1.0",
		CreateEntities: []Entity{
			{Client: &ClientEntity{ID: LegacyClient, ObserveEvents: observe}},
			{Database: &DatabaseEntity{ID: LegacyDatabase, Client: LegacyClient, DatabaseName: database}},
			{Collection: &CollectionEntity{ID: LegacyCollection, Database: LegacyDatabase, CollectionName: collection}},
		},
		InitialData: []CollectionData{{CollectionName: collection, DatabaseName: database, Documents: nonNil(data)}},
	}
}

// collectionOptions builds unified collectionOptions from the legacy operation fields.
func collectionOptions(path string, readPreference, options bson.Raw) (bson.D, *FieldError) {
	var opts bson.D
	if readPreference != nil {
		opts = append(opts, bson.E{Key: "readPreference", Value: readPreference})
	}
	elems, _ := options.Elements()
	for _, e := range elems {
		switch e.Key() {
		case "readConcern", "writeConcern", "readPreference":
			if _, ok := e.Value().DocumentOK(); !ok {
				return nil, typeError(joinPath(path, "collectionOptions."+e.Key()), "a document", e.Value())
			}
			opts = append(opts, bson.E{Key: e.Key(), Value: e.Value()})
		default:
			return nil, fieldErrorf(joinPath(path, "collectionOptions."+e.Key()), "unknown field")
		}
	}
	return opts, nil
}

// findModifiers maps the legacy find `modifiers` onto the unified find options.
var findModifiers = map[string]string{
	"$comment": "comment", "$hint": "hint", "$max": "max", "$maxTimeMS": "maxTimeMS",
	"$min": "min", "$returnKey": "returnKey", "$showDiskLoc": "showRecordId",
}

// unifiedArguments rewrites the legacy argument shapes into the unified ones: the
// `options` document of insertMany and bulkWrite becomes top-level arguments, bulkWrite
// requests {name, arguments} become {name: arguments}, and find `modifiers` become
// find options. Everything else is the same in both formats.
func unifiedArguments(path, operation string, args bson.Raw) (bson.Raw, *FieldError) {
	if args == nil {
		return nil, nil
	}
	var out bson.D
	elems, _ := args.Elements()
	for _, e := range elems {
		key, value := e.Key(), e.Value()
		switch {
		case key == "options" && (operation == "insertMany" || operation == "bulkWrite"):
			opts, ok := value.DocumentOK()
			if !ok {
				return nil, typeError(joinPath(path, key), "a document", value)
			}
			optElems, _ := opts.Elements()
			for _, o := range optElems {
				out = append(out, bson.E{Key: o.Key(), Value: o.Value()})
			}
		case key == "modifiers" && operation == "find":
			mods, ok := value.DocumentOK()
			if !ok {
				return nil, typeError(joinPath(path, key), "a document", value)
			}
			modElems, _ := mods.Elements()
			for _, m := range modElems {
				name, known := findModifiers[m.Key()]
				if !known {
					return nil, fieldErrorf(joinPath(path, key+"."+m.Key()), "unknown find modifier")
				}
				out = append(out, bson.E{Key: name, Value: m.Value()})
			}
		case key == "requests" && operation == "bulkWrite":
			requests, err := unifiedRequests(joinPath(path, key), value)
			if err != nil {
				return nil, err
			}
			out = append(out, bson.E{Key: key, Value: requests})
		default:
			out = append(out, bson.E{Key: key, Value: value})
		}
	}
	return mustMarshal(out), nil
}

type legacyRequest struct {
	Name      string   `spec:"name,required,enum=insertOne|updateOne|updateMany|replaceOne|deleteOne|deleteMany"`
	Arguments bson.Raw `spec:"arguments,required"`
}

func unifiedRequests(path string, v bson.RawValue) (bson.A, *FieldError) {
	var requests []legacyRequest
	if err := decodeValue(path, v, reflectOf(&requests), fieldTag{}); err != nil {
		return nil, err
	}
	out := make(bson.A, len(requests))
	for i, r := range requests {
		out[i] = bson.D{{Key: r.Name, Value: r.Arguments}}
	}
	return out, nil
}

func mustMarshal(d bson.D) bson.Raw {
	if d == nil {
		d = bson.D{} // a nil bson.D marshals as null
	}
	raw, err := bson.Marshal(d)
	if err != nil {
		panic(err) // only documents built from decoded BSON values reach here
	}
	return raw
}

func nonNil(docs []bson.Raw) []bson.Raw {
	if docs == nil {
		return []bson.Raw{}
	}
	return docs
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
