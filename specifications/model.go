package specifications

import (
	"fmt"
	"regexp"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Format says which fixture format a file was written in. Every runnable format is
// translated into the unified model below; the format tells the matcher which rules
// apply (the legacy formats have placeholders and looser rules of their own).
type Format int

const (
	Unified Format = iota + 1
	LegacyCRUD
	LegacyCommandMonitoring
	LegacyChangeStreams
	LegacyGridFS
	// LegacyTransactions is the runner format that transactions, retryable reads and
	// writes, sessions, convenient transactions, read/write concern operations,
	// client-side encryption, Atlas Data Lake and SDAM integration tests shared before
	// the Unified Test Format (legacy_transactions.go).
	LegacyTransactions
)

func (f Format) String() string {
	switch f {
	case Unified:
		return "unified"
	case LegacyCRUD:
		return "legacy CRUD v1"
	case LegacyCommandMonitoring:
		return "legacy command monitoring"
	case LegacyChangeStreams:
		return "legacy change streams"
	case LegacyGridFS:
		return "legacy GridFS"
	case LegacyTransactions:
		return "legacy transactions-style"
	}
	return "unknown"
}

// Values of type bson.RawValue in the model are absent when their Type is 0; a BSON
// null is present (Type bson.TypeNull).

// File is one fixture file in the unified model, schema version 1.28. The field names
// and rules are those of the Unified Test Format specification and its JSON schema.
type File struct {
	Path   string `spec:"-"` // the file read
	ID     string `spec:"-"` // test ID prefix: <spec>/<path in the tests folder, no extension>
	Format Format `spec:"-"`
	// Unsupported is set when the file declares a schema version specrun cannot run; the
	// run reports each of its tests as an error with this reason, as the spec requires.
	Unsupported string `spec:"-"`

	Description       string             `spec:"description,required"`
	SchemaVersion     string             `spec:"schemaVersion,required,version"`
	RunOnRequirements []RunOnRequirement `spec:"runOnRequirements,nonempty"`
	CreateEntities    []Entity           `spec:"createEntities,nonempty"`
	InitialData       []CollectionData   `spec:"initialData,nonempty"`
	Tests             []Test             `spec:"tests,required,nonempty"`
	YAMLAnchors       bson.Raw           `spec:"_yamlAnchors"` // only a place for YAML anchors

	// DropDatabases are dropped before initialData is written, set only by translation
	// (the legacy change-streams runner drops whole databases before each test).
	DropDatabases []string `spec:"-"`
}

// RunOnRequirement is one alternative set of server conditions.
type RunOnRequirement struct {
	MinServerVersion string   `spec:"minServerVersion,version"`
	MaxServerVersion string   `spec:"maxServerVersion,version"`
	Topologies       []string `spec:"topologies,nonempty,enum=single|replicaset|sharded|sharded-replicaset|load-balanced"`
	Serverless       string   `spec:"serverless,enum=require|forbid|allow"`
	ServerParameters bson.Raw `spec:"serverParameters,nonempty"`
	Auth             *bool    `spec:"auth"`
	AuthMechanism    string   `spec:"authMechanism"`
	CSFLE            *CSFLE   `spec:"csfle"`

	// Legacy version rules, set only by translation: CRUD v1's maxServerVersion excludes
	// the bound, and command monitoring's ignore_if_server_version_* compare major.minor.
	MaxServerVersionExclusive bool `spec:"-"`
	MajorMinorOnly            bool `spec:"-"`
}

func (r *RunOnRequirement) validate() *FieldError {
	if r.MinServerVersion == "" && r.MaxServerVersion == "" && r.Topologies == nil && r.Serverless == "" &&
		r.ServerParameters == nil && r.Auth == nil && r.AuthMechanism == "" && r.CSFLE == nil {
		return fieldErrorf("", "must have at least one requirement")
	}
	return nil
}

// CSFLE is the csfle requirement: a boolean, or a minimum libmongocrypt version.
type CSFLE struct {
	Required                bool
	MinLibmongocryptVersion string
}

func (c *CSFLE) decodeRaw(path string, v bson.RawValue) *FieldError {
	if b, ok := v.BooleanOK(); ok {
		c.Required = b
		return nil
	}
	var opts struct {
		MinLibmongocryptVersion string `spec:"minLibmongocryptVersion,version"`
	}
	if _, ok := v.DocumentOK(); !ok {
		return typeError(path, "a boolean or a document", v)
	}
	if err := decodeValue(path, v, reflectOf(&opts), fieldTag{}); err != nil {
		return err
	}
	if opts.MinLibmongocryptVersion == "" {
		return fieldErrorf(path, "must have minLibmongocryptVersion")
	}
	c.Required, c.MinLibmongocryptVersion = true, opts.MinLibmongocryptVersion
	return nil
}

// Entity is one entry of createEntities: exactly one of its fields is set.
type Entity struct {
	Client           *ClientEntity           `spec:"client"`
	ClientEncryption *ClientEncryptionEntity `spec:"clientEncryption"`
	Database         *DatabaseEntity         `spec:"database"`
	Collection       *CollectionEntity       `spec:"collection"`
	Session          *SessionEntity          `spec:"session"`
	Bucket           *BucketEntity           `spec:"bucket"`
	Thread           *ThreadEntity           `spec:"thread"`
}

func (*Entity) oneOf() {}

// Kind is the entity type, e.g. "client"; ID its id.
func (e *Entity) Kind() string { name, _ := setField(e); return name }

func (e *Entity) ID() string {
	_, v := setField(e)
	return v.Elem().FieldByName("ID").String()
}

type ClientEntity struct {
	ID                            string                  `spec:"id,required"`
	URIOptions                    bson.Raw                `spec:"uriOptions"`
	UseMultipleMongoses           *bool                   `spec:"useMultipleMongoses"`
	ObserveEvents                 []string                `spec:"observeEvents,nonempty,enum=@observableEvents"`
	IgnoreCommandMonitoringEvents []string                `spec:"ignoreCommandMonitoringEvents,nonempty"`
	StoreEventsAsEntities         []StoreEventsAsEntity   `spec:"storeEventsAsEntities,nonempty"`
	ObserveLogMessages            *ObserveLogMessages     `spec:"observeLogMessages"`
	ObserveTracingMessages        *ObserveTracingMessages `spec:"observeTracingMessages"`
	ServerAPI                     *ServerAPI              `spec:"serverApi"`
	ObserveSensitiveCommands      *bool                   `spec:"observeSensitiveCommands"`
	AutoEncryptOpts               *AutoEncryptOpts        `spec:"autoEncryptOpts"`
	AwaitMinPoolSizeMS            *int64                  `spec:"awaitMinPoolSizeMS"`
}

type StoreEventsAsEntity struct {
	ID     string   `spec:"id,required"`
	Events []string `spec:"events,required,nonempty,enum=PoolCreatedEvent|PoolReadyEvent|PoolClearedEvent|PoolClosedEvent|ConnectionCreatedEvent|ConnectionReadyEvent|ConnectionClosedEvent|ConnectionCheckOutStartedEvent|ConnectionCheckOutFailedEvent|ConnectionCheckedOutEvent|ConnectionCheckedInEvent|CommandStartedEvent|CommandSucceededEvent|CommandFailedEvent|ServerDescriptionChangedEvent|TopologyDescriptionChangedEvent"`
}

// ObserveLogMessages maps log components to the minimum severity to observe.
type ObserveLogMessages struct {
	Command         string `spec:"command,enum=@severity"`
	Topology        string `spec:"topology,enum=@severity"`
	ServerSelection string `spec:"serverSelection,enum=@severity"`
	Connection      string `spec:"connection,enum=@severity"`
}

func (o *ObserveLogMessages) validate() *FieldError {
	if *o == (ObserveLogMessages{}) {
		return fieldErrorf("", "must name at least one component")
	}
	return nil
}

type ObserveTracingMessages struct {
	EnableCommandPayload *bool `spec:"enableCommandPayload"`
}

type ServerAPI struct {
	Version           string `spec:"version,required"`
	Strict            *bool  `spec:"strict"`
	DeprecationErrors *bool  `spec:"deprecationErrors"`
}

type AutoEncryptOpts struct {
	KeyVaultNamespace    string       `spec:"keyVaultNamespace,required"`
	BypassAutoEncryption *bool        `spec:"bypassAutoEncryption"`
	KMSProviders         KMSProviders `spec:"kmsProviders,required"`
	SchemaMap            bson.Raw     `spec:"schemaMap"`
	ExtraOptions         bson.Raw     `spec:"extraOptions"`
	EncryptedFieldsMap   bson.Raw     `spec:"encryptedFieldsMap"`
	BypassQueryAnalysis  *bool        `spec:"bypassQueryAnalysis"`
	KeyExpirationMS      *int64       `spec:"keyExpirationMS"`
}

func (a *AutoEncryptOpts) validate() *FieldError {
	for _, m := range []struct {
		name string
		doc  bson.Raw
	}{{"schemaMap", a.SchemaMap}, {"encryptedFieldsMap", a.EncryptedFieldsMap}} {
		elems, _ := m.doc.Elements()
		for _, e := range elems {
			if _, ok := e.Value().DocumentOK(); !ok {
				return typeError(m.name+"."+e.Key(), "a document", e.Value())
			}
		}
	}
	return nil
}

type ClientEncryptionEntity struct {
	ID                   string               `spec:"id,required"`
	ClientEncryptionOpts ClientEncryptionOpts `spec:"clientEncryptionOpts,required"`
}

type ClientEncryptionOpts struct {
	KeyVaultClient    string       `spec:"keyVaultClient,required"`
	KeyVaultNamespace string       `spec:"keyVaultNamespace,required"`
	KMSProviders      KMSProviders `spec:"kmsProviders,required"`
	KeyExpirationMS   *int64       `spec:"keyExpirationMS"`
}

// KMSProviders keeps the providers document as written (values may be
// $$placeholder documents, resolved at run time), after checking its shape.
type KMSProviders struct {
	Doc bson.Raw
}

// The provider names the schema allows, with an optional ":name" suffix, and the
// option sets each accepts (azure and gcp: either credentials or an access token).
var (
	kmsProviderName = regexp.MustCompile(`^(aws|azure|gcp|kmip|local)(:[a-zA-Z0-9_]+)?$`)
	kmsOptionSets   = map[string][][]string{
		"aws":   {{"accessKeyId", "secretAccessKey", "sessionToken"}},
		"azure": {{"tenantId", "clientId", "clientSecret", "identityPlatformEndpoint"}, {"accessToken"}},
		"gcp":   {{"email", "privateKey", "endpoint"}, {"accessToken"}},
		"kmip":  {{"endpoint"}},
		"local": {{"key"}},
	}
)

func (k *KMSProviders) decodeRaw(path string, v bson.RawValue) *FieldError {
	doc, ok := v.DocumentOK()
	if !ok {
		return typeError(path, "a document", v)
	}
	elems, _ := doc.Elements()
	for _, e := range elems {
		p := joinPath(path, e.Key())
		m := kmsProviderName.FindStringSubmatch(e.Key())
		if m == nil {
			return fieldErrorf(p, "unknown KMS provider (aws, azure, gcp, kmip, local, each optionally :name)")
		}
		opts, ok := e.Value().DocumentOK()
		if !ok {
			return typeError(p, "a document", e.Value())
		}
		if err := checkKMSOptions(p, opts, kmsOptionSets[m[1]]); err != nil {
			return err
		}
	}
	k.Doc = doc
	return nil
}

// checkKMSOptions checks a provider's options against the option set its first key
// belongs to (azure and gcp take either credentials or an access token).
func checkKMSOptions(path string, opts bson.Raw, sets [][]string) *FieldError {
	elems, _ := opts.Elements()
	set := sets[0]
	if len(elems) > 0 {
		for _, s := range sets {
			if contains(s, elems[0].Key()) {
				set = s
			}
		}
	}
	for _, e := range elems {
		if !contains(set, e.Key()) {
			return fieldErrorf(joinPath(path, e.Key()), "unknown field")
		}
		if err := checkStringOrPlaceholder(joinPath(path, e.Key()), e.Value()); err != nil {
			return err
		}
	}
	return nil
}

func checkStringOrPlaceholder(path string, v bson.RawValue) *FieldError {
	if v.Type == bson.TypeString {
		return nil
	}
	if doc, ok := v.DocumentOK(); ok {
		elems, _ := doc.Elements()
		if len(elems) == 1 && elems[0].Key() == "$$placeholder" {
			return nil
		}
	}
	return typeError(path, "a string or {$$placeholder: …}", v)
}

type DatabaseEntity struct {
	ID              string                       `spec:"id,required"`
	Client          string                       `spec:"client,required"`
	DatabaseName    string                       `spec:"databaseName,required"`
	DatabaseOptions *CollectionOrDatabaseOptions `spec:"databaseOptions"`
}

type CollectionEntity struct {
	ID                string                       `spec:"id,required"`
	Database          string                       `spec:"database,required"`
	CollectionName    string                       `spec:"collectionName,required"`
	CollectionOptions *CollectionOrDatabaseOptions `spec:"collectionOptions"`
}

type CollectionOrDatabaseOptions struct {
	ReadConcern    bson.Raw `spec:"readConcern"`
	ReadPreference bson.Raw `spec:"readPreference"`
	WriteConcern   bson.Raw `spec:"writeConcern"`
	TimeoutMS      *int64   `spec:"timeoutMS"`
}

type SessionEntity struct {
	ID             string   `spec:"id,required"`
	Client         string   `spec:"client,required"`
	SessionOptions bson.Raw `spec:"sessionOptions"`
}

type BucketEntity struct {
	ID            string   `spec:"id,required"`
	Database      string   `spec:"database,required"`
	BucketOptions bson.Raw `spec:"bucketOptions"`
}

type ThreadEntity struct {
	ID string `spec:"id,required"`
}

// CollectionData is used for initialData and outcome.
type CollectionData struct {
	CollectionName string     `spec:"collectionName,required"`
	DatabaseName   string     `spec:"databaseName,required"`
	CreateOptions  bson.Raw   `spec:"createOptions"`
	Documents      []bson.Raw `spec:"documents,required"`

	// Unordered is set only by translation: the collection must hold these documents
	// in any order (legacy GridFS compares collections as sets).
	Unordered bool `spec:"-"`
	// Label, set only by translation, names an outcome collection in messages as its
	// legacy fixture does (e.g. "outcome.collection"); empty, it is outcome[i].
	Label string `spec:"-"`
}

func (c *CollectionData) validate() *FieldError {
	if c.CreateOptions != nil && c.CreateOptions.Lookup("writeConcern").Type != 0 {
		return fieldErrorf("createOptions.writeConcern", "not allowed: initial data is always written with majority write concern")
	}
	return nil
}

// Test is one test of a file.
type Test struct {
	ID string `spec:"-"` // <file ID>/<description>

	Description           string                             `spec:"description,required"`
	RunOnRequirements     []RunOnRequirement                 `spec:"runOnRequirements,nonempty"`
	SkipReason            string                             `spec:"skipReason"`
	Operations            []Operation                        `spec:"operations,required"`
	ExpectEvents          []ExpectedEventsForClient          `spec:"expectEvents,nonempty"`
	ExpectLogMessages     []ExpectedLogMessagesForClient     `spec:"expectLogMessages,nonempty"`
	ExpectTracingMessages []ExpectedTracingMessagesForClient `spec:"expectTracingMessages,nonempty"`
	Outcome               []CollectionData                   `spec:"outcome,nonempty"`

	// FirstError is set only by translation (legacy change streams): the operations run
	// until one raises an error, which must match FirstError and ends them; when none
	// raises one, the test fails. An operation's own expectError still applies to it.
	FirstError *ExpectedError `spec:"-"`
}

// Operation is one operation of a test (also the nested operations of withTransaction,
// runOnThread and the like, which arrive as arguments and are decoded by the runner).
type Operation struct {
	Name                 string         `spec:"name,required"`
	Object               string         `spec:"object,required"`
	Arguments            bson.Raw       `spec:"arguments"`
	IgnoreResultAndError *bool          `spec:"ignoreResultAndError"`
	ExpectError          *ExpectedError `spec:"expectError"`
	ExpectResult         bson.RawValue  `spec:"expectResult"`
	SaveResultAsEntity   *string        `spec:"saveResultAsEntity"`

	// Where the operation is, set by the loader, and for the nested operations decoded
	// at run time by DecodeOperations and DecodeOperation, so that the engine need not
	// work it out. Path is its place in the file, e.g. tests.3.operations.2, or in a
	// legacy fixture tests.3.operation (a nested one's is relative to its argument, e.g.
	// callback.0); Label is how messages name it, e.g. "operation 2 (insertOne)" or, in
	// the legacy fixture's terms, "operation (bulkWrite)".
	Path  string `spec:"-"`
	Label string `spec:"-"`
	// ResultLabel names ExpectResult in messages where a legacy fixture calls it
	// otherwise (e.g. "outcome.result"); empty, it is expectResult. The nested
	// operations, decoded without one, take that of the operation that carries them.
	ResultLabel string `spec:"-"`
}

// place sets where the operation is: at path, named label in messages, its name
// beside it ("operation 2 (insertOne)").
func (o *Operation) place(path, label string) {
	o.Path, o.Label = path, fmt.Sprintf("%s (%s)", label, o.Name)
}

// placeLegacy places an operation of a legacy fixture's test at rel (e.g. "operation",
// "operations.2"): its place in the test is how messages name it.
func (o *Operation) placeLegacy(test, rel string) { o.place(joinPath(test, rel), rel) }

// nameResults names the operation's expected result, and the one beside its expected
// error, as a legacy fixture calls them.
func (o *Operation) nameResults(label string) {
	o.ResultLabel = label
	if o.ExpectError != nil {
		o.ExpectError.ResultLabel = label
	}
}

func (o *Operation) validate() *FieldError {
	has := map[string]bool{
		"expectError":          o.ExpectError != nil,
		"expectResult":         o.ExpectResult.Type != 0,
		"saveResultAsEntity":   o.SaveResultAsEntity != nil,
		"ignoreResultAndError": o.IgnoreResultAndError != nil,
	}
	for _, pair := range [][2]string{
		{"expectError", "expectResult"},
		{"expectError", "saveResultAsEntity"},
		{"ignoreResultAndError", "expectResult"},
		{"ignoreResultAndError", "expectError"},
		{"ignoreResultAndError", "saveResultAsEntity"},
	} {
		if has[pair[0]] && has[pair[1]] {
			return fieldErrorf(pair[1], "cannot be used together with %s", pair[0])
		}
	}
	return nil
}

// ExpectedError describes the error an operation must raise.
type ExpectedError struct {
	IsError            *bool         `spec:"isError"`
	IsClientError      *bool         `spec:"isClientError"`
	IsTimeoutError     *bool         `spec:"isTimeoutError"`
	ErrorContains      *string       `spec:"errorContains"`
	ErrorCode          *int64        `spec:"errorCode"`
	ErrorCodeName      *string       `spec:"errorCodeName"`
	ErrorLabelsContain []string      `spec:"errorLabelsContain,nonempty"`
	ErrorLabelsOmit    []string      `spec:"errorLabelsOmit,nonempty"`
	WriteErrors        bson.Raw      `spec:"writeErrors"`
	WriteConcernErrors []bson.Raw    `spec:"writeConcernErrors"`
	ErrorResponse      bson.Raw      `spec:"errorResponse"`
	ExpectResult       bson.RawValue `spec:"expectResult"`

	// GridFSError is set only by translation (legacy GridFS): the kind of GridFS error
	// expected, e.g. "FileNotFound".
	GridFSError string `spec:"-"`
	// Set only by translation, for messages in a legacy fixture's terms: Label names the
	// expected error where no operation's expectError holds it (Test.FirstError:
	// "result.error"; empty, "expected error"), ResultLabel names ExpectResult (e.g.
	// "outcome.result"; empty, expectError.expectResult).
	Label       string `spec:"-"`
	ResultLabel string `spec:"-"`
}

func (e *ExpectedError) validate() *FieldError {
	if e.IsError != nil && !*e.IsError {
		return fieldErrorf("isError", "must be true when present")
	}
	if e.IsError == nil && e.IsClientError == nil && e.IsTimeoutError == nil && e.ErrorContains == nil &&
		e.ErrorCode == nil && e.ErrorCodeName == nil && e.ErrorLabelsContain == nil && e.ErrorLabelsOmit == nil &&
		e.WriteErrors == nil && e.WriteConcernErrors == nil && e.ErrorResponse == nil && e.ExpectResult.Type == 0 {
		return fieldErrorf("", "must have at least one assertion")
	}
	return nil
}

// DatabaseNames lists the databases the file names (database entities, initialData,
// outcomes), each once: the databases a run of it may touch.
func (f *File) DatabaseNames() []string {
	var names []string
	add := func(n string) {
		if n != "" && !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	for _, e := range f.CreateEntities {
		if e.Database != nil {
			add(e.Database.DatabaseName)
		}
	}
	for _, d := range f.InitialData {
		add(d.DatabaseName)
	}
	for _, t := range f.Tests {
		for _, d := range t.Outcome {
			add(d.DatabaseName)
		}
	}
	return names
}
