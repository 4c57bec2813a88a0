package entities

import (
	"context"
	"fmt"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readconcern"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/specifications"
)

// NoClientSideEncryption is why clientEncryption entities and autoEncryptOpts cannot be
// created: the Go driver encrypts only when built with cgo, libmongocrypt and the cse
// build tag, and specrun is not.
const NoClientSideEncryption = "client-side encryption: this build of specrun has none (the Go driver needs cgo, libmongocrypt and the cse build tag)"

// Whose says whose gap an entity that cannot be created is, and so how its tests end.
type Whose int

const (
	// ThisBuild: this build of specrun lacks what the entity needs (client-side
	// encryption); its tests are unsupported, whatever the server.
	ThisBuild Whose = iota + 1
	// DriverLimit: the Go driver cannot do what the entity asks (tracing spans); its
	// tests are unsupported, whatever the server.
	DriverLimit
	// SpecrunGap: specrun does not implement the entity's kind yet; its tests are
	// errors.
	SpecrunGap
)

// Refusal is why an entity of createEntities cannot be created here.
type Refusal struct {
	// Field is what asks for what is missing, under the entity's kind as the spec
	// spells it: "" for the kind itself (clientEncryption), else e.g. "autoEncryptOpts"
	// (of a client).
	Field  string
	Reason string
	Whose  Whose
}

// Err is the verdict Create returns for the refusal: unsupported for a gap of this build
// or a limit of the driver, an error for specrun's own gap.
func (r *Refusal) Err() error {
	if r.Whose == SpecrunGap {
		return &result.Verdict{Status: result.Error, Reason: r.Reason}
	}
	return result.Unsupportedf("%s", r.Reason)
}

// Uncreatable is the one place for the rule that an entity cannot be created here,
// whatever the server: nil when Create builds entities such as spec (its parents and
// options permitting), else why not. Create and NewClient refuse what it refuses, the
// coverage walk of specrun check reports it, and the interpreter asks it, before it
// touches the server, which tests this build cannot judge. TestUncreatableAgreesWithCreate keeps
// it in step with Create.
func Uncreatable(spec *specifications.Entity) *Refusal {
	switch {
	case spec.ClientEncryption != nil:
		return &Refusal{Reason: NoClientSideEncryption, Whose: ThisBuild}
	case spec.Client != nil:
		switch c := spec.Client; {
		case c.AutoEncryptOpts != nil:
			return &Refusal{Field: "autoEncryptOpts", Reason: NoClientSideEncryption, Whose: ThisBuild}
		case c.ObserveTracingMessages != nil:
			return &Refusal{Field: "observeTracingMessages", Reason: "observeTracingMessages: the Go driver has no tracing spans", Whose: DriverLimit}
		}
		return nil
	case spec.Database != nil, spec.Collection != nil, spec.Session != nil, spec.Bucket != nil, spec.Thread != nil:
		return nil
	}
	return &Refusal{Reason: result.NotImplemented(spec.Kind() + " entities").Reason, Whose: SpecrunGap}
}

// Create builds one entity of createEntities and adds it to the map.
func (m *Map) Create(ctx context.Context, spec *specifications.Entity, cfg ClientConfig) error {
	if r := Uncreatable(spec); r != nil {
		return r.Err()
	}
	var (
		e   Entity
		err error
	)
	switch {
	case spec.Client != nil:
		e, err = NewClient(ctx, spec.Client, cfg)
	case spec.Database != nil:
		e, err = m.newDatabase(spec.Database)
	case spec.Collection != nil:
		e, err = m.newCollection(spec.Collection)
	case spec.Session != nil:
		e, err = m.newSession(spec.Session)
	case spec.Bucket != nil:
		e, err = m.newBucket(spec.Bucket)
	case spec.Thread != nil:
		e = NewThread(spec.Thread.ID)
	default:
		return fmt.Errorf("specrun internal error: Uncreatable accepts %s entities, which Create does not build", spec.Kind())
	}
	if err != nil {
		return err
	}
	if err := m.addAll(spec.ID(), e); err != nil {
		if c, ok := e.(closer); ok {
			c.close(ctx)
		}
		return err
	}
	return nil
}

// addAll adds an entity and, for a client, the event lists of its
// storeEventsAsEntities; all names must be new (none is added otherwise).
func (m *Map) addAll(id string, e Entity) error {
	names := []namedList{{id: id}}
	if c, ok := e.(*Client); ok && c.store != nil {
		names = append(names, c.store.lists...)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	seen := map[string]bool{}
	for _, n := range names {
		if _, dup := m.byID[n.id]; dup || seen[n.id] {
			return fmt.Errorf("entity %q is already defined", n.id)
		}
		seen[n.id] = true
	}
	for _, n := range names {
		var entity Entity = e
		if n.list != nil {
			entity = n.list
		}
		m.byID[n.id] = entity
		m.order = append(m.order, n.id)
	}
	return nil
}

func (m *Map) newDatabase(spec *specifications.DatabaseEntity) (*Database, error) {
	client, err := Lookup[*Client](m, spec.Client)
	if err != nil {
		return nil, err
	}
	opts := options.Database()
	var reads Reads
	if o := spec.DatabaseOptions; o != nil {
		if reads, err = applyCommonOptions(o, opts.SetReadConcern, opts.SetWriteConcern, opts.SetReadPreference); err != nil {
			return nil, fmt.Errorf("database %s: %w", spec.ID, err)
		}
	}
	return &Database{Client: client, Database: client.Client.Database(spec.DatabaseName, opts), Reads: reads.under(client.Reads)}, nil
}

func (m *Map) newCollection(spec *specifications.CollectionEntity) (*Collection, error) {
	db, err := Lookup[*Database](m, spec.Database)
	if err != nil {
		return nil, err
	}
	opts := options.Collection()
	var reads Reads
	if o := spec.CollectionOptions; o != nil {
		if reads, err = applyCommonOptions(o, opts.SetReadConcern, opts.SetWriteConcern, opts.SetReadPreference); err != nil {
			return nil, fmt.Errorf("collection %s: %w", spec.ID, err)
		}
	}
	return &Collection{Client: db.Client, Collection: db.Database.Collection(spec.CollectionName, opts), Reads: reads.under(db.Reads)}, nil
}

// applyCommonOptions applies database or collection options through the builder's
// setters (both builders have the same three), and returns the read settings it set.
func applyCommonOptions[B any](o *specifications.CollectionOrDatabaseOptions,
	setRC func(*readconcern.ReadConcern) B, setWC func(*writeconcern.WriteConcern) B, setRP func(*readpref.ReadPref) B) (Reads, error) {
	var reads Reads
	if o.TimeoutMS != nil {
		return reads, result.Unsupportedf("timeoutMS on a database or collection: the Go driver v2 sets timeouts per client only")
	}
	if o.ReadConcern != nil {
		rc, err := ReadConcern(o.ReadConcern)
		if err != nil {
			return reads, err
		}
		setRC(rc)
		reads.Concern = rc
	}
	if o.WriteConcern != nil {
		wc, err := WriteConcern(o.WriteConcern)
		if err != nil {
			return reads, err
		}
		setWC(wc)
	}
	if o.ReadPreference != nil {
		rp, err := ReadPreference(o.ReadPreference)
		if err != nil {
			return reads, err
		}
		setRP(rp)
		reads.Preference = rp
	}
	return reads, nil
}

func (m *Map) newSession(spec *specifications.SessionEntity) (*Session, error) {
	client, err := Lookup[*Client](m, spec.Client)
	if err != nil {
		return nil, err
	}
	opts, err := m.SessionOptions(spec.SessionOptions)
	if err != nil {
		return nil, fmt.Errorf("session %s: %w", spec.ID, err)
	}
	s, err := client.Client.StartSession(opts)
	if err != nil {
		return nil, fmt.Errorf("session %s: %w", spec.ID, err)
	}
	return &Session{Client: client, Session: s, Lsid: clone(s.ID())}, nil
}

// SessionOptions reads a session entity's sessionOptions. snapshotTime names the saved
// value (of getSnapshotTime) that holds the timestamp, as the Unified Test Format says.
func (m *Map) SessionOptions(doc bson.Raw) (*options.SessionOptionsBuilder, error) {
	opts := options.Session()
	err := eachField(doc, "sessionOptions", func(key string, v bson.RawValue) error {
		switch key {
		case "causalConsistency", "snapshot":
			b, ok := v.BooleanOK()
			if !ok {
				return errType("a boolean")
			}
			if key == "snapshot" {
				opts.SetSnapshot(b)
			} else {
				opts.SetCausalConsistency(b)
			}
		case "defaultTransactionOptions":
			d, ok := v.DocumentOK()
			if !ok {
				return errType("a document")
			}
			txn, err := TransactionOptions(d)
			if err != nil {
				return err
			}
			opts.SetDefaultTransactionOptions(txn)
		case "snapshotTime":
			name, ok := v.StringValueOK()
			if !ok {
				return errType("the name of a saved timestamp")
			}
			saved, err := Lookup[*Value](m, name)
			if err != nil {
				return err
			}
			t, i, ok := saved.Value.TimestampOK()
			if !ok {
				return fmt.Errorf("entity %q is a %s, not a timestamp", name, strings.ToLower(saved.Value.Type.String()))
			}
			opts.SetSnapshotTime(bson.Timestamp{T: t, I: i})
		case "defaultTimeoutMS":
			return result.Unsupportedf("sessionOptions.defaultTimeoutMS: the Go driver v2 sets timeouts per client only")
		default:
			return errUnknown
		}
		return nil
	})
	return opts, err
}

// TransactionOptions reads {readConcern, writeConcern, readPreference, maxCommitTimeMS}.
func TransactionOptions(doc bson.Raw) (*options.TransactionOptionsBuilder, error) {
	opts := options.Transaction()
	err := eachField(doc, "transactionOptions", func(key string, v bson.RawValue) error {
		var d bson.Raw
		if key != "maxCommitTimeMS" {
			var ok bool
			if d, ok = v.DocumentOK(); !ok {
				return errType("a document")
			}
		}
		switch key {
		case "readConcern":
			rc, err := ReadConcern(d)
			if err != nil {
				return err
			}
			opts.SetReadConcern(rc)
		case "writeConcern":
			wc, err := WriteConcern(d)
			if err != nil {
				return err
			}
			opts.SetWriteConcern(wc)
		case "readPreference":
			rp, err := ReadPreference(d)
			if err != nil {
				return err
			}
			opts.SetReadPreference(rp)
		case "maxCommitTimeMS":
			return result.Unsupportedf("maxCommitTimeMS: the Go driver v2 has no per-transaction commit time limit")
		default:
			return errUnknown
		}
		return nil
	})
	return opts, err
}
