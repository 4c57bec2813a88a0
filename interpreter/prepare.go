package interpreter

import (
	"context"
	"fmt"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	"github.com/specrun/specrun/specifications"
)

// Every file starts from the same server state, whatever ran before it. A test starts
// from its file's initialData, which resets only the collections it names; a collection
// that the file's entities or outcomes name and initialData does not reset keeps what an
// earlier file left in it. (crud/unified's insertOne-rawdata and insertMany-rawdata have
// no initialData and insert _id 2 into the same collection: the second failed with a
// duplicate key unless a file run between them reset that collection, so the verdicts
// depended on --shard.) So before the first test of a file, those collections are
// dropped: the file finds them as on a fresh server.
//
// Where: package run knows where a file begins (--shard, --shuffle, go test -run decide
// which files run, and in which order) and says so with BeginFile; the interpreter knows
// what a file names and how its collections are reset, and resets them within the first
// test of the file that reaches the server, just before that test's initialData. A file
// whose tests are all skipped costs nothing, and a reset that fails is that test's
// verdict, as a failure of initialData is. The cost is one listCollections per database
// with such collections, and a drop per collection an earlier file left: the embedded
// server spends most of its time creating and dropping tables.
//
// What: the collections of the file's collection entities, the files and chunks
// collections of its bucket entities, and its tests' outcome collections, in the
// databases they name; not those of initialData (each test resets them), nor those in
// a database the file drops whole before each test (DropDatabases). Collections that
// only a test's own createEntities operation names are left alone: the legacy
// transactions-style files create every entity so, Atlas Data Lake's among them, whose
// README forbids dropping its collection (its data lives in the server's configuration).

// BeginFile tells the runner that the tests to come are those of one file, until the
// next BeginFile: the first of them that reaches the server first drops what earlier files
// left in the collections the file names (see above). Tests run without BeginFile (specrun's
// own tests of single fixtures) reset nothing beyond initialData.
func (r *Runner) BeginFile() { r.fileBegun.Store(true) }

// resetFile drops, if the file has just begun, the collections it names that
// initialData does not reset; once done, the file's later tests do not again.
func (tr *testRun) resetFile(ctx context.Context) error {
	if !tr.r.fileBegun.Load() {
		return nil
	}
	for _, ns := range leftovers(tr.f) {
		db := tr.r.internal.Database(ns.database, options.Database().SetWriteConcern(writeconcern.Majority()))
		existing, err := db.ListCollectionNames(ctx, bson.D{{Key: "name", Value: bson.D{{Key: "$in", Value: ns.collections}}}})
		if err != nil {
			return fmt.Errorf("listCollections %s: %w", ns.database, err)
		}
		for _, name := range ns.collections {
			if !slices.Contains(existing, name) {
				continue
			}
			if err := db.Collection(name).Drop(ctx); err != nil {
				return fmt.Errorf("drop %s.%s: %w", ns.database, name, err)
			}
		}
	}
	tr.r.fileBegun.Store(false)
	return nil
}

// namespaces are collections of one database.
type namespaces struct {
	database    string
	collections []string
}

// leftovers are the collections a file names that its initialData does not reset, by
// database, each once, in the order the file names them.
func leftovers(f *specifications.File) []namespaces {
	databases := map[string]string{} // database entity id → database name
	for _, e := range f.CreateEntities {
		if e.Database != nil {
			databases[e.Database.ID] = e.Database.DatabaseName
		}
	}
	var out []namespaces
	add := func(database, collection string) {
		if database == "" || slices.Contains(f.DropDatabases, database) || slices.ContainsFunc(f.InitialData, func(cd specifications.CollectionData) bool {
			return cd.DatabaseName == database && cd.CollectionName == collection
		}) {
			return
		}
		i := slices.IndexFunc(out, func(ns namespaces) bool { return ns.database == database })
		if i < 0 {
			out = append(out, namespaces{database: database})
			i = len(out) - 1
		}
		if !slices.Contains(out[i].collections, collection) {
			out[i].collections = append(out[i].collections, collection)
		}
	}
	for _, e := range f.CreateEntities {
		switch {
		case e.Collection != nil:
			add(databases[e.Collection.Database], e.Collection.CollectionName)
		case e.Bucket != nil:
			bucket := "fs"
			if name, ok := e.Bucket.BucketOptions.Lookup("bucketName").StringValueOK(); ok {
				bucket = name
			}
			add(databases[e.Bucket.Database], bucket+".files")
			add(databases[e.Bucket.Database], bucket+".chunks")
		}
	}
	for _, t := range f.Tests {
		for _, cd := range t.Outcome {
			add(cd.DatabaseName, cd.CollectionName)
		}
	}
	return out
}
