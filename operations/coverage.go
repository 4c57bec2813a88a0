package operations

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"strings"
	"sync"

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
	// with unsupported(...)); the test would be unsupported.
	Inexpressible
	// UnsupportedEntity: an entity that the driver or this build cannot create (e.g.
	// clientEncryption without the cse build tag); the test would be unsupported.
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
	fileKinds := map[string]entities.Kind{}
	cv.entities("createEntities", f.CreateEntities, fileKinds)
	for i := range f.Tests {
		t := &f.Tests[i]
		kinds := maps.Clone(fileKinds)
		for j := range t.Operations {
			// where the loader placed it: tests.3.operations.2, or a legacy fixture's
			// own place, e.g. tests.3.operation
			cv.operation(t.Operations[j].Path, &t.Operations[j], kinds)
		}
	}
	return cv.gaps
}

type coverage struct{ gaps []Gap }

func (cv *coverage) add(path string, kind GapKind, format string, args ...any) {
	cv.gaps = append(cv.gaps, Gap{Path: path, Message: fmt.Sprintf(format, args...), Kind: kind})
}

// entities notes the kind of each entity of a createEntities list and reports those
// specrun cannot create.
func (cv *coverage) entities(path string, list []specifications.Entity, kinds map[string]entities.Kind) {
	for i := range list {
		e := &list[i]
		kind := entities.Kind(e.Kind())
		kinds[e.ID()] = kind
		at := fmt.Sprintf("%s.%d.%s", path, i, kind)
		switch ok, reason := entities.CanCreate(kind); {
		case reason != "":
			cv.add(at, UnsupportedEntity, "%s", reason)
			kinds[unreachable] = ""
		case !ok:
			cv.add(at, Missing, "%s", result.NotImplemented(string(kind)+" entities").Reason)
		}
		if e.Client != nil && e.Client.AutoEncryptOpts != nil {
			cv.add(at+".autoEncryptOpts", UnsupportedEntity, "%s", entities.NoClientSideEncryption)
			kinds[unreachable] = ""
		}
	}
}

// unreachable, in a test's kinds, says that the test's run ends before its next
// operations, for a reason already reported that specrun cannot help (an entity this
// build cannot create: the test is unsupported; nested entities or operations it cannot
// decode: what they define is unknown), so these are not reported.
const unreachable = "\x00unreachable"

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

func (cv *coverage) operation(path string, op *specifications.Operation, kinds map[string]entities.Kind) {
	if _, ok := kinds[unreachable]; ok {
		return
	}
	kind := kindRunner
	if op.Object != RunnerObject {
		k, ok := kinds[op.Object]
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
		defer func() { kinds[*op.SaveResultAsEntity] = saved }()
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
		cv.nested(path+".arguments."+nested.arg, op.Arguments.Lookup(nested.arg), nested.single, kinds)
	case kind == kindRunner && op.Name == "createEntities":
		at := path + ".arguments.entities"
		if v := op.Arguments.Lookup("entities"); v.Type != 0 {
			list, err := specifications.DecodeEntities(at, v)
			if err != nil {
				cv.undecodable(at, err, kinds)
				return
			}
			cv.entities(at, list, kinds)
		}
	}
}

// undecodable reports nested entities or operations that the run refuses as it decodes
// them (the test is then an error); the run never gets further.
func (cv *coverage) undecodable(path string, err error, kinds map[string]entities.Kind) {
	var fe *specifications.FieldError
	if errors.As(err, &fe) && fe.Path != "" {
		cv.add(fe.Path, Missing, "%s", strings.TrimPrefix(err.Error(), fe.Path+": "))
	} else {
		cv.add(path, Missing, "%v", err)
	}
	kinds[unreachable] = ""
}

// nested walks the operations of an argument (a list, or one operation when single).
func (cv *coverage) nested(path string, v bson.RawValue, single bool, kinds map[string]entities.Kind) {
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
		cv.undecodable(path, err, kinds)
		return
	}
	for i := range ops {
		at := fmt.Sprintf("%s.%d", path, i)
		if single {
			at = path
		}
		cv.operation(at, &ops[i], kinds)
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

// dryRuns maps the first byte of the arguments under a dry run to its dryRun. parse
// knows a dry run by its arguments (it is given nothing else): Coverage passes each
// executor a copy of its own, so a real run, which has other bytes, never matches.
var dryRuns sync.Map

func dryRunOf(raw bson.Raw) *dryRun {
	if len(raw) == 0 {
		return nil
	}
	if d, ok := dryRuns.Load(&raw[0]); ok {
		return d.(*dryRun)
	}
	return nil
}

// parse checks names only: no handler runs (handlers may need the entity map and the
// target, which a dry run has not), except unsupported's, whose reason is wanted.
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
		case refuses(h):
			var unsup *result.Verdict
			if errors.As(h(el.Value()), &unsup) {
				d.refusals = append(d.refusals, refused{key, unsup.Reason})
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

// refusalCode is the code of the handlers unsupported returns: method values of
// refusal.refuse share it, whatever their reason. (Closures would not do: a closure
// inlined at each call site gets code of its own.)
var refusalCode = reflect.ValueOf(refusal("").refuse).Pointer()

// refuses says whether h is one of unsupported's handlers, which refuse every value.
func refuses(h arg) bool { return reflect.ValueOf(h).Pointer() == refusalCode }

// dryRun calls the executor of op with a dry-run copy of its arguments, no target, an
// empty entity map, no runner and a cancelled context: parse, which every executor must
// call before anything else, reports what it would refuse and stops the executor.
func (cv *coverage) dryRun(path string, kind entities.Kind, op *specifications.Operation, fn executor) {
	args := bson.Raw{5, 0, 0, 0, 0}
	if len(op.Arguments) > 0 {
		args = append(bson.Raw(nil), op.Arguments...)
	}
	d := &dryRun{}
	dryRuns.Store(&args[0], d)
	defer dryRuns.Delete(&args[0])

	dry := *op
	dry.Arguments = args
	panicked, err := runDry(fn, &Call{Entities: entities.NewMap(), Op: &dry})
	switch {
	case panicked != nil:
		cv.add(path, Missing, "specrun internal error: the executor of %s on a %s touched its entity or runner before parsing its arguments (%v)", op.Name, kind, panicked)
		return
	case !d.parsed || !errors.Is(err, errDryRun):
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

func runDry(fn executor, c *Call) (panicked any, err error) {
	defer func() { panicked = recover() }()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = fn(ctx, c, nil)
	return panicked, err
}
