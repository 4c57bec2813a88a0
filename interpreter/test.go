package interpreter

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readconcern"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	"github.com/specrun/specrun/entities"
	"github.com/specrun/specrun/internal/bsontext"
	"github.com/specrun/specrun/matchers"
	"github.com/specrun/specrun/operations"
	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/specifications"
)

// testRun is the state of one test: its entity map, the fail points it set, whether
// it started a transaction and, for the legacy formats, the matcher that binds
// placeholders across the test.
type testRun struct {
	r                  *Runner
	f                  *specifications.File
	t                  *specifications.Test
	entities           *entities.Map
	failPoints         []failPoint
	startedTransaction atomic.Bool // ran startTransaction or withTransaction
	// clusterTime, on a sharded cluster, is the cluster time after initialData: every
	// session entity starts from it (see seededClusterTime).
	clusterTime bson.Raw
	legacy      *matchers.Matcher
	// raised is set when an operation raised the error a FirstError test judges.
	raised bool
	// setsFailPoint: the test may set a fail point (its clients get a fast heartbeat).
	setsFailPoint bool
}

// failPoint is a fail point to turn off: set through a client entity, or (targeted,
// client nil) on one host.
type failPoint struct {
	client *entities.Client
	host   string
	name   string
	// failCommands and blockTime: the commands the fail point blocks (blockConnection),
	// and for how long (0: it blocks none; a targeted fail point, as before, counts
	// for none).
	failCommands []string
	blockTime    time.Duration
	// appName is the fail point's data.appName: it then acts only on the commands of
	// clients with that appName ("" for every client).
	appName string
}

// affects says whether the fail point acts on commands of client (its appName filter).
func (fp failPoint) affects(client *entities.Client) bool {
	return fp.appName == "" || client != nil && fp.appName == client.AppName
}

func newTestRun(r *Runner, f *specifications.File, t *specifications.Test) *testRun {
	tr := &testRun{r: r, f: f, t: t, entities: entities.NewMap(), setsFailPoint: setsFailPoint(t.Operations)}
	switch f.Format {
	case specifications.Unified:
	case specifications.LegacyChangeStreams:
		tr.legacy = matchers.LegacyChangeStreams()
	case specifications.LegacyGridFS:
		tr.legacy = matchers.LegacyGridFS(func() (bson.RawValue, error) {
			return tr.entities.EntityValue(specifications.LegacyGridFSResult)
		})
	case specifications.LegacyTransactions:
		tr.legacy = matchers.LegacyTransactions(tr.entities)
	default:
		tr.legacy = matchers.Legacy()
	}
	return tr
}

// matcher is the profile for results and events: the unified rules, or the legacy ones.
func (tr *testRun) matcher() *matchers.Matcher {
	if tr.legacy != nil {
		return tr.legacy
	}
	return matchers.Unified(tr.entities)
}

// run follows "Executing a Test" of the Unified Test Format.
func (tr *testRun) run(ctx context.Context) (status result.Status, reason, detail string) {
	if tr.t.SkipReason != "" {
		return result.Skip, "skipReason: " + tr.t.SkipReason, ""
	}
	end := tr.r.stats.phase(PhaseRequirements)
	ok, why := tr.r.probe.requirementsMet(tr.t.RunOnRequirements)
	end()
	if !ok {
		return result.Skip, why, ""
	}
	if reason := tr.unjudgeable(); reason != "" {
		return result.Unsupported, reason, ""
	}
	defer tr.r.stats.testDone()
	defer func() {
		end := tr.r.stats.phase(PhaseCleanup)
		// status is empty when the steps panicked.
		err := tr.cleanup(status == result.Fail || status == result.Error || status == "")
		end()
		if err != nil && status == result.Pass {
			status, reason = result.Error, "cleanup: "+result.OneLine(err.Error())
		}
	}()
	if v := tr.steps(ctx); v != nil {
		return v.Status, v.Reason, v.Detail
	}
	return result.Pass, "", ""
}

// unjudgeable is why this build of specrun cannot judge the test whatever the server
// does, found before anything touches the server: an entity that needs client-side
// encryption (entities.Uncreatable: this build's gap), in the file's createEntities or
// a createEntities operation of the test. Otherwise a server that fails the initial
// data (the encryptedFields or $jsonSchema validator that these tests seed) would fail
// a test that no server could pass here. "" when there is none.
//
// The driver's limit (observeTracingMessages) is left to Create, met when the run
// reaches the entity: those tests seed plain collections, so no server fails them
// before, and their verdict names the step that refuses them ("createEntities:
// observeTracingMessages: …"), as for any entity that cannot be created.
func (tr *testRun) unjudgeable() string {
	check := func(where string, list []specifications.Entity) string {
		for i := range list {
			e := &list[i]
			if r := entities.Uncreatable(e); r != nil && r.Whose == entities.ThisBuild {
				return fmt.Sprintf("%s: %s %s: %s", where, e.Kind(), e.ID(), r.Reason)
			}
		}
		return ""
	}
	if reason := check("createEntities", tr.f.CreateEntities); reason != "" {
		return reason
	}
	for i := range tr.t.Operations {
		op := &tr.t.Operations[i]
		if op.Object != operations.RunnerObject || op.Name != "createEntities" {
			continue
		}
		list, err := specifications.DecodeEntities("entities", op.Arguments.Lookup("entities"))
		if err != nil {
			continue // the operation itself reports it
		}
		if reason := check(op.Label, list); reason != "" {
			return reason
		}
	}
	return ""
}

func (tr *testRun) steps(ctx context.Context) *result.Verdict {
	dataless := tr.dataless()
	if !dataless {
		if v := tr.setUpData(ctx); v != nil {
			return v
		}
	}
	end := tr.r.stats.phase(PhaseEntities)
	err := tr.CreateEntities(ctx, tr.f.CreateEntities)
	end()
	if err != nil {
		return judge("createEntities", err)
	}
	end = tr.r.stats.phase(PhaseOperations)
	for i := range tr.t.Operations {
		v, _ := tr.operation(ctx, &tr.t.Operations[i])
		if v == nil && dataless {
			v = &result.Verdict{Status: result.Error, Reason: "specrun internal error: the fail point that made the test run without its data was set"}
		}
		if v != nil {
			end()
			return v
		}
		if tr.raised {
			break
		}
	}
	if tr.t.FirstError != nil && !tr.raised {
		end()
		return failed(firstErrorLabel(tr.t.FirstError)+": expected an error, got none", "")
	}
	if v := tr.threadFailure(); v != nil {
		end()
		return v
	}
	tr.entities.Each(func(_ string, e entities.Entity) {
		if c, ok := e.(*entities.Client); ok {
			c.StopObserving()
		}
	})
	tr.disableFailPoints()
	end()
	defer tr.r.stats.phase(PhaseExpectations)()
	for i := range tr.t.ExpectEvents {
		if v := tr.expectEvents(i, &tr.t.ExpectEvents[i]); v != nil {
			return v
		}
	}
	for i := range tr.t.ExpectLogMessages {
		if v := tr.expectLogMessages(i, &tr.t.ExpectLogMessages[i]); v != nil {
			return v
		}
	}
	if tr.t.ExpectTracingMessages != nil {
		return &result.Verdict{Status: result.Unsupported, Reason: "expectTracingMessages: the Go driver has no tracing spans"}
	}
	// A collection that cannot be judged does not stop the others from failing the test.
	var unjudged *result.Verdict
	for i := range tr.t.Outcome {
		if v := tr.outcome(ctx, i, &tr.t.Outcome[i]); v != nil {
			if v.Status != result.Unsupported {
				return v
			}
			unjudged = cmp.Or(unjudged, v)
		}
	}
	return unjudged
}

// setUpData drops what earlier files left and the databases the file drops, and
// seeds initialData.
func (tr *testRun) setUpData(ctx context.Context) *result.Verdict {
	defer tr.r.stats.phase(PhaseInitialData)()
	if err := tr.resetFile(ctx); err != nil {
		return judge("dropping what earlier files left", err)
	}
	for _, name := range tr.f.DropDatabases {
		db := tr.r.internal.Database(name, options.Database().SetWriteConcern(writeconcern.Majority()))
		if err := db.Drop(ctx); err != nil {
			return judge("dropping database "+name, err)
		}
	}
	if usesQueryableEncryption(tr.f) {
		tr.r.encrypted.Store(true)
	}
	encrypted := tr.r.encrypted.Load()
	for i := range tr.f.InitialData {
		if err := tr.seed(ctx, &tr.f.InitialData[i], encrypted); err != nil {
			return judge(fmt.Sprintf("initialData[%d]", i), err)
		}
	}
	if t := tr.r.probe.Topology; t == "sharded" || t == "load-balanced" {
		tr.clusterTime = tr.r.seededClusterTime(ctx)
	}
	return nil
}

// seed sets up one collection of initialData through the internal client with a
// majority write concern: drop (with the queryable-encryption state collections once a
// file that uses encryption has run, encrypted: usesQueryableEncryption), create with
// createOptions, insert.
func (tr *testRun) seed(ctx context.Context, cd *specifications.CollectionData, encrypted bool) error {
	db := tr.r.internal.Database(cd.DatabaseName, options.Database().SetWriteConcern(writeconcern.Majority()))
	drop := []string{cd.CollectionName}
	if encrypted {
		drop = append(drop, "enxcol_."+cd.CollectionName+".esc", "enxcol_."+cd.CollectionName+".ecoc")
	}
	for _, name := range drop {
		if err := db.Collection(name).Drop(ctx); err != nil {
			return fmt.Errorf("drop %s.%s: %w", cd.DatabaseName, name, err)
		}
	}
	if cd.CreateOptions != nil || len(cd.Documents) == 0 {
		cmd := bson.D{{Key: "create", Value: cd.CollectionName}}
		if elems, err := cd.CreateOptions.Elements(); err == nil {
			for _, el := range elems {
				cmd = append(cmd, bson.E{Key: el.Key(), Value: el.Value()})
			}
		}
		cmd = append(cmd, bson.E{Key: "writeConcern", Value: bson.D{{Key: "w", Value: "majority"}}})
		if err := db.RunCommand(ctx, cmd).Err(); err != nil {
			return fmt.Errorf("create %s.%s: %w", cd.DatabaseName, cd.CollectionName, err)
		}
	}
	if len(cd.Documents) > 0 {
		docs := make([]any, len(cd.Documents))
		for i, d := range cd.Documents {
			docs[i] = d
		}
		if _, err := db.Collection(cd.CollectionName).InsertMany(ctx, docs); err != nil {
			return fmt.Errorf("insert into %s.%s: %w", cd.DatabaseName, cd.CollectionName, err)
		}
	}
	return nil
}

// CreateEntities implements operations.Harness, and creates the file's entities.
func (tr *testRun) CreateEntities(ctx context.Context, list []specifications.Entity) error {
	for i := range list {
		cfg := entities.ClientConfig{URI: tr.r.cfg.URI, Deployment: tr.r.deployment(), CommandTime: &tr.r.stats.serverTime,
			Trouble: tr.r.noteTrouble, FastHeartbeat: tr.setsFailPoint}
		if err := tr.entities.Create(ctx, &list[i], cfg); err != nil {
			return fmt.Errorf("%s %s: %w", list[i].Kind(), list[i].ID(), err)
		}
		if s, err := entities.Lookup[*entities.Session](tr.entities, list[i].ID()); err == nil && tr.clusterTime != nil {
			if err := s.Session.AdvanceClusterTime(tr.clusterTime); err != nil {
				return fmt.Errorf("session %s: %w", list[i].ID(), err)
			}
		}
	}
	return nil
}

// seededClusterTime is the cluster time of the internal client after initialData,
// read from a ping in an explicit session (the mongos answers with a cluster time no
// older than the one the client gossips). Sessions advanced to it do not meet
// MigrationConflict errors in transactions ("MigrationConflict Errors on Sharded
// Clusters"). nil if the server gives none.
func (r *Runner) seededClusterTime(ctx context.Context) bson.Raw {
	sess, err := r.internal.StartSession()
	if err != nil {
		return nil
	}
	defer sess.EndSession(ctx)
	if err := r.internal.Database("admin").RunCommand(mongo.NewSessionContext(ctx, sess), bson.D{{Key: "ping", Value: 1}}).Err(); err != nil {
		return nil
	}
	return sess.ClusterTime()
}

// FailPoint implements operations.Harness: the fail point is set through a client
// entity of the test (so on the server that client uses), and remembered to be turned
// off through it.
func (tr *testRun) FailPoint(ctx context.Context, client *entities.Client, command bson.Raw) error {
	if !tr.r.probe.FailPoints {
		return result.Unsupportedf("the server has no configureFailPoint command")
	}
	name, ok := command.Lookup("configureFailPoint").StringValueOK()
	if !ok {
		return fmt.Errorf("failPoint: the command must start with configureFailPoint: <name>")
	}
	err := client.Unobserved(func() error {
		return client.Client.Database("admin").RunCommand(ctx, command).Err()
	})
	if err != nil {
		return err
	}
	tr.failPoints = append(tr.failPoints, failPoint{client: client, name: name, failCommands: failCommands(command),
		blockTime: blockTime(command), appName: appName(command)})
	return nil
}

// Blocked implements operations' blockReporter: the longest time a fail point of the
// test blocks the command name (one of its failCommands) of client.
func (tr *testRun) Blocked(client *entities.Client, name string) time.Duration {
	var d time.Duration
	for _, fp := range tr.failPoints {
		if fp.affects(client) && slices.Contains(fp.failCommands, name) {
			d = max(d, fp.blockTime)
		}
	}
	return d
}

// FailsCommand implements operations' failPointReporter: a fail point the test set
// (through a client or on a host), still on, may fail the command of client: a
// failCommand fail point whose failCommands name it, or one of another kind, whose
// effect specrun does not know; either unless its appName leaves the client out.
func (tr *testRun) FailsCommand(client *entities.Client, name string) bool {
	return slices.ContainsFunc(tr.failPoints, func(fp failPoint) bool {
		return fp.affects(client) && (fp.name != "failCommand" || slices.Contains(fp.failCommands, name))
	})
}

// appName is the appName of a fail point's data, "" if none.
func appName(command bson.Raw) string {
	name, _ := command.Lookup("data", "appName").StringValueOK()
	return name
}

// failCommands is the failCommands list of a fail point's data.
func failCommands(command bson.Raw) []string {
	list, _ := command.Lookup("data", "failCommands").ArrayOK()
	values, _ := list.Values()
	var names []string
	for _, v := range values {
		if name, ok := v.StringValueOK(); ok {
			names = append(names, name)
		}
	}
	return names
}

// blockTime is how long a fail point with blockConnection: true blocks a command (0
// for any other, and for one that blocks only the handshake's hello, which
// connectTimeoutMS bounds).
func blockTime(command bson.Raw) time.Duration {
	data, _ := command.Lookup("data").DocumentOK()
	if b, _ := data.Lookup("blockConnection").BooleanOK(); !b {
		return 0
	}
	names, _ := data.Lookup("failCommands").ArrayOK()
	values, _ := names.Values()
	if len(values) > 0 && !slices.ContainsFunc(values, func(v bson.RawValue) bool {
		name, _ := v.StringValueOK()
		return !strings.EqualFold(name, "hello") && !strings.EqualFold(name, "isMaster")
	}) {
		return 0
	}
	ms, _ := data.Lookup("blockTimeMS").AsInt64OK()
	return time.Duration(ms) * time.Millisecond
}

// TargetedFailPoint implements operations.Harness: the fail point is set through a
// client connected to host alone (the Go driver cannot send a command to a server of
// its choosing), which is closed afterwards; it is turned off on that host.
func (tr *testRun) TargetedFailPoint(ctx context.Context, host string, command bson.Raw) error {
	if !tr.r.probe.FailPoints {
		return result.Unsupportedf("the server has no configureFailPoint command")
	}
	name, ok := command.Lookup("configureFailPoint").StringValueOK()
	if !ok {
		return fmt.Errorf("targetedFailPoint: the command must start with configureFailPoint: <name>")
	}
	err := tr.r.onHost(ctx, host, func(admin *mongo.Database) error {
		return admin.RunCommand(ctx, command).Err()
	})
	if err != nil {
		return err
	}
	tr.failPoints = append(tr.failPoints, failPoint{host: host, name: name, failCommands: failCommands(command), appName: appName(command)})
	return nil
}

// Internal implements operations.Harness.
func (tr *testRun) Internal() *mongo.Client { return tr.r.internal }

// nestedIn is the harness of one operation, outer: the operations it carries (a
// withTransaction callback, runOnThread's operation) are written in its fixture's
// terms, and name their expected results as it does (a legacy fixture's "result").
type nestedIn struct {
	*testRun
	outer *specifications.Operation
}

// Nested implements operations.Harness: the operations run as the test's own, and the
// first verdict, as an error, ends them; judge passes it on with the outer operation
// named before it. With stopAtError (a withTransaction callback), the first error an
// operation raised ends them too: it propagates out of the callback.
func (h nestedIn) Nested(ctx context.Context, ops []specifications.Operation, stopAtError bool) (raised, verdict error) {
	for i := range ops {
		op := ops[i]
		op.ResultLabel = cmp.Or(op.ResultLabel, h.outer.ResultLabel)
		v, err := h.operation(ctx, &op)
		if v != nil {
			return raised, v
		}
		if raised == nil {
			raised = err
		}
		if stopAtError && raised != nil {
			break
		}
	}
	return raised, nil
}

func (tr *testRun) disableFailPoints() {
	ctx, cancel := tr.r.cleanupContext()
	defer cancel()
	for _, fp := range tr.failPoints {
		off := func(admin *mongo.Database) error {
			return admin.RunCommand(ctx, bson.D{{Key: "configureFailPoint", Value: fp.name}, {Key: "mode", Value: "off"}}).Err()
		}
		if fp.client == nil {
			_ = tr.r.onHost(ctx, fp.host, off)
			continue
		}
		_ = fp.client.Unobserved(func() error { return off(fp.client.Client.Database("admin")) })
	}
	tr.failPoints = nil
}

// cleanup runs whatever the test's outcome: fail points off, entities closed (cursors,
// sessions, clients), then open transactions terminated with killAllSessions, which
// the spec requires after a test that started a transaction and advises after a
// failed one. Only killAllSessions' failure is returned: the next tests could block.
func (tr *testRun) cleanup(failed bool) error {
	tr.disableFailPoints()
	ctx, cancel := tr.r.cleanupContext()
	defer cancel()
	tr.entities.Close(ctx)
	if tr.startedTransaction.Load() || failed {
		return tr.r.killAllSessions(ctx)
	}
	return nil
}

// outcome compares a collection's documents, read through the internal client in _id
// order with primary read preference and local read concern.
func (tr *testRun) outcome(ctx context.Context, i int, cd *specifications.CollectionData) *result.Verdict {
	label := cd.Label
	if label == "" {
		label = fmt.Sprintf("outcome[%d]", i)
	}
	where := fmt.Sprintf("%s %s.%s", label, cd.DatabaseName, cd.CollectionName)
	coll := tr.r.internal.Database(cd.DatabaseName).Collection(cd.CollectionName,
		options.Collection().SetReadPreference(readpref.Primary()).SetReadConcern(readconcern.Local()))
	cur, err := coll.Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return judge(where, err)
	}
	var actual bson.A
	for cur.Next(ctx) {
		actual = append(actual, bson.Raw(append([]byte(nil), cur.Current...)))
	}
	if err := cur.Err(); err != nil {
		return judge(where, err)
	}
	_ = cur.Close(ctx)
	expected := make(bson.A, len(cd.Documents))
	for j, d := range cd.Documents {
		expected[j] = d
	}
	m := matchers.Exact()
	if tr.legacy != nil {
		m = tr.legacy
	}
	if cd.Unordered {
		docs := make([]bson.Raw, len(actual))
		for j, d := range actual {
			docs[j] = d.(bson.Raw)
		}
		err = m.MatchUnordered(cd.Documents, docs)
		if err != nil && !isInvalid(err) {
			if reason := departureOf(m, documentsMismatch(cd.CollectionName, cd.Documents, docs)); reason != "" {
				return &result.Verdict{Status: result.Unsupported, Reason: where + ": " + reason}
			}
		}
	} else {
		err = m.Match(rawArray(expected), rawArray(actual), matchers.Nested)
	}
	if err != nil {
		v := judge(where, err)
		v.Detail = fmt.Sprintf("%s\nexpected documents: %s\nactual documents:   %s", where, relaxed(rawArray(expected)), relaxed(rawArray(actual)))
		return v
	}
	return nil
}

func rawArray(a bson.A) bson.RawValue {
	if a == nil {
		a = bson.A{}
	}
	t, data, err := bson.MarshalValue(a)
	if err != nil {
		panic(err)
	}
	return bson.RawValue{Type: t, Value: data}
}

// relaxed prints a value for reports, shortened: a document or an array as relaxed
// Extended JSON (bsontext, as the matchers' messages show it), another value as the
// driver's String gives it (a string JSON-quoted, the form that the failureIsRedacted
// reasons quote).
func relaxed(v bson.RawValue) string {
	if v.Type == 0 {
		return "(none)"
	}
	s := v.String()
	if v.Type == bson.TypeEmbeddedDocument || v.Type == bson.TypeArray {
		s = bsontext.JSON(v)
	}
	return bsontext.Cut(s, 2000)
}

var _ operations.Harness = nestedIn{}
