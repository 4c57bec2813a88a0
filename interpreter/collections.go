package interpreter

import (
	"context"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// CollectionNames lists the collections (and views) of one of the server's databases,
// for the check that a run touches no one else's data.
func (r *Runner) CollectionNames(ctx context.Context, database string) ([]string, error) {
	return r.internal.Database(database).ListCollectionNames(ctx, bson.D{})
}

// holdsStateCollections says whether the server may already hold state collections of
// queryable encryption (enxcol_.*): left by an earlier run, another suite, or a file
// of this run before the server restarted. True when it cannot tell (listing refused).
func (r *Runner) holdsStateCollections(ctx context.Context) bool {
	dbs, err := r.DatabaseNames(ctx)
	if err != nil {
		return true
	}
	for _, db := range dbs {
		colls, err := r.CollectionNames(ctx, db)
		if err != nil || slices.ContainsFunc(colls, func(c string) bool { return strings.HasPrefix(c, "enxcol_.") }) {
			return true
		}
	}
	return false
}
