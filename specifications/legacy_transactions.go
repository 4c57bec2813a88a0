package specifications

import (
	"fmt"
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
// databaseOptions or collectionOptions. The test's failPoint runs through the runner's
// own client before them (Test.FailPoint), and both sessions end after the operations,
// before the expectations are compared, as the README orders.

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
	t := &Test{Description: in.Description, SkipReason: in.SkipReason, FailPoint: in.FailPoint, Labels: &Labels{Result: "result"}}
	if in.FailPoint != nil {
		if _, ok := in.FailPoint.Lookup("configureFailPoint").StringValueOK(); !ok {
			return nil, fieldErrorf(joinPath(path, "failPoint"), "must be a configureFailPoint command")
		}
	}
	var ents testEntities
	var ops []Operation
	var labels []string
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
		ops, labels = []Operation{op}, []string{"operation"}
		t.Labels.Result = "outcome.result"
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
			ops = append(ops, op)
			labels = append(labels, strings.TrimPrefix(p, path+"."))
		}
	}
	create, err := tt.entities(path, in, &ents)
	if err != nil {
		return nil, err
	}
	t.Operations = append([]Operation{create}, ops...)
	t.Labels.Operations = append([]string{"clientOptions"}, labels...)
	// The README ends both sessions after the operations and before comparing the
	// events: an open transaction's abortTransaction is among them.
	for _, s := range []string{LegacySession0, LegacySession1} {
		t.Operations = append(t.Operations, Operation{Name: "endSession", Object: s})
		t.Labels.Operations = append(t.Labels.Operations, s+" ended after the operations")
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
		t.ExpectEvents = []ExpectedEventsForClient{{Client: LegacyClient, Events: events}}
		t.Labels.Events = "expectations"
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
		t.Outcome = []CollectionData{{DatabaseName: tt.database, CollectionName: name, Documents: nonNil(o.Collection.Data)}}
		t.Labels.Outcome = "outcome.collection"
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

// clientOptions splits the test's clientOptions into URI options and client-side
// encryption's autoEncryptOpts (which the Unified Test Format has too).
func clientOptions(path string, opts bson.Raw) (uri bson.Raw, autoEncrypt bson.Raw, err *FieldError) {
	if opts == nil {
		return nil, nil, nil
	}
	var rest bson.D
	elems, _ := opts.Elements()
	for _, e := range elems {
		if e.Key() != "autoEncryptOpts" {
			rest = append(rest, bson.E{Key: e.Key(), Value: e.Value()})
			continue
		}
		doc, ok := e.Value().DocumentOK()
		if !ok {
			return nil, nil, typeError(joinPath(path, e.Key()), "a document", e.Value())
		}
		if autoEncrypt, err = legacyAutoEncryptOpts(joinPath(path, e.Key()), doc); err != nil {
			return nil, nil, err
		}
	}
	if rest != nil {
		uri = mustMarshal(rest)
	}
	return uri, autoEncrypt, nil
}

// legacyAutoEncryptOpts checks the client-side encryption README's autoEncryptOpts and
// gives it the unified shape: keyVaultNamespace defaults to keyvault.datakeys, and each
// KMS provider becomes the credentials the README has a runner fill in from its
// environment (local too: "local should be substituted with" the README's key), as
// unified $$placeholder values; awsTemporary and awsTemporaryNoSessionToken are aws
// with and without a session token. specrun fills none: it has no client-side
// encryption, and such clients are unsupported.
func legacyAutoEncryptOpts(path string, doc bson.Raw) (bson.Raw, *FieldError) {
	var in struct {
		KMSProviders         bson.Raw `spec:"kmsProviders,required"`
		SchemaMap            bson.Raw `spec:"schemaMap"`
		KeyVaultNamespace    string   `spec:"keyVaultNamespace"`
		BypassAutoEncryption *bool    `spec:"bypassAutoEncryption"`
		EncryptedFieldsMap   bson.Raw `spec:"encryptedFieldsMap"`
		ExtraOptions         bson.Raw `spec:"extraOptions"`
		BypassQueryAnalysis  *bool    `spec:"bypassQueryAnalysis"`
		KeyExpirationMS      *int64   `spec:"keyExpirationMS"`
	}
	if err := decodeDocument(path, doc, &in); err != nil {
		return nil, err
	}
	var providers bson.D
	elems, _ := in.KMSProviders.Elements()
	for _, p := range elems {
		name, suffix, named := strings.Cut(p.Key(), ":")
		credentials, known := legacyKMSCredentials[name]
		if !known {
			return nil, fieldErrorf(joinPath(path, "kmsProviders."+p.Key()), "unknown KMS provider")
		}
		if _, ok := p.Value().DocumentOK(); !ok {
			return nil, typeError(joinPath(path, "kmsProviders."+p.Key()), "a document", p.Value())
		}
		unified := strings.TrimSuffix(strings.TrimSuffix(name, "NoSessionToken"), "Temporary")
		if named {
			unified += ":" + suffix
		}
		var fill bson.D
		for _, c := range credentials {
			fill = append(fill, bson.E{Key: c, Value: bson.D{{Key: "$$placeholder", Value: 1}}})
		}
		providers = append(providers, bson.E{Key: unified, Value: fill})
	}
	var out bson.D
	for _, e := range mustElements(doc) {
		if e.Key() == "kmsProviders" {
			out = append(out, bson.E{Key: e.Key(), Value: providers})
			continue
		}
		out = append(out, bson.E{Key: e.Key(), Value: e.Value()})
	}
	if in.KeyVaultNamespace == "" {
		out = append(out, bson.E{Key: "keyVaultNamespace", Value: LegacyKeyVaultDatabase + "." + LegacyKeyVaultCollection})
	}
	return mustMarshal(out), nil
}

// legacyKMSCredentials are the credentials the README fills in for each KMS provider.
var legacyKMSCredentials = map[string][]string{
	"aws":                        {"accessKeyId", "secretAccessKey"},
	"awsTemporary":               {"accessKeyId", "secretAccessKey", "sessionToken"},
	"awsTemporaryNoSessionToken": {"accessKeyId", "secretAccessKey"},
	"azure":                      {"tenantId", "clientId", "clientSecret"},
	"gcp":                        {"email", "privateKey"},
	"kmip":                       {"endpoint"},
	"local":                      {"key"},
}

func mustElements(doc bson.Raw) []bson.RawElement {
	elems, _ := doc.Elements()
	return elems
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

// legacyEvents maps the event names of waitForEvent and assertEventCount (SDAM README)
// to the unified expected event and the observeEvents name it needs.
var legacyEvents = map[string]struct {
	event   bson.D
	observe string
}{
	"PoolClearedEvent": {bson.D{{Key: "poolClearedEvent", Value: bson.D{}}}, "poolClearedEvent"},
	"PoolReadyEvent":   {bson.D{{Key: "poolReadyEvent", Value: bson.D{}}}, "poolReadyEvent"},
	// "a ServerDescriptionChangedEvent where newDescription.type is Unknown"
	"ServerMarkedUnknownEvent": {bson.D{{Key: "serverDescriptionChangedEvent", Value: bson.D{{Key: "newDescription", Value: bson.D{{Key: "type", Value: "Unknown"}}}}}}, "serverDescriptionChangedEvent"},
}

// operation translates one operation (also a withTransaction callback's and a
// runOnThread's) into the unified model.
func (tt *txnTranslation) operation(path string, in *txnOperation, ents *testEntities) (Operation, *FieldError) {
	op := Operation{Name: in.Name}
	var err *FieldError
	if in.Object == "testRunner" {
		if in.CollectionOptions != nil || in.DatabaseOptions != nil {
			return op, fieldErrorf(joinPath(path, "collectionOptions"), "not allowed on a testRunner operation")
		}
		op.Object = "testRunner"
		if in.Name == "runAdminCommand" {
			op.Object = LegacyAdminDatabase
		}
		op.Name, op.Arguments, err = tt.runnerOperation(path, in, ents)
	} else {
		if in.Object, err = tt.object(path, in, ents); err != nil {
			return op, err
		}
		op.Object = in.Object
		op.Name, op.Arguments, err = tt.arguments(path, in, ents)
	}
	if err != nil {
		return op, err
	}
	// error: false is the same as no error field (the SDAM integration tests write it)
	isError := in.Error != nil && *in.Error
	switch {
	case isErrorDocument(in.Result):
		op.ExpectError = &ExpectedError{}
		if isError {
			op.ExpectError.IsError = in.Error
		}
		if err := errorAssertions(joinPath(path, "result"), in.Result.Document(), op.ExpectError); err != nil {
			return op, err
		}
	case isError && in.Result.Type != 0:
		return op, fieldErrorf(joinPath(path, "result"), "a result beside error: true must hold error assertions")
	case isError:
		op.ExpectError = &ExpectedError{IsError: in.Error}
	case in.Result.Type != 0:
		if err := tt.checkOperators(joinPath(path, "result"), in.Result); err != nil {
			return op, err
		}
		op.ExpectResult = in.Result
	}
	return op, nil
}

// object names the entity the operation runs on; an operation with databaseOptions or
// collectionOptions gets a database or collection entity of its own.
func (tt *txnTranslation) object(path string, in *txnOperation, ents *testEntities) (string, *FieldError) {
	object := in.Object
	if object == "" {
		object = "collection" // the client-side encryption README's default; retryable writes name none
	}
	if in.DatabaseOptions == nil && in.CollectionOptions == nil {
		switch object {
		case "collection":
			return LegacyCollection, nil
		case "database":
			return LegacyDatabase, nil
		case "client":
			return LegacyClient, nil
		case "gridfsbucket":
			if tt.in.BucketName == "" {
				return "", fieldErrorf(joinPath(path, "object"), "gridfsbucket needs bucket_name")
			}
			return LegacyBucket, nil
		}
		return object, nil
	}
	if object != "collection" && object != "database" {
		return "", fieldErrorf(joinPath(path, "object"), "databaseOptions and collectionOptions apply to a database or collection, not %s", object)
	}
	if object == "database" && in.CollectionOptions != nil {
		return "", fieldErrorf(joinPath(path, "collectionOptions"), "not allowed on a database operation")
	}
	n := len(ents.extra)
	database := LegacyDatabase
	if in.DatabaseOptions != nil {
		opts, err := entityOptions(joinPath(path, "databaseOptions"), in.DatabaseOptions)
		if err != nil {
			return "", err
		}
		database = fmt.Sprintf("database%d", n+1)
		ents.extra = append(ents.extra, bson.D{{Key: "database", Value: bson.D{{Key: "id", Value: database}, {Key: "client", Value: LegacyClient},
			{Key: "databaseName", Value: tt.database}, {Key: "databaseOptions", Value: opts}}}})
		if object == "database" {
			return database, nil
		}
	}
	coll := bson.D{{Key: "id", Value: fmt.Sprintf("collection%d", n+1)}, {Key: "database", Value: database}, {Key: "collectionName", Value: tt.collection}}
	if in.CollectionOptions != nil {
		opts, err := entityOptions(joinPath(path, "collectionOptions"), in.CollectionOptions)
		if err != nil {
			return "", err
		}
		coll = append(coll, bson.E{Key: "collectionOptions", Value: opts})
	}
	ents.extra = append(ents.extra, bson.D{{Key: "collection", Value: coll}})
	return fmt.Sprintf("collection%d", n+1), nil
}

// entityOptions checks databaseOptions and collectionOptions: readConcern, writeConcern
// and readPreference documents. An empty writeConcern is the server's default (the
// read/write concern README), which is what an empty unified writeConcern gives.
func entityOptions(path string, opts bson.Raw) (bson.Raw, *FieldError) {
	var in struct {
		ReadConcern    bson.Raw `spec:"readConcern"`
		ReadPreference bson.Raw `spec:"readPreference"`
		WriteConcern   bson.Raw `spec:"writeConcern"`
	}
	if err := decodeDocument(path, opts, &in); err != nil {
		return nil, err
	}
	return opts, nil
}

// legacyNames are operation names that differ in the Unified Test Format.
var legacyNames = map[string]string{
	"download_by_name": "downloadByName",
	"watch":            "createChangeStream",
}

// arguments rewrites an entity operation's arguments into the unified shape.
func (tt *txnTranslation) arguments(path string, in *txnOperation, ents *testEntities) (string, bson.Raw, *FieldError) {
	name := in.Name
	if n, ok := legacyNames[name]; ok {
		name = n
	}
	argsPath := joinPath(path, "arguments")
	if in.CommandName != "" && in.Name != "runCommand" {
		return "", nil, fieldErrorf(joinPath(path, "command_name"), "only runCommand has command_name")
	}
	switch in.Name {
	case "startTransaction", "withTransaction":
		var out bson.D
		elems, _ := in.Arguments.Elements()
		for _, e := range elems {
			switch {
			case e.Key() == "options":
				opts, ok := e.Value().DocumentOK()
				if !ok {
					return "", nil, typeError(joinPath(argsPath, "options"), "a document", e.Value())
				}
				optElems, _ := opts.Elements()
				for _, o := range optElems {
					out = append(out, bson.E{Key: o.Key(), Value: o.Value()})
				}
			case e.Key() == "callback" && in.Name == "withTransaction":
				ops, err := tt.callback(joinPath(argsPath, "callback"), e.Value(), ents)
				if err != nil {
					return "", nil, err
				}
				out = append(out, bson.E{Key: "callback", Value: ops})
			default:
				out = append(out, bson.E{Key: e.Key(), Value: e.Value()})
			}
		}
		return name, mustMarshal(out), nil
	case "runCommand":
		var out bson.D
		elems, _ := in.Arguments.Elements()
		commandName := in.CommandName
		for _, e := range elems {
			if e.Key() == "command" && commandName == "" {
				// command_name is for languages that lose key order; the first key names the command
				cmd, ok := e.Value().DocumentOK()
				if !ok {
					return "", nil, typeError(joinPath(argsPath, "command"), "a document", e.Value())
				}
				first, err := cmd.IndexErr(0)
				if err != nil {
					return "", nil, fieldErrorf(joinPath(argsPath, "command"), "must name a command")
				}
				commandName = first.Key()
			}
			out = append(out, bson.E{Key: e.Key(), Value: e.Value()})
		}
		out = append(out, bson.E{Key: "commandName", Value: commandName})
		return name, mustMarshal(out), nil
	}
	args, err := unifiedArguments(argsPath, in.Name, in.Arguments)
	if err != nil {
		return "", nil, err
	}
	// Arguments the legacy fixtures leave out where the unified ones require them: the
	// empty filter of find and the empty pipeline of watch, as the drivers' own defaults.
	for _, d := range []struct {
		op, arg string
		empty   any
	}{{"find", "filter", bson.D{}}, {"watch", "pipeline", bson.A{}}} {
		if in.Name == d.op && args.Lookup(d.arg).Type == 0 {
			elems, _ := args.Elements()
			out := bson.D{{Key: d.arg, Value: d.empty}}
			for _, e := range elems {
				out = append(out, bson.E{Key: e.Key(), Value: e.Value()})
			}
			args = mustMarshal(out)
		}
	}
	return name, args, nil
}

// callback translates withTransaction's callback: {operations: [...]} becomes the
// unified list of operations.
func (tt *txnTranslation) callback(path string, v bson.RawValue, ents *testEntities) (bson.A, *FieldError) {
	var cb struct {
		Operations []txnOperation `spec:"operations,required"`
	}
	if err := decodeValue(path, v, reflectOf(&cb), fieldTag{}); err != nil {
		return nil, err
	}
	out := bson.A{}
	for i := range cb.Operations {
		p := indexPath(joinPath(path, "operations"), i)
		op, err := tt.operation(p, &cb.Operations[i], ents)
		if err != nil {
			return nil, err
		}
		out = append(out, operationDocument(&op))
	}
	return out, nil
}

// operationDocument is a translated operation as the unified document that nested
// operations are decoded from at run time.
func operationDocument(op *Operation) bson.D {
	d := bson.D{{Key: "name", Value: op.Name}, {Key: "object", Value: op.Object}}
	if op.Arguments != nil {
		d = append(d, bson.E{Key: "arguments", Value: op.Arguments})
	}
	if op.ExpectResult.Type != 0 {
		d = append(d, bson.E{Key: "expectResult", Value: op.ExpectResult})
	}
	if e := op.ExpectError; e != nil {
		var want bson.D
		if e.IsError != nil {
			want = append(want, bson.E{Key: "isError", Value: true})
		}
		if e.ErrorContains != nil {
			want = append(want, bson.E{Key: "errorContains", Value: *e.ErrorContains})
		}
		if e.ErrorCodeName != nil {
			want = append(want, bson.E{Key: "errorCodeName", Value: *e.ErrorCodeName})
		}
		if e.ErrorCode != nil {
			want = append(want, bson.E{Key: "errorCode", Value: *e.ErrorCode})
		}
		if e.ErrorLabelsContain != nil {
			want = append(want, bson.E{Key: "errorLabelsContain", Value: e.ErrorLabelsContain})
		}
		if e.ErrorLabelsOmit != nil {
			want = append(want, bson.E{Key: "errorLabelsOmit", Value: e.ErrorLabelsOmit})
		}
		d = append(d, bson.E{Key: "expectError", Value: want})
	}
	return d
}

// runnerOperation translates a testRunner operation: the transactions and sessions
// READMEs' assertions, and the SDAM integration README's operations.
func (tt *txnTranslation) runnerOperation(path string, in *txnOperation, ents *testEntities) (string, bson.Raw, *FieldError) {
	argsPath := joinPath(path, "arguments")
	if in.CommandName != "" && in.Name != "runAdminCommand" {
		return "", nil, fieldErrorf(joinPath(path, "command_name"), "only runCommand and runAdminCommand have command_name")
	}
	// rename maps legacy argument names onto unified ones; every argument must be named.
	rename := func(names map[string]string, extra ...bson.E) (bson.Raw, *FieldError) {
		out := bson.D{}
		elems, _ := in.Arguments.Elements()
		for _, e := range elems {
			n, ok := names[e.Key()]
			if !ok {
				return nil, fieldErrorf(joinPath(argsPath, e.Key()), "unknown argument of %s", in.Name)
			}
			out = append(out, bson.E{Key: n, Value: e.Value()})
		}
		return mustMarshal(append(out, extra...)), nil
	}
	client := bson.E{Key: "client", Value: LegacyClient}
	var (
		args bson.Raw
		err  *FieldError
		name = in.Name
	)
	switch in.Name {
	case "targetedFailPoint":
		args, err = rename(map[string]string{"session": "session", "failPoint": "failPoint"})
	case "assertSessionPinned", "assertSessionUnpinned", "assertSessionDirty", "assertSessionNotDirty":
		args, err = rename(map[string]string{"session": "session"})
	case "assertSessionTransactionState":
		args, err = rename(map[string]string{"session": "session", "state": "state"})
	case "assertCollectionExists", "assertCollectionNotExists":
		args, err = rename(map[string]string{"database": "databaseName", "collection": "collectionName"})
	case "assertIndexExists", "assertIndexNotExists":
		args, err = rename(map[string]string{"database": "databaseName", "collection": "collectionName", "index": "indexName"})
	case "assertDifferentLsidOnLastTwoCommands", "assertSameLsidOnLastTwoCommands":
		args, err = rename(nil, client)
	case "configureFailPoint":
		// through the test's client, whose observed events leave it out
		name = "failPoint"
		args, err = rename(map[string]string{"failPoint": "failPoint"}, client)
	case "wait":
		args, err = rename(map[string]string{"ms": "ms"})
	case "waitForEvent", "assertEventCount":
		return tt.eventOperation(argsPath, in, ents)
	case "recordPrimary":
		name = "recordTopologyDescription"
		args, err = rename(nil, client, bson.E{Key: "id", Value: LegacyPrimary})
	case "waitForPrimaryChange":
		args, err = rename(map[string]string{"timeoutMS": "timeoutMS"}, client, bson.E{Key: "priorTopologyDescription", Value: LegacyPrimary})
	case "runAdminCommand":
		ents.adminUsed = true
		op := *in
		op.Name, op.Object = "runCommand", "database"
		name, args, err = tt.arguments(path, &op, ents)
		return name, args, err
	case "startThread":
		name = "createEntities"
		var thread string
		thread, err = threadName(argsPath, in.Arguments)
		if err == nil {
			args = mustMarshal(bson.D{{Key: "entities", Value: bson.A{bson.D{{Key: "thread", Value: bson.D{{Key: "id", Value: thread}}}}}}})
		}
	case "waitForThread":
		args, err = rename(map[string]string{"name": "thread"})
	case "runOnThread":
		return tt.runOnThread(argsPath, in, ents)
	default:
		return "", nil, fieldErrorf(joinPath(path, "name"), "unknown testRunner operation %q", in.Name)
	}
	return name, args, err
}

func threadName(path string, args bson.Raw) (string, *FieldError) {
	var in struct {
		Name string `spec:"name,required"`
	}
	if err := decodeDocument(path, args, &in); err != nil {
		return "", err
	}
	return in.Name, nil
}

// eventOperation translates waitForEvent and assertEventCount, and has client0
// observe the event.
func (tt *txnTranslation) eventOperation(path string, in *txnOperation, ents *testEntities) (string, bson.Raw, *FieldError) {
	var args struct {
		Event string `spec:"event,required,enum=PoolClearedEvent|PoolReadyEvent|ServerMarkedUnknownEvent"`
		Count int64  `spec:"count,required"`
	}
	if err := decodeDocument(path, in.Arguments, &args); err != nil {
		return "", nil, err
	}
	e := legacyEvents[args.Event]
	if !contains(ents.observe, e.observe) {
		ents.observe = append(ents.observe, e.observe)
	}
	return in.Name, mustMarshal(bson.D{{Key: "client", Value: LegacyClient}, {Key: "event", Value: e.event}, {Key: "count", Value: args.Count}}), nil
}

func (tt *txnTranslation) runOnThread(path string, in *txnOperation, ents *testEntities) (string, bson.Raw, *FieldError) {
	var args struct {
		Name      string       `spec:"name,required"`
		Operation txnOperation `spec:"operation,required"`
	}
	if err := decodeDocument(path, in.Arguments, &args); err != nil {
		return "", nil, err
	}
	op, err := tt.operation(joinPath(path, "operation"), &args.Operation, ents)
	if err != nil {
		return "", nil, err
	}
	return in.Name, mustMarshal(bson.D{{Key: "thread", Value: args.Name}, {Key: "operation", Value: operationDocument(&op)}}), nil
}

// expectedCommand translates the README's rules for an expected command into unified
// operators, which express them exactly:
//   - lsid "session0" or "session1": the lsid of that session ($$sessionLsid);
//   - a null field: the command omits the field ($$exists: false);
//   - getMore 42: a fake cursor id, ignored, so any value ($$exists: true);
//   - readConcern.afterClusterTime 42: the command has an afterClusterTime ($$exists: true);
//   - recoveryToken 42: the command has a recoveryToken, which SHOULD be a document
//     ($$type: object).
//
// Anywhere else 42 is a literal.
func (tt *txnTranslation) expectedCommand(path string, cmd bson.Raw) (bson.Raw, *FieldError) {
	elems, _ := cmd.Elements()
	var out bson.D
	for _, e := range elems {
		key, v := e.Key(), e.Value()
		p := joinPath(path, key)
		switch {
		case key == "lsid" && v.Type == bson.TypeString:
			s := v.StringValue()
			if s != LegacySession0 && s != LegacySession1 {
				return nil, fieldErrorf(p, "must be session0 or session1")
			}
			out = append(out, bson.E{Key: key, Value: bson.D{{Key: "$$sessionLsid", Value: s}}})
			continue
		case strings.HasPrefix(key, "$$") && !tt.cse:
			return nil, fieldErrorf(p, "the format has no $$ operators")
		case key == "getMore" && (is42(v) || (v.Type == bson.TypeString && v.StringValue() == "42")):
			out = append(out, bson.E{Key: key, Value: bson.D{{Key: "$$exists", Value: true}}})
			continue
		case key == "recoveryToken" && is42(v):
			out = append(out, bson.E{Key: key, Value: bson.D{{Key: "$$type", Value: "object"}}})
			continue
		case key == "readConcern" && v.Type == bson.TypeEmbeddedDocument:
			rc, err := tt.nullsAbsent(p, v.Document(), func(k string, v bson.RawValue) (bson.RawValue, bool) {
				if k == "afterClusterTime" && is42(v) {
					return rawDocument(bson.D{{Key: "$$exists", Value: true}}), true
				}
				return v, false
			})
			if err != nil {
				return nil, err
			}
			out = append(out, bson.E{Key: key, Value: rc})
			continue
		}
		translated, err := tt.nullsAbsentValue(p, v)
		if err != nil {
			return nil, err
		}
		out = append(out, bson.E{Key: key, Value: translated})
	}
	return mustMarshal(out), nil
}

// nullsAbsentValue turns every null field of the documents in v into $$exists: false
// ("Tests MUST assert that the actual command omits any field that has a null value").
func (tt *txnTranslation) nullsAbsentValue(path string, v bson.RawValue) (bson.RawValue, *FieldError) {
	switch v.Type {
	case bson.TypeNull:
		return rawDocument(bson.D{{Key: "$$exists", Value: false}}), nil
	case bson.TypeEmbeddedDocument:
		return tt.nullsAbsent(path, v.Document(), nil)
	case bson.TypeArray:
		values, _ := v.Array().Values()
		out := bson.A{}
		for i, x := range values {
			if x.Type == bson.TypeNull {
				out = append(out, x) // an element, not a field: a literal null
				continue
			}
			t, err := tt.nullsAbsentValue(indexPath(path, i), x)
			if err != nil {
				return v, err
			}
			out = append(out, t)
		}
		typ, data, _ := bson.MarshalValue(out)
		return bson.RawValue{Type: typ, Value: data}, nil
	}
	return v, nil
}

// nullsAbsent is nullsAbsentValue for a document; special may replace a field's value
// first (and says whether it did).
func (tt *txnTranslation) nullsAbsent(path string, doc bson.Raw, special func(string, bson.RawValue) (bson.RawValue, bool)) (bson.RawValue, *FieldError) {
	elems, _ := doc.Elements()
	out := bson.D{}
	for _, e := range elems {
		p := joinPath(path, e.Key())
		if strings.HasPrefix(e.Key(), "$$") && !tt.cse {
			return bson.RawValue{}, fieldErrorf(p, "the format has no $$ operators")
		}
		if special != nil {
			if v, ok := special(e.Key(), e.Value()); ok {
				out = append(out, bson.E{Key: e.Key(), Value: v})
				continue
			}
		}
		v, err := tt.nullsAbsentValue(p, e.Value())
		if err != nil {
			return bson.RawValue{}, err
		}
		out = append(out, bson.E{Key: e.Key(), Value: v})
	}
	return rawDocument(out), nil
}

// checkOperators refuses $$ keys in results and outcome outside client-side encryption,
// whose README alone gives the format an operator ($$type): elsewhere the unified
// operators that the translation uses must not be read into a fixture's literal keys.
func (tt *txnTranslation) checkOperators(path string, v any) *FieldError {
	if tt.cse {
		return nil
	}
	var raw bson.RawValue
	switch x := v.(type) {
	case bson.Raw:
		raw = rawDocument(x)
	case bson.RawValue:
		raw = x
	}
	return findOperator(path, raw)
}

func findOperator(path string, v bson.RawValue) *FieldError {
	switch v.Type {
	case bson.TypeEmbeddedDocument:
		elems, _ := v.Document().Elements()
		for _, e := range elems {
			if strings.HasPrefix(e.Key(), "$$") {
				return fieldErrorf(joinPath(path, e.Key()), "the format has no $$ operators")
			}
			if err := findOperator(joinPath(path, e.Key()), e.Value()); err != nil {
				return err
			}
		}
	case bson.TypeArray:
		values, _ := v.Array().Values()
		for i, x := range values {
			if err := findOperator(indexPath(path, i), x); err != nil {
				return err
			}
		}
	}
	return nil
}

// is42 reports whether v is the placeholder 42, as a number of any type.
func is42(v bson.RawValue) bool {
	switch v.Type {
	case bson.TypeInt32, bson.TypeInt64:
		n, _ := v.AsInt64OK()
		return n == 42
	case bson.TypeDouble:
		return v.Double() == 42
	}
	return false
}

func rawDocument(d any) bson.RawValue {
	raw, ok := d.(bson.Raw)
	if !ok {
		var err error
		if raw, err = bson.Marshal(d); err != nil {
			panic(err) // only documents built from decoded BSON values reach here
		}
	}
	return bson.RawValue{Type: bson.TypeEmbeddedDocument, Value: raw}
}
