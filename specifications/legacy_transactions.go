package specifications

import (
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// The legacy transactions-style format: the runner format that transactions, retryable
// reads and writes, sessions, convenient transactions, read/write concern operations,
// client-side encryption, Atlas Data Lake and the SDAM integration tests shared before
// the Unified Test Format (transactions/tests/README.rst "Test Format" and "Use as
// Integration Tests"; each other spec's README adds to it).
//
// Each test gets entities of its own, made by a createEntities operation before its
// operations: client0 (clientOptions as URI options, observing command-started events
// and whatever waitForEvent and assertEventCount count), database0 and collection0
// (database_name, collection_name), session0 and session1 (sessionOptions), bucket0
// (bucket_name), and a database or collection of its own for each operation with
// databaseOptions or collectionOptions. The test's failPoint is set before them, after
// the data, as the README orders: by a failPoint operation through globalClient, an
// unobserved client in the file's createEntities, as for legacy change streams. Both
// sessions end after the operations, before the expectations are compared.

// Names of the translated entities and of what a fixture does not name.
const (
	LegacySession0 = "session0"
	LegacySession1 = "session1"
	// LegacyAdminClient and LegacyAdminDatabase run runAdminCommand: on a client other
	// than the test's, as the SDAM README requires, that observes nothing.
	LegacyAdminClient   = "adminClient"
	LegacyAdminDatabase = "adminDatabase"
	// LegacyPrimary is the topology description that recordPrimary records.
	LegacyPrimary = "recordedPrimary"
	// Retryable writes fixtures name no database or collection.
	LegacyTxnDatabaseName   = "legacy-tests"
	LegacyTxnCollectionName = "test"
	// LegacyKeyVault is the key vault collection of key_vault_data (client-side
	// encryption README).
	LegacyKeyVaultDatabase   = "keyvault"
	LegacyKeyVaultCollection = "datakeys"
)

type txnFile struct {
	RunOn           []txnRunOn    `spec:"runOn"`
	DatabaseName    string        `spec:"database_name"`
	CollectionName  string        `spec:"collection_name"`
	BucketName      string        `spec:"bucket_name"`
	Data            bson.RawValue `spec:"data"` // documents, or (GridFS) collection name → documents
	JSONSchema      bson.Raw      `spec:"json_schema"`
	EncryptedFields bson.Raw      `spec:"encrypted_fields"`
	KeyVaultData    []bson.Raw    `spec:"key_vault_data"`
	Tests           []txnTest     `spec:"tests,required,nonempty"`
}

type txnRunOn struct {
	MinServerVersion string   `spec:"minServerVersion,version"`
	MaxServerVersion string   `spec:"maxServerVersion,version"`
	Topology         []string `spec:"topology,enum=single|replicaset|sharded|sharded-replicaset|load-balanced"`
	Serverless       string   `spec:"serverless,enum=require|forbid|allow"`
	AuthEnabled      *bool    `spec:"authEnabled"`
}

type txnTest struct {
	Description         string           `spec:"description,required"`
	SkipReason          string           `spec:"skipReason"`
	UseMultipleMongoses *bool            `spec:"useMultipleMongoses"`
	ClientOptions       bson.Raw         `spec:"clientOptions"`
	SessionOptions      bson.Raw         `spec:"sessionOptions"`
	FailPoint           bson.Raw         `spec:"failPoint"`
	Operations          []txnOperation   `spec:"operations"`
	Operation           *txnOperation    `spec:"operation"` // retryable writes: one operation, judged by outcome
	Expectations        []txnExpectation `spec:"expectations"`
	Outcome             *txnOutcome      `spec:"outcome"`
}

type txnOperation struct {
	Name              string        `spec:"name,required"`
	Object            string        `spec:"object,enum=collection|database|client|session0|session1|testRunner|gridfsbucket"`
	CommandName       string        `spec:"command_name"`
	Arguments         bson.Raw      `spec:"arguments"`
	CollectionOptions bson.Raw      `spec:"collectionOptions"`
	DatabaseOptions   bson.Raw      `spec:"databaseOptions"`
	Result            bson.RawValue `spec:"result"`
	Error             *bool         `spec:"error"`
}

type txnExpectation struct {
	Started txnStarted `spec:"command_started_event,required"`
}

type txnStarted struct {
	Command      bson.Raw `spec:"command,required"`
	CommandName  string   `spec:"command_name"`
	DatabaseName string   `spec:"database_name"`
}

type txnOutcome struct {
	Collection *crudCollection `spec:"collection"`
	// Retryable writes only: the operation's result or error.
	Result bson.RawValue `spec:"result"`
	Error  *bool         `spec:"error"`
}

// txnTranslation is the state of translating one file.
type txnTranslation struct {
	in         txnFile
	database   string
	collection string
	// cse: a client-side encryption file, whose README adds the $$type operator to
	// expectations and outcome; elsewhere a $$ key is not an operator of the format.
	cse bool
}

// errorKeys are the keys of a result document that make it an expected error.
var errorKeys = map[string]bool{
	"errorContains": true, "errorCodeName": true, "errorCode": true,
	"errorLabelsContain": true, "errorLabelsOmit": true,
}

func translateTransactions(doc bson.Raw, id string) (*File, *FieldError) {
	tt := txnTranslation{cse: strings.HasPrefix(id, "client-side-encryption/")}
	if err := decodeDocument("", doc, &tt.in); err != nil {
		return nil, err
	}
	in := &tt.in
	tt.database, tt.collection = in.DatabaseName, in.CollectionName
	if tt.database == "" {
		tt.database = LegacyTxnDatabaseName
	}
	if tt.collection == "" {
		tt.collection = LegacyTxnCollectionName
	}
	f := &File{SchemaVersion: "1.0"}
	for _, r := range in.RunOn {
		f.RunOnRequirements = append(f.RunOnRequirements, RunOnRequirement{
			MinServerVersion: r.MinServerVersion, MaxServerVersion: r.MaxServerVersion,
			Topologies: r.Topology, Serverless: r.Serverless, Auth: r.AuthEnabled,
		})
	}
	data, err := tt.initialData(strings.HasPrefix(id, "atlas-data-lake-testing/"))
	if err != nil {
		return nil, err
	}
	f.InitialData = data
	for i := range in.Tests {
		t, err := tt.test(indexPath("tests", i), &in.Tests[i])
		if err != nil {
			return nil, err
		}
		f.Tests = append(f.Tests, *t)
		// the client the tests' fail points are set through, in files that have one
		if in.Tests[i].FailPoint != nil && f.CreateEntities == nil {
			f.CreateEntities = []Entity{{Client: &ClientEntity{ID: LegacyGlobalClient}}}
		}
	}
	return f, nil
}

// initialData: the collection under test dropped, created and filled with data (or,
// for GridFS, each named collection with its documents); the key vault with
// key_vault_data. Atlas Data Lake's README forbids dropping its collection: its data
// lives in the server's configuration, and its files have none.
func (tt *txnTranslation) initialData(dataLake bool) ([]CollectionData, *FieldError) {
	in := &tt.in
	var out []CollectionData
	if in.KeyVaultData != nil {
		out = append(out, CollectionData{DatabaseName: LegacyKeyVaultDatabase, CollectionName: LegacyKeyVaultCollection, Documents: in.KeyVaultData})
	}
	var create bson.D
	if in.JSONSchema != nil {
		create = append(create, bson.E{Key: "validator", Value: bson.D{{Key: "$jsonSchema", Value: in.JSONSchema}}})
	}
	if in.EncryptedFields != nil {
		create = append(create, bson.E{Key: "encryptedFields", Value: in.EncryptedFields})
	}
	var createOptions bson.Raw
	if create != nil {
		createOptions = mustMarshal(create)
	}
	switch in.Data.Type {
	case 0:
		if dataLake {
			return out, nil
		}
		out = append(out, CollectionData{DatabaseName: tt.database, CollectionName: tt.collection, CreateOptions: createOptions, Documents: []bson.Raw{}})
	case bson.TypeArray:
		var docs []bson.Raw
		if err := decodeValue("data", in.Data, reflectOf(&docs), fieldTag{}); err != nil {
			return nil, err
		}
		out = append(out, CollectionData{DatabaseName: tt.database, CollectionName: tt.collection, CreateOptions: createOptions, Documents: nonNil(docs)})
	case bson.TypeEmbeddedDocument:
		// retryable reads' GridFS files: collection name → documents
		if in.BucketName == "" {
			return nil, fieldErrorf("data", "a document of collections is only allowed beside bucket_name")
		}
		colls, _ := in.Data.Document().Elements()
		for _, c := range colls {
			var docs []bson.Raw
			if err := decodeValue(joinPath("data", c.Key()), c.Value(), reflectOf(&docs), fieldTag{}); err != nil {
				return nil, err
			}
			out = append(out, CollectionData{DatabaseName: tt.database, CollectionName: c.Key(), Documents: nonNil(docs)})
		}
	default:
		return nil, typeError("data", "an array or a document", in.Data)
	}
	return out, nil
}

// testEntities is what one test's createEntities holds, collected while its
// operations are translated.
type testEntities struct {
	observe   []string // client0's observeEvents beyond commandStartedEvent
	adminUsed bool
	extra     []bson.D // per-operation databases and collections, threads
}

func (tt *txnTranslation) test(path string, in *txnTest) (*Test, *FieldError) {
	t := &Test{Description: in.Description, SkipReason: in.SkipReason}
	if in.FailPoint != nil {
		if _, ok := in.FailPoint.Lookup("configureFailPoint").StringValueOK(); !ok {
			return nil, fieldErrorf(joinPath(path, "failPoint"), "must be a configureFailPoint command")
		}
		fp := Operation{Name: "failPoint", Object: "testRunner", Arguments: mustMarshal(bson.D{
			{Key: "client", Value: LegacyGlobalClient}, {Key: "failPoint", Value: in.FailPoint}})}
		// messages name it as the fixture does, "failPoint", with no operation beside it
		fp.Path, fp.Label = joinPath(path, "failPoint"), "failPoint"
		t.Operations = append(t.Operations, fp)
	}
	var ents testEntities
	var ops []Operation
	switch {
	case in.Operation != nil && in.Operations != nil:
		return nil, fieldErrorf(joinPath(path, "operation"), "cannot be used together with operations")
	case in.Operation != nil:
		// retryable writes: the outcome holds the operation's result or error
		if in.Operation.Result.Type != 0 || in.Operation.Error != nil {
			return nil, fieldErrorf(joinPath(path, "operation"), "the result of a single operation is outcome.result")
		}
		op, err := tt.operation(joinPath(path, "operation"), in.Operation, &ents)
		if err != nil {
			return nil, err
		}
		if o := in.Outcome; o != nil {
			if err := outcomeResult(joinPath(path, "outcome"), o, &op); err != nil {
				return nil, err
			}
		}
		op.placeLegacy(path, "operation")
		op.nameResults("outcome.result")
		ops = []Operation{op}
	case in.Operations == nil:
		return nil, fieldErrorf(path, "must have operations")
	default:
		if o := in.Outcome; o != nil && (o.Result.Type != 0 || o.Error != nil) {
			return nil, fieldErrorf(joinPath(path, "outcome"), "result and error belong to each operation when there are operations")
		}
		for i := range in.Operations {
			p := indexPath(joinPath(path, "operations"), i)
			op, err := tt.operation(p, &in.Operations[i], &ents)
			if err != nil {
				return nil, err
			}
			op.placeLegacy(path, strings.TrimPrefix(p, path+"."))
			op.nameResults("result")
			ops = append(ops, op)
		}
	}
	create, err := tt.entities(path, in, &ents)
	if err != nil {
		return nil, err
	}
	// the test's own entities: messages name them by the clientOptions they come from
	create.placeLegacy(path, "clientOptions")
	t.Operations = append(append(t.Operations, create), ops...)
	// The README ends both sessions after the operations and before comparing the
	// events: an open transaction's abortTransaction is among them.
	for _, s := range []string{LegacySession0, LegacySession1} {
		end := Operation{Name: "endSession", Object: s}
		end.placeLegacy(path, s+" ended after the operations")
		t.Operations = append(t.Operations, end)
	}
	if in.Expectations != nil {
		events := make([]ExpectedEvent, len(in.Expectations))
		for i, e := range in.Expectations {
			p := joinPath(indexPath(joinPath(path, "expectations"), i), "command_started_event")
			cmd, err := tt.expectedCommand(joinPath(p, "command"), e.Started.Command)
			if err != nil {
				return nil, err
			}
			events[i].CommandStartedEvent = &CommandStartedEvent{Command: cmd, CommandName: optional(e.Started.CommandName), DatabaseName: optional(e.Started.DatabaseName)}
		}
		t.ExpectEvents = []ExpectedEventsForClient{{Client: LegacyClient, Events: events, Label: "expectations"}}
	}
	if o := in.Outcome; o != nil && o.Collection != nil {
		name := o.Collection.Name
		if name == "" {
			name = tt.collection
		}
		for i, d := range o.Collection.Data {
			if err := tt.checkOperators(indexPath(joinPath(path, "outcome.collection.data"), i), d); err != nil {
				return nil, err
			}
		}
		t.Outcome = []CollectionData{{DatabaseName: tt.database, CollectionName: name, Documents: nonNil(o.Collection.Data), Label: "outcome.collection"}}
	}
	return t, nil
}

// outcomeResult puts retryable writes' outcome.result and outcome.error on the operation:
// with error, the result holds error assertions or the partial result of a bulk write.
func outcomeResult(path string, o *txnOutcome, op *Operation) *FieldError {
	isError := o.Error != nil && *o.Error
	if o.Error != nil && !*o.Error {
		return fieldErrorf(joinPath(path, "error"), "must be true when present")
	}
	if !isError {
		if isErrorDocument(o.Result) {
			return fieldErrorf(joinPath(path, "result"), "error assertions need error: true")
		}
		op.ExpectResult = o.Result
		return nil
	}
	want := &ExpectedError{IsError: o.Error}
	if isErrorDocument(o.Result) {
		if err := errorAssertions(joinPath(path, "result"), o.Result.Document(), want); err != nil {
			return err
		}
	} else {
		want.ExpectResult = o.Result
	}
	op.ExpectError = want
	return nil
}

func isErrorDocument(v bson.RawValue) bool {
	doc, ok := v.DocumentOK()
	if !ok {
		return false
	}
	elems, _ := doc.Elements()
	for _, e := range elems {
		if errorKeys[e.Key()] {
			return true
		}
	}
	return false
}

// errorAssertions reads a result document of error assertions; it holds nothing else.
func errorAssertions(path string, doc bson.Raw, want *ExpectedError) *FieldError {
	var in struct {
		ErrorContains      *string  `spec:"errorContains"`
		ErrorCodeName      *string  `spec:"errorCodeName"`
		ErrorCode          *int64   `spec:"errorCode"`
		ErrorLabelsContain []string `spec:"errorLabelsContain"`
		ErrorLabelsOmit    []string `spec:"errorLabelsOmit"`
	}
	if err := decodeDocument(path, doc, &in); err != nil {
		return err
	}
	want.ErrorContains, want.ErrorCodeName, want.ErrorCode = in.ErrorContains, in.ErrorCodeName, in.ErrorCode
	want.ErrorLabelsContain, want.ErrorLabelsOmit = in.ErrorLabelsContain, in.ErrorLabelsOmit
	return nil
}

// entities builds the test's createEntities operation.
func (tt *txnTranslation) entities(path string, in *txnTest, ents *testEntities) (Operation, *FieldError) {
	client := bson.D{{Key: "id", Value: LegacyClient}}
	uri, autoEncrypt, err := clientOptions(joinPath(path, "clientOptions"), in.ClientOptions)
	if err != nil {
		return Operation{}, err
	}
	if uri != nil {
		client = append(client, bson.E{Key: "uriOptions", Value: uri})
	}
	if in.UseMultipleMongoses != nil {
		client = append(client, bson.E{Key: "useMultipleMongoses", Value: *in.UseMultipleMongoses})
	}
	observe := bson.A{"commandStartedEvent"}
	for _, e := range ents.observe {
		observe = append(observe, e)
	}
	client = append(client, bson.E{Key: "observeEvents", Value: observe})
	if autoEncrypt != nil {
		client = append(client, bson.E{Key: "autoEncryptOpts", Value: autoEncrypt})
	}
	list := bson.A{
		bson.D{{Key: "client", Value: client}},
		bson.D{{Key: "database", Value: bson.D{{Key: "id", Value: LegacyDatabase}, {Key: "client", Value: LegacyClient}, {Key: "databaseName", Value: tt.database}}}},
		bson.D{{Key: "collection", Value: bson.D{{Key: "id", Value: LegacyCollection}, {Key: "database", Value: LegacyDatabase}, {Key: "collectionName", Value: tt.collection}}}},
	}
	sessions, err := sessionOptions(joinPath(path, "sessionOptions"), in.SessionOptions)
	if err != nil {
		return Operation{}, err
	}
	for _, s := range []string{LegacySession0, LegacySession1} {
		session := bson.D{{Key: "id", Value: s}, {Key: "client", Value: LegacyClient}}
		if o, ok := sessions[s]; ok {
			session = append(session, bson.E{Key: "sessionOptions", Value: o})
		}
		list = append(list, bson.D{{Key: "session", Value: session}})
	}
	if tt.in.BucketName != "" {
		list = append(list, bson.D{{Key: "bucket", Value: bson.D{{Key: "id", Value: LegacyBucket}, {Key: "database", Value: LegacyDatabase},
			{Key: "bucketOptions", Value: bson.D{{Key: "bucketName", Value: tt.in.BucketName}}}}}})
	}
	if ents.adminUsed {
		list = append(list,
			bson.D{{Key: "client", Value: bson.D{{Key: "id", Value: LegacyAdminClient}}}},
			bson.D{{Key: "database", Value: bson.D{{Key: "id", Value: LegacyAdminDatabase}, {Key: "client", Value: LegacyAdminClient}, {Key: "databaseName", Value: "admin"}}}})
	}
	for _, e := range ents.extra {
		list = append(list, e)
	}
	return Operation{Name: "createEntities", Object: "testRunner", Arguments: mustMarshal(bson.D{{Key: "entities", Value: list}})}, nil
}

// sessionOptions reads the map of session names to their options.
func sessionOptions(path string, opts bson.Raw) (map[string]bson.Raw, *FieldError) {
	out := map[string]bson.Raw{}
	elems, _ := opts.Elements()
	for _, e := range elems {
		if e.Key() != LegacySession0 && e.Key() != LegacySession1 {
			return nil, fieldErrorf(joinPath(path, e.Key()), "unknown session (session0 or session1)")
		}
		doc, ok := e.Value().DocumentOK()
		if !ok {
			return nil, typeError(joinPath(path, e.Key()), "a document", e.Value())
		}
		out[e.Key()] = doc
	}
	return out, nil
}
