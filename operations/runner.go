package operations

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/specrun/specrun/drivererr"
	"github.com/specrun/specrun/entities"
	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/specifications"
)

// Special test operations (object testRunner). They return no result: whatever stops
// them (a fail point the server refuses, entities that cannot be created, an assertion
// that does not hold) is returned as Execute's error, for the interpreter to judge.

// runnerFailPoint sets a fail point through a client entity. The session argument is
// not in the spec's failPoint; two transactions tests give one: it must name a session
// entity, and is otherwise unused (the fail point is set through the client, outside
// any session or transaction).
func runnerFailPoint(ctx context.Context, c *Call) error {
	var (
		clientName string
		cmd        bson.Raw
		sess       string
	)
	err := c.parse(fields{
		"client":    stringVar(&clientName),
		"failPoint": into(&cmd),
		"session":   stringVar(&sess),
	}, "client", "failPoint")
	if err != nil {
		return err
	}
	client, err := entities.Lookup[*entities.Client](c.Entities, clientName)
	if err != nil {
		return &InvalidArgument{"client", err}
	}
	if sess != "" {
		if _, err := entities.Lookup[*entities.Session](c.Entities, sess); err != nil {
			return &InvalidArgument{"session", err}
		}
	}
	return c.Harness.FailPoint(ctx, client, cmd)
}

func runnerCreateEntities(ctx context.Context, c *Call) error {
	var list []specifications.Entity
	err := c.parse(fields{
		"entities": arg(func(v bson.RawValue) error {
			var err error
			list, err = specifications.DecodeEntities("entities", v)
			return err
		}),
	}, "entities")
	if err != nil {
		return err
	}
	return c.Harness.CreateEntities(ctx, list)
}

// namespaceArgs reads databaseName and collectionName (and indexName when index is
// not nil), all required.
func namespaceArgs(c *Call, db, coll, index *string) error {
	fs := fields{"databaseName": stringVar(db), "collectionName": stringVar(coll)}
	required := []string{"databaseName", "collectionName"}
	if index != nil {
		fs["indexName"] = stringVar(index)
		required = append(required, "indexName")
	}
	return c.parse(fs, required...)
}

func internalClient(c *Call) (*mongo.Client, error) {
	if c.Harness == nil || c.Harness.Internal() == nil {
		return nil, errors.New("the test runner has no internal client")
	}
	return c.Harness.Internal(), nil
}

// assertCollection checks with listCollections, through the runner's internal client,
// that a collection exists (or does not).
func assertCollection(ctx context.Context, c *Call, exists bool) error {
	var db, coll string
	if err := namespaceArgs(c, &db, &coll, nil); err != nil {
		return err
	}
	client, err := internalClient(c)
	if err != nil {
		return err
	}
	names, err := client.Database(db).ListCollectionNames(ctx, bson.D{{Key: "name", Value: coll}})
	if err != nil {
		return fmt.Errorf("listCollections on %s: %w", db, err)
	}
	switch found := slices.Contains(names, coll); {
	case exists && !found:
		return result.Failedf("collection %q does not exist", db+"."+coll)
	case !exists && found:
		return result.Failedf("collection %q exists", db+"."+coll)
	}
	return nil
}

// assertIndex checks with listIndexes, through the runner's internal client, that an
// index exists (or does not); a collection that does not exist has no index.
func assertIndex(ctx context.Context, c *Call, exists bool) error {
	var db, coll, index string
	if err := namespaceArgs(c, &db, &coll, &index); err != nil {
		return err
	}
	client, err := internalClient(c)
	if err != nil {
		return err
	}
	found, err := indexExists(ctx, client.Database(db).Collection(coll), index)
	if err != nil {
		return fmt.Errorf("listIndexes on %s.%s: %w", db, coll, err)
	}
	ns := db + "." + coll
	switch {
	case exists && !found:
		return result.Failedf("index %q does not exist on %q", index, ns)
	case !exists && found:
		return result.Failedf("index %q exists on %q", index, ns)
	}
	return nil
}

func indexExists(ctx context.Context, coll *mongo.Collection, name string) (bool, error) {
	cur, err := coll.Indexes().List(ctx)
	if err != nil {
		if isNamespaceNotFound(err) {
			return false, nil
		}
		return false, err
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		if n, ok := cur.Current.Lookup("name").StringValueOK(); ok && n == name {
			return true, nil
		}
	}
	if err := cur.Err(); err != nil && !isNamespaceNotFound(err) {
		return false, err
	}
	return false, nil
}

// isNamespaceNotFound recognises the server's NamespaceNotFound (26).
func isNamespaceNotFound(err error) bool {
	return drivererr.IsCommand(err, 26, "NamespaceNotFound")
}
