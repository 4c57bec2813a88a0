package interpreter

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// CollectionNames lists the collections (and views) of one of the server's databases,
// for the check that a run touches no one else's data.
func (r *Runner) CollectionNames(ctx context.Context, database string) ([]string, error) {
	return r.internal.Database(database).ListCollectionNames(ctx, bson.D{})
}
