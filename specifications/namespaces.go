package specifications

import (
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Namespace is a collection on the server: database and collection name.
type Namespace struct{ Database, Collection string }

func (n Namespace) String() string { return n.Database + "." + n.Collection }

// Namespaces are what a file names on the server, as far as it can be known without
// running it: the collections its tests may create, fill, change or drop, and the
// databases they may drop whole. A run of the file touches nothing else (but for the
// server's own collections, such as system.views).
//
// A collection is named by
//   - initialData (it is dropped and created before each test, with the collections
//     of queryable encryption's state, enxcol_.<name>.esc and .ecoc) and outcome;
//   - a collection entity (its collectionName in its database entity's database) and
//     a bucket entity (<bucketName, default fs>.files and .chunks), in createEntities
//     or a createEntities operation;
//   - the arguments of an operation, where they say it: createCollection,
//     dropCollection and modifyCollection's collection, rename's to,
//     assertCollection(Not)Exists' databaseName and collectionName, clientBulkWrite's
//     namespaces, the $out and $merge stages of an aggregate pipeline, mapReduce's
//     out, and the string value of a command's first key (runCommand,
//     runCursorCommand, createCommandCursor: {insert: "coll"}, {create: "coll"});
//     nested operations (withTransaction's callback, runOnThread's operation) too.
//
// A database is named by a database entity and by each collection named in it; it is
// dropped whole by DropDatabases (the legacy change-streams runner) and by a
// dropDatabase operation. The values an operation takes from a run (a saved entity, a
// placeholder) are not known here; nor are the namespaces of a file that would be
// refused (its nested operations or entities do not decode).
type Namespaces struct {
	Collections []Namespace // each once, in the order met
	// Dropped are the collections that a test drops (or replaces) when it runs:
	// initialData's, and those of dropCollection, drop, rename's dropTarget.
	Dropped []Namespace
	// Databases are every database named, each once; DroppedDatabases those dropped
	// whole.
	Databases, DroppedDatabases []string
}

func (n *Namespaces) collection(db, coll string, dropped bool) {
	if db == "" || coll == "" {
		return
	}
	ns := Namespace{db, coll}
	n.database(db)
	if !slices.Contains(n.Collections, ns) {
		n.Collections = append(n.Collections, ns)
	}
	if dropped && !slices.Contains(n.Dropped, ns) {
		n.Dropped = append(n.Dropped, ns)
	}
}

func (n *Namespaces) database(db string) {
	if db != "" && !slices.Contains(n.Databases, db) {
		n.Databases = append(n.Databases, db)
	}
}

func (n *Namespaces) dropDatabase(db string) {
	n.database(db)
	if db != "" && !slices.Contains(n.DroppedDatabases, db) {
		n.DroppedDatabases = append(n.DroppedDatabases, db)
	}
}

// Namespaces lists what the file names on the server (see Namespaces).
func (f *File) Namespaces() Namespaces {
	var n Namespaces
	for _, db := range f.DropDatabases {
		n.dropDatabase(db)
	}
	for _, d := range f.InitialData {
		n.collection(d.DatabaseName, d.CollectionName, true)
		n.collection(d.DatabaseName, "enxcol_."+d.CollectionName+".esc", true)
		n.collection(d.DatabaseName, "enxcol_."+d.CollectionName+".ecoc", true)
	}
	for _, t := range f.Tests {
		for _, d := range t.Outcome {
			n.collection(d.DatabaseName, d.CollectionName, false)
		}
	}
	objects := entityNames{}
	objects.add(&n, f.CreateEntities)
	for _, t := range f.Tests {
		objects.operations(&n, t.Operations)
	}
	return n
}

// entityNames maps the ids of database, collection and bucket entities to what they
// name: a database, a collection (or a bucket's prefix) in it.
type entityNames map[string]entityName

type entityName struct {
	Namespace
	bucket bool
}

func (e entityNames) add(n *Namespaces, list []Entity) {
	for _, en := range list {
		switch {
		case en.Database != nil:
			e[en.Database.ID] = entityName{Namespace: Namespace{Database: en.Database.DatabaseName}}
			n.database(en.Database.DatabaseName)
		case en.Collection != nil:
			db := e[en.Collection.Database].Database
			e[en.Collection.ID] = entityName{Namespace: Namespace{db, en.Collection.CollectionName}}
			n.collection(db, en.Collection.CollectionName, false)
		case en.Bucket != nil:
			bucket := "fs"
			if name, ok := en.Bucket.BucketOptions.Lookup("bucketName").StringValueOK(); ok {
				bucket = name
			}
			db := e[en.Bucket.Database].Database
			e[en.Bucket.ID] = entityName{Namespace{db, bucket}, true}
			n.collection(db, bucket+".files", false)
			n.collection(db, bucket+".chunks", false)
		}
	}
}

func (e entityNames) operations(n *Namespaces, ops []Operation) {
	for i := range ops {
		e.operation(n, &ops[i])
	}
}

// operation adds what one operation names, and what its nested operations name.
func (e entityNames) operation(n *Namespaces, op *Operation) {
	args := op.Arguments
	str := func(key string) string { s, _ := args.Lookup(key).StringValueOK(); return s }
	on := e[op.Object] // zero for a client, the test runner, a session
	switch op.Name {
	case "createEntities":
		if list, err := DecodeEntities("entities", args.Lookup("entities")); err == nil {
			e.add(n, list)
		}
	case "createCollection", "modifyCollection":
		n.collection(on.Database, str("collection"), false)
	case "dropCollection":
		n.collection(on.Database, str("collection"), true)
	case "drop": // a collection's, or a bucket's two
		if on.bucket {
			n.collection(on.Database, on.Collection+".files", true)
			n.collection(on.Database, on.Collection+".chunks", true)
		} else {
			n.collection(on.Database, on.Collection, true)
		}
	case "rename":
		dropTarget, _ := args.Lookup("dropTarget").BooleanOK()
		n.collection(on.Database, str("to"), dropTarget)
	case "dropDatabase":
		n.dropDatabase(str("databaseName"))
	case "assertCollectionExists", "assertCollectionNotExists":
		n.collection(str("databaseName"), str("collectionName"), false)
	case "clientBulkWrite":
		models, _ := args.Lookup("models").ArrayOK()
		values, _ := models.Values()
		for _, m := range values {
			doc, _ := m.DocumentOK()
			elems, _ := doc.Elements()
			for _, el := range elems {
				model, _ := el.Value().DocumentOK()
				ns, _ := model.Lookup("namespace").StringValueOK()
				if db, coll, ok := strings.Cut(ns, "."); ok {
					n.collection(db, coll, false)
				}
			}
		}
	case "aggregate":
		pipelineTargets(n, on.Database, args.Lookup("pipeline"))
	case "mapReduce":
		outTarget(n, on.Database, args.Lookup("out"))
	case "runCommand", "runCursorCommand", "createCommandCursor":
		if cmd, ok := args.Lookup("command").DocumentOK(); ok {
			if first, err := cmd.IndexErr(0); err == nil {
				coll, _ := first.Value().StringValueOK()
				n.collection(on.Database, coll, first.Key() == "drop")
			}
		}
	case "withTransaction":
		if ops, err := DecodeOperations("callback", args.Lookup("callback")); err == nil {
			e.operations(n, ops)
		}
	case "runOnThread":
		if nested, err := DecodeOperation("operation", args.Lookup("operation")); err == nil {
			e.operation(n, nested)
		}
	}
}

// pipelineTargets adds the collections that the $out and $merge stages of a pipeline
// write: {$out: "c"}, {$out: {db, coll}}, {$merge: "c"}, {$merge: {into: "c" or {db,
// coll}}}.
func pipelineTargets(n *Namespaces, db string, pipeline bson.RawValue) {
	list, _ := pipeline.ArrayOK()
	stages, _ := list.Values()
	for _, st := range stages {
		doc, _ := st.DocumentOK()
		if out := doc.Lookup("$out"); out.Type != 0 {
			outTarget(n, db, out)
		}
		if merge := doc.Lookup("$merge"); merge.Type != 0 {
			if m, ok := merge.DocumentOK(); ok {
				merge = m.Lookup("into")
			}
			outTarget(n, db, merge)
		}
	}
}

// outTarget adds the collection an output names: "c" in db, or {db, coll}.
func outTarget(n *Namespaces, db string, out bson.RawValue) {
	if coll, ok := out.StringValueOK(); ok {
		n.collection(db, coll, false)
		return
	}
	doc, _ := out.DocumentOK()
	coll, _ := doc.Lookup("coll").StringValueOK()
	if other, ok := doc.Lookup("db").StringValueOK(); ok {
		db = other
	}
	n.collection(db, coll, false)
}
