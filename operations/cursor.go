package operations

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/specrun/specrun/entities"
	"github.com/specrun/specrun/matchers"
)

// Cursor operations (Unified Test Format "Cursor Operations") on the cursors that
// createFindCursor and createCommandCursor save. A mongo.Cursor is positioned before
// its first document, so the first iteration returns the first document of firstBatch.

// ErrCursorExhausted is the error of iterateUntilDocumentOrError on a cursor that has
// no document left and is closed on the server: no document can come.
var ErrCursorExhausted = errors.New("the cursor is exhausted: no document left to iterate")

// iterateUntilDocumentOrError: Next blocks (getMore after getMore on a tailable cursor)
// until a document, an error or the end of the cursor.
func iterateUntilDocumentOrError(ctx context.Context, c *Call, cur *entities.Cursor) (Result, error) {
	if err := parse(c.Op.Arguments, fields{}); err != nil {
		return Result{}, err
	}
	if cur.Cursor.Next(ctx) {
		return cursorDocument(cur.Cursor), nil
	}
	if err := cur.Cursor.Err(); err != nil {
		return Result{Err: err}, nil
	}
	return Result{Err: ErrCursorExhausted}, nil
}

// iterateOnce: TryNext takes the next document of the batch, or runs one getMore when
// the batch is empty and the cursor is open; no document is no result.
func iterateOnce(ctx context.Context, c *Call, cur *entities.Cursor) (Result, error) {
	if err := parse(c.Op.Arguments, fields{}); err != nil {
		return Result{}, err
	}
	if cur.Cursor.TryNext(ctx) {
		return cursorDocument(cur.Cursor), nil
	}
	return done(bson.RawValue{}, 0, cur.Cursor.Err())
}

func cursorDocument(cur *mongo.Cursor) Result {
	doc := bson.Raw(append([]byte(nil), cur.Current...))
	return Result{Value: bson.RawValue{Type: bson.TypeEmbeddedDocument, Value: doc}, At: matchers.Root}
}

// closeCursor closes the cursor (killCursors when it is open on the server); the spec
// requires every error to be suppressed.
func closeCursor(ctx context.Context, c *Call, cur *entities.Cursor) (Result, error) {
	err := parse(c.Op.Arguments, fields{
		"timeoutMS": unsupportedTimeoutMS,
	})
	if err != nil {
		return Result{}, err
	}
	_ = cur.Cursor.Close(ctx)
	return Result{}, nil
}
