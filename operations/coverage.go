package operations

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/specrun/specrun/entities"
	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/specifications"
)

// Coverage: what of a test file specrun cannot run, found without a server by a dry
// run of the real executors, so that the list cannot drift from what runs.

// Gap is one thing in a test file that a run would not judge.
type Gap struct {
	Path    string // where in the file, e.g. tests.3.operations.2.arguments.maxTimeMS
	Message string
	Kind    GapKind
}

// GapKind says whose limit a gap is, and so how its tests would end.
type GapKind int

const (
	// Missing: specrun lacks the operation, argument or entity kind; the test would be
	// an error.
	Missing GapKind = iota + 1
	// Inexpressible: the Go driver cannot express the argument (the executor refuses it
	// with unsupported(...)) or the entity's option (observeTracingMessages: Create
	// refuses the entity); the test would be unsupported.
	Inexpressible
	// UnsupportedEntity: an entity that this build cannot create (clientEncryption,
	// autoEncryptOpts: no cse build tag); the test would be unsupported.
	UnsupportedEntity
)

// Coverage lists what of f specrun cannot run: entities of kinds it cannot create,
// operations on entity kinds that have no executor, and arguments an executor does not
// take, including those of nested operations (withTransaction's callback, runOnThread's
// operation, createEntities' entities). The kind of the entity an operation names is
// known statically: from createEntities (the file's and the tests'), from
// saveResultAsEntity, or testRunner. Argument values are not checked.
func Coverage(f *specifications.File) []Gap {
	var cv coverage
	file := scope{kinds: map[string]entities.Kind{}}
	cv.entities("createEntities", f.CreateEntities, &file)
	for i := range f.Tests {
		t := &f.Tests[i]
		test := scope{kinds: maps.Clone(file.kinds), ended: file.ended}
		for j := range t.Operations {
			// where the loader placed it: tests.3.operations.2, or a legacy fixture's
			// own place, e.g. tests.3.operation
			cv.operation(t.Operations[j].Path, &t.Operations[j], &test)
		}
	}
	return cv.gaps
}

type coverage struct{ gaps []Gap }

// scope is what the walk knows of one test's run at the operation it has reached: the
// kind of each entity defined so far, and whether the run has ended before it, for a
// reason already reported that specrun cannot help (an entity this build or the driver
// cannot create: the test is unsupported; nested entities or operations it cannot decode: what they
// define is unknown), so that the operations after it are not reported.
type scope struct {
	kinds map[string]entities.Kind
	ended bool
}

func (cv *coverage) add(path string, kind GapKind, format string, args ...any) {
	cv.gaps = append(cv.gaps, Gap{Path: path, Message: fmt.Sprintf(format, args...), Kind: kind})
}

// entities notes the kind of each entity of a createEntities list and reports those
// specrun cannot create (entities.Uncreatable), at the field that asks for what is
// missing. One that this build or the driver cannot create ends the test's run.
func (cv *coverage) entities(path string, list []specifications.Entity, sc *scope) {
	for i := range list {
		e := &list[i]
		kind := entities.Kind(e.Kind())
		sc.kinds[e.ID()] = kind
		r := entities.Uncreatable(e)
		if r == nil {
			continue
		}
		at := fmt.Sprintf("%s.%d.%s", path, i, kind)
		if r.Field != "" {
			at += "." + r.Field
		}
		switch r.Whose {
		case entities.ThisBuild:
			cv.add(at, UnsupportedEntity, "%s", r.Reason)
			sc.ended = true
		case entities.DriverLimit:
			cv.add(at, Inexpressible, "%s", r.Reason)
			sc.ended = true
		default:
			cv.add(at, Missing, "%s", r.Reason)
		}
	}
}

// resultEntities are the operations whose result saveResultAsEntity stores as an entity
// of its own kind (the executor returns Result.Entity); every other result is a value.
var resultEntities = map[string]entities.Kind{
	"createFindCursor":    entities.KindCursor,
	"createCommandCursor": entities.KindCursor,
	"createCollection":    entities.KindCollection,
	"createChangeStream":  entities.KindChangeStream,
}

// nestedOperations are the operations that carry operations in an argument: the
// argument's name, and whether it holds one operation rather than a list.
var nestedOperations = map[key]struct {
	arg    string
	single bool
}{
	{entities.KindSession, "withTransaction"}: {"callback", false},
	{kindRunner, "runOnThread"}:               {"operation", true},
}

func (cv *coverage) operation(path string, op *specifications.Operation, sc *scope) {
	if sc.ended {
		return
	}
	kind := kindRunner
	if op.Object != RunnerObject {
		k, ok := sc.kinds[op.Object]
		if !ok {
			cv.add(path+".object", Missing, "entity %q is not defined (by createEntities or an earlier saveResultAsEntity)", op.Object)
			return
		}
		kind = k
	}
	if op.SaveResultAsEntity != nil {
		saved, ok := resultEntities[op.Name]
		if !ok {
			saved = entities.KindValue
		}
		defer func() { sc.kinds[*op.SaveResultAsEntity] = saved }()
	}
	fn, ok := table[key{kind, op.Name}]
	if !ok {
		cv.add(path+".name", Missing, "%s", result.CannotRun(op.Name, string(kind)).Reason)
	} else {
		// Execute applies timeoutMS itself (timeout.go), or refuses it as unsupported.
		dry := op
		stripped, _, err := operationTimeout(kind, op)
		var unsup *result.Verdict
		switch {
		case err == nil:
			dry = stripped
		case errors.As(err, &unsup) && unsup.Status == result.Unsupported:
			cv.add(path+".arguments.timeoutMS", Inexpressible, "%s", unsup.Reason)
			if d, err := withoutArgument(op, "timeoutMS"); err == nil {
				dry = d
			}
		}
		cv.dryRun(path, kind, dry, fn)
	}

	switch nested, ok := nestedOperations[key{kind, op.Name}]; {
	case ok:
		cv.nested(path+".arguments."+nested.arg, op.Arguments.Lookup(nested.arg), nested.single, sc)
	case kind == kindRunner && op.Name == "createEntities":
		at := path + ".arguments.entities"
		if v := op.Arguments.Lookup("entities"); v.Type != 0 {
			list, err := specifications.DecodeEntities(at, v)
			if err != nil {
				cv.undecodable(at, err, sc)
				return
			}
			cv.entities(at, list, sc)
		}
	}
}

// undecodable reports nested entities or operations that the run refuses as it decodes
// them (the test is then an error); the run never gets further.
func (cv *coverage) undecodable(path string, err error, sc *scope) {
	var fe *specifications.FieldError
	if errors.As(err, &fe) && fe.Path != "" {
		cv.add(fe.Path, Missing, "%s", strings.TrimPrefix(err.Error(), fe.Path+": "))
	} else {
		cv.add(path, Missing, "%v", err)
	}
	sc.ended = true
}

// nested walks the operations of an argument (a list, or one operation when single).
func (cv *coverage) nested(path string, v bson.RawValue, single bool, sc *scope) {
	if v.Type == 0 {
		return // a missing argument is the dry run's to report
	}
	if single {
		doc, ok := v.DocumentOK()
		if !ok {
			return
		}
		list, err := bson.Marshal(bson.D{{Key: "0", Value: doc}}) // the same bytes as a one-element array
		if err != nil {
			return
		}
		v = bson.RawValue{Type: bson.TypeArray, Value: list}
	}
	ops, err := specifications.DecodeOperations(path, v)
	if err != nil {
		cv.undecodable(path, err, sc)
		return
	}
	for i := range ops {
		at := fmt.Sprintf("%s.%d", path, i)
		if single {
			at = path
		}
		cv.operation(at, &ops[i], sc)
	}
}

// errDryRun is what parse returns under a dry run, once it has checked the names of the
// arguments; executors return it as any argument error.
var errDryRun = errors.New("dry run: arguments checked, nothing run")

// dryRun collects what parse finds in one executor's arguments.
type dryRun struct {
	parsed   bool
	unknown  []string
	missing  []string
	refusals []refused
}

// refused is an argument the Go driver cannot express, and why.
type refused struct{ name, reason string }

// parse checks names only: no handler runs (handlers may need the entity map and the
// target, which a dry run has not); a refusal is reported with its reason.
func (d *dryRun) parse(raw bson.Raw, fs fields, required []string) error {
	d.parsed = true
	elems, err := raw.Elements()
	if err != nil {
		return &InvalidArgument{"arguments", err}
	}
	seen := map[string]bool{}
	for _, el := range elems {
		key := el.Key()
		seen[key] = true
		h, ok := fs[key]
		switch {
		case !ok:
			d.unknown = append(d.unknown, key)
		default:
			if why, ok := h.(refusal); ok {
				d.refusals = append(d.refusals, refused{key, string(why)})
			}
		}
	}
	for _, key := range required {
		if !seen[key] {
			d.missing = append(d.missing, key)
		}
	}
	return errDryRun
}

// dryRun calls the executor of op as a dry run (runDry): parse, which every executor
// must call before anything else, reports what it would refuse and stops the executor.
func (cv *coverage) dryRun(path string, kind entities.Kind, op *specifications.Operation, fn executor) {
	d, err := runDry(fn, op)
	if !d.parsed || !errors.Is(err, errDryRun) {
		cv.add(path, Missing, "specrun internal error: the executor of %s on a %s does not parse its arguments first (it returned %v)", op.Name, kind, err)
		return
	}
	for _, name := range d.unknown {
		cv.add(path+".arguments."+name, Missing, "specrun cannot run argument %s of %s on a %s", name, op.Name, kind)
	}
	for _, name := range d.missing {
		cv.add(path+".arguments", Missing, "specrun requires argument %s of %s on a %s", name, op.Name, kind)
	}
	for _, r := range d.refusals {
		cv.add(path+".arguments."+r.name, Inexpressible, "%s", r.reason)
	}
}

// runDry calls fn as a dry run of op, with no target, an empty entity map, no runner
// and a cancelled context, and returns what its parse noted. An executor that touched
// its target or runner before parse would panic: TestEveryExecutorStopsAtParse runs
// every executor of the table this way.
func runDry(fn executor, op *specifications.Operation) (*dryRun, error) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	d := &dryRun{}
	_, err := fn(ctx, &Call{Entities: entities.NewMap(), Op: op, dry: d}, nil)
	return d, err
}
