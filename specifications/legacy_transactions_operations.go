package specifications

import (
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// The entity operations of the legacy transactions-style format: the entity each runs on
// and its arguments in the unified shape, the nested operations of withTransaction.

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
