package operations

import (
	"github.com/specrun/specrun/entities"
	"github.com/specrun/specrun/specifications"
)

// sentCommands are the names of the commands an operation's executor sends (those a
// fail point's failCommands can name): by the kind of entity and the operation's name.
// A bucket's operations send the commands of GridFS on its files and chunks
// collections. An operation missing here sends none a fail point could block, as far
// as specrun knows.
var sentCommands = map[key][]string{
	{entities.KindCollection, "insertOne"}:              {"insert"},
	{entities.KindCollection, "insertMany"}:             {"insert"},
	{entities.KindCollection, "find"}:                   {"find", "getMore"},
	{entities.KindCollection, "createFindCursor"}:       {"find"},
	{entities.KindCollection, "findOne"}:                {"find"},
	{entities.KindCollection, "aggregate"}:              {"aggregate", "getMore"},
	{entities.KindCollection, "countDocuments"}:         {"aggregate"},
	{entities.KindCollection, "estimatedDocumentCount"}: {"count"},
	{entities.KindCollection, "count"}:                  {"count"},
	{entities.KindCollection, "distinct"}:               {"distinct"},
	{entities.KindCollection, "updateOne"}:              {"update"},
	{entities.KindCollection, "updateMany"}:             {"update"},
	{entities.KindCollection, "replaceOne"}:             {"update"},
	{entities.KindCollection, "deleteOne"}:              {"delete"},
	{entities.KindCollection, "deleteMany"}:             {"delete"},
	{entities.KindCollection, "findOneAndUpdate"}:       {"findAndModify"},
	{entities.KindCollection, "findOneAndReplace"}:      {"findAndModify"},
	{entities.KindCollection, "findOneAndDelete"}:       {"findAndModify"},
	{entities.KindCollection, "bulkWrite"}:              {"insert", "update", "delete"},
	{entities.KindCollection, "createIndex"}:            {"createIndexes"},
	{entities.KindCollection, "dropIndex"}:              {"dropIndexes"},
	{entities.KindCollection, "dropIndexes"}:            {"dropIndexes"},
	{entities.KindCollection, "listIndexes"}:            {"listIndexes", "getMore"},
	{entities.KindCollection, "listIndexNames"}:         {"listIndexes", "getMore"},
	{entities.KindCollection, "rename"}:                 {"renameCollection"},
	{entities.KindCollection, "drop"}:                   {"drop"},
	{entities.KindCollection, "createChangeStream"}:     {"aggregate"},
	{entities.KindCollection, "mapReduce"}:              {"mapReduce"},
	{entities.KindCollection, "createSearchIndex"}:      {"createSearchIndexes"},
	{entities.KindCollection, "createSearchIndexes"}:    {"createSearchIndexes"},
	{entities.KindCollection, "dropSearchIndex"}:        {"dropSearchIndex"},
	{entities.KindCollection, "listSearchIndexes"}:      {"aggregate"},
	{entities.KindCollection, "updateSearchIndex"}:      {"updateSearchIndex"},

	{entities.KindDatabase, "createCollection"}:      {"create"},
	{entities.KindDatabase, "dropCollection"}:        {"drop"},
	{entities.KindDatabase, "modifyCollection"}:      {"collMod"},
	{entities.KindDatabase, "listCollections"}:       {"listCollections", "getMore"},
	{entities.KindDatabase, "listCollectionObjects"}: {"listCollections", "getMore"},
	{entities.KindDatabase, "listCollectionNames"}:   {"listCollections", "getMore"},
	{entities.KindDatabase, "aggregate"}:             {"aggregate", "getMore"},
	{entities.KindDatabase, "createChangeStream"}:    {"aggregate"},

	{entities.KindClient, "clientBulkWrite"}:     {"bulkWrite"},
	{entities.KindClient, "listDatabases"}:       {"listDatabases"},
	{entities.KindClient, "listDatabaseObjects"}: {"listDatabases"},
	{entities.KindClient, "listDatabaseNames"}:   {"listDatabases"},
	{entities.KindClient, "dropDatabase"}:        {"dropDatabase"},
	{entities.KindClient, "createChangeStream"}:  {"aggregate"},

	{entities.KindBucket, "upload"}:         {"find", "listIndexes", "createIndexes", "insert"},
	{entities.KindBucket, "uploadWithId"}:   {"find", "listIndexes", "createIndexes", "insert"},
	{entities.KindBucket, "download"}:       {"find", "getMore"},
	{entities.KindBucket, "downloadByName"}: {"find", "getMore"},
	{entities.KindBucket, "delete"}:         {"delete"},
	{entities.KindBucket, "deleteByName"}:   {"find", "delete"},
	{entities.KindBucket, "rename"}:         {"update"},
	{entities.KindBucket, "renameByName"}:   {"update"},
	{entities.KindBucket, "drop"}:           {"drop"},
	{entities.KindBucket, "find"}:           {"find", "getMore"},

	// withTransaction's callback runs its operations as the test's own (each judged
	// here on its own): the session itself sends the commit or the abort.
	{entities.KindSession, "commitTransaction"}: {"commitTransaction"},
	{entities.KindSession, "abortTransaction"}:  {"abortTransaction"},
	{entities.KindSession, "withTransaction"}:   {"commitTransaction", "abortTransaction"},
}

// commandsOf are the names of the commands op sends: for runCommand and the cursor
// commands, the first key of its command argument (and the getMore of a cursor).
func commandsOf(kind entities.Kind, op *specifications.Operation) []string {
	switch {
	case kind != entities.KindDatabase:
	case op.Name == "runCommand":
		return firstKey(op)
	case op.Name == "runCursorCommand" || op.Name == "createCommandCursor":
		return append(firstKey(op), "getMore")
	}
	return sentCommands[key{kind, op.Name}]
}

func firstKey(op *specifications.Operation) []string {
	cmd, ok := op.Arguments.Lookup("command").DocumentOK()
	if !ok {
		return nil
	}
	elems, err := cmd.Elements()
	if err != nil || len(elems) == 0 {
		return nil
	}
	return []string{elems[0].Key()}
}
