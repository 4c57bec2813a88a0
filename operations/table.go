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

	// Change streams (changestream.go); iterated and closed by the cursors' executors.
	{entities.KindChangeStream, "iterateUntilDocumentOrError"}: on(iterateUntilDocumentOrError),
	{entities.KindChangeStream, "iterateOnce"}:                 on(iterateOnce),
	{entities.KindChangeStream, "close"}:                       on(closeCursor),
	{entities.KindClient, "createChangeStream"}:                on(clientCreateChangeStream),
	{entities.KindDatabase, "createChangeStream"}:              on(databaseCreateChangeStream),
	{entities.KindCollection, "createChangeStream"}:            on(collCreateChangeStream),

	// Collection: search indexes (collection_search.go) and mapReduce, which the Go
	// driver lacks and specrun sends as a command (collection_mapreduce.go).
	{entities.KindCollection, "createSearchIndex"}:   on(collCreateSearchIndex),
	{entities.KindCollection, "createSearchIndexes"}: on(collCreateSearchIndexes),
	{entities.KindCollection, "dropSearchIndex"}:     on(collDropSearchIndex),
	{entities.KindCollection, "listSearchIndexes"}:   on(collListSearchIndexes),
	{entities.KindCollection, "updateSearchIndex"}:   on(collUpdateSearchIndex),
	{entities.KindCollection, "mapReduce"}:           on(collMapReduce),

	// GridFS bucket (bucket.go).
	{entities.KindBucket, "upload"}:         on(bucketUpload),
	{entities.KindBucket, "uploadWithId"}:   on(bucketUploadWithID),
	{entities.KindBucket, "download"}:       on(bucketDownload),
	{entities.KindBucket, "downloadByName"}: on(bucketDownloadByName),
	{entities.KindBucket, "delete"}:         on(bucketDelete),
	{entities.KindBucket, "deleteByName"}:   on(bucketDeleteByName),
	{entities.KindBucket, "rename"}:         on(bucketRename),
	{entities.KindBucket, "renameByName"}:   on(bucketRenameByName),
	{entities.KindBucket, "drop"}:           on(bucketDrop),
	{entities.KindBucket, "find"}:           on(bucketFind),

	// Session (session.go).
	{entities.KindSession, "startTransaction"}:  on(startTransaction),
	{entities.KindSession, "commitTransaction"}: on(commitTransaction),
	{entities.KindSession, "abortTransaction"}:  on(abortTransaction),
	{entities.KindSession, "withTransaction"}:   on(withTransaction),
	{entities.KindSession, "endSession"}:        on(endSession),
	{entities.KindSession, "getSnapshotTime"}:   on(getSnapshotTime),

	// testRunner (runner.go).
	{kindRunner, "failPoint"}:                 special(runnerFailPoint),
	{kindRunner, "createEntities"}:            special(runnerCreateEntities),
	{kindRunner, "assertCollectionExists"}:    special(func(ctx context.Context, c *Call) error { return assertCollection(ctx, c, true) }),
	{kindRunner, "assertCollectionNotExists"}: special(func(ctx context.Context, c *Call) error { return assertCollection(ctx, c, false) }),
	{kindRunner, "assertIndexExists"}:         special(func(ctx context.Context, c *Call) error { return assertIndex(ctx, c, true) }),
	{kindRunner, "assertIndexNotExists"}:      special(func(ctx context.Context, c *Call) error { return assertIndex(ctx, c, false) }),

	// testRunner: sessions (runner_session.go).
	{kindRunner, "targetedFailPoint"}:                    special(runnerTargetedFailPoint),
	{kindRunner, "assertSessionTransactionState"}:        special(assertSessionTransactionState),
	{kindRunner, "assertSessionPinned"}:                  special(assertSessionPinned(true)),
	{kindRunner, "assertSessionUnpinned"}:                special(assertSessionPinned(false)),
	{kindRunner, "assertSessionDirty"}:                   special(assertSessionDirty(true)),
	{kindRunner, "assertSessionNotDirty"}:                special(assertSessionDirty(false)),
	{kindRunner, "assertSameLsidOnLastTwoCommands"}:      special(assertLsidOnLastTwoCommands(true)),
	{kindRunner, "assertDifferentLsidOnLastTwoCommands"}: special(assertLsidOnLastTwoCommands(false)),

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

// on adapts an operation on one kind of entity to the table's executor. A dry run
// (Coverage) has no target: fn gets T's zero value, which it must not touch before parse.
func on[T entities.Entity](fn func(context.Context, *Call, T) (Returned, error)) executor {
	return func(ctx context.Context, c *Call, target entities.Entity) (Returned, error) {
		t, _ := target.(T)
		return fn(ctx, c, t)
	}
}

// special adapts a testRunner operation, which has no target and no result.
func special(fn func(context.Context, *Call) error) executor {
	return func(ctx context.Context, c *Call, _ entities.Entity) (Returned, error) {
		return Returned{}, fn(ctx, c)
	}
}
