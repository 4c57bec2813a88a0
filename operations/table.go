package operations

import (
	"context"

	"github.com/specrun/specrun/entities"
)

// table is the one dispatch table: every operation specrun runs, by the kind of entity
// it runs on and its name in the test files.
var table = map[key]executor{
	// Collection: CRUD (collection.go, collection_read.go, collection_write.go,
	// collection_bulk.go), indexes and management (collection_index.go).
	{entities.KindCollection, "insertOne"}:              on(insertOne),
	{entities.KindCollection, "find"}:                   on(find),
	{entities.KindCollection, "createFindCursor"}:       on(createFindCursor),
	{entities.KindCollection, "findOne"}:                on(collFindOne),
	{entities.KindCollection, "aggregate"}:              on(collAggregate),
	{entities.KindCollection, "countDocuments"}:         on(collCountDocuments),
	{entities.KindCollection, "estimatedDocumentCount"}: on(collEstimatedDocumentCount),
	{entities.KindCollection, "count"}:                  on(collCount),
	{entities.KindCollection, "distinct"}:               on(collDistinct),
	{entities.KindCollection, "insertMany"}:             on(collInsertMany),
	{entities.KindCollection, "updateOne"}:              on(collUpdateOne),
	{entities.KindCollection, "updateMany"}:             on(collUpdateMany),
	{entities.KindCollection, "replaceOne"}:             on(collReplaceOne),
	{entities.KindCollection, "deleteOne"}:              on(collDeleteOne),
	{entities.KindCollection, "deleteMany"}:             on(collDeleteMany),
	{entities.KindCollection, "findOneAndUpdate"}:       on(collFindOneAndUpdate),
	{entities.KindCollection, "findOneAndReplace"}:      on(collFindOneAndReplace),
	{entities.KindCollection, "findOneAndDelete"}:       on(collFindOneAndDelete),
	{entities.KindCollection, "bulkWrite"}:              on(collBulkWrite),
	{entities.KindCollection, "createIndex"}:            on(collCreateIndex),
	{entities.KindCollection, "dropIndex"}:              on(collDropIndex),
	{entities.KindCollection, "dropIndexes"}:            on(collDropIndexes),
	{entities.KindCollection, "listIndexes"}:            on(collListIndexes),
	{entities.KindCollection, "listIndexNames"}:         on(collListIndexNames),
	{entities.KindCollection, "rename"}:                 on(collRename),
	{entities.KindCollection, "drop"}:                   on(collDrop),

	// Database (database.go).
	{entities.KindDatabase, "runCommand"}:            on(runCommand),
	{entities.KindDatabase, "runCursorCommand"}:      on(runCursorCommand),
	{entities.KindDatabase, "createCommandCursor"}:   on(createCommandCursor),
	{entities.KindDatabase, "createCollection"}:      on(createCollection),
	{entities.KindDatabase, "dropCollection"}:        on(dropCollection),
	{entities.KindDatabase, "modifyCollection"}:      on(modifyCollection),
	{entities.KindDatabase, "listCollections"}:       on(listCollections),
	{entities.KindDatabase, "listCollectionObjects"}: on(listCollections),
	{entities.KindDatabase, "listCollectionNames"}:   on(listCollectionNames),
	{entities.KindDatabase, "aggregate"}:             on(databaseAggregate),

	// Client (client.go).
	{entities.KindClient, "clientBulkWrite"}:     on(clientBulkWrite),
	{entities.KindClient, "listDatabases"}:       on(listDatabases),
	{entities.KindClient, "listDatabaseObjects"}: on(listDatabases),
	{entities.KindClient, "listDatabaseNames"}:   on(listDatabaseNames),
	{entities.KindClient, "dropDatabase"}:        on(dropDatabase),
	{entities.KindClient, "appendMetadata"}:      on(appendMetadata),
	{entities.KindClient, "close"}:               on(closeClient),

	// Cursor (cursor.go).
	{entities.KindCursor, "iterateUntilDocumentOrError"}: on(iterateUntilDocumentOrError),
	{entities.KindCursor, "iterateOnce"}:                 on(iterateOnce),
	{entities.KindCursor, "close"}:                       on(closeCursor),

	// testRunner (runner.go).
	{kindRunner, "failPoint"}:                 special(runnerFailPoint),
	{kindRunner, "createEntities"}:            special(runnerCreateEntities),
	{kindRunner, "assertCollectionExists"}:    special(func(ctx context.Context, c *Call) error { return assertCollection(ctx, c, true) }),
	{kindRunner, "assertCollectionNotExists"}: special(func(ctx context.Context, c *Call) error { return assertCollection(ctx, c, false) }),
	{kindRunner, "assertIndexExists"}:         special(func(ctx context.Context, c *Call) error { return assertIndex(ctx, c, true) }),
	{kindRunner, "assertIndexNotExists"}:      special(func(ctx context.Context, c *Call) error { return assertIndex(ctx, c, false) }),

	// testRunner: events, threads and topology (runner_events.go).
	{kindRunner, "waitForEvent"}:                      special(waitForEvent),
	{kindRunner, "assertEventCount"}:                  special(assertEventCount),
	{kindRunner, "assertNumberConnectionsCheckedOut"}: special(assertNumberConnectionsCheckedOut),
	{kindRunner, "recordTopologyDescription"}:         special(recordTopologyDescription),
	{kindRunner, "assertTopologyType"}:                special(assertTopologyType),
	{kindRunner, "waitForPrimaryChange"}:              special(waitForPrimaryChange),
	{kindRunner, "wait"}:                              special(wait),
	{kindRunner, "runOnThread"}:                       special(runOnThread),
	{kindRunner, "waitForThread"}:                     special(waitForThread),
}

// on adapts an operation on one kind of entity to the table's executor.
func on[T entities.Entity](fn func(context.Context, *Call, T) (Result, error)) executor {
	return func(ctx context.Context, c *Call, target entities.Entity) (Result, error) {
		return fn(ctx, c, target.(T))
	}
}

// special adapts a testRunner operation, which has no target and no result.
func special(fn func(context.Context, *Call) error) executor {
	return func(ctx context.Context, c *Call, _ entities.Entity) (Result, error) {
		return Result{}, fn(ctx, c)
	}
}
