package operations

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/specrun/specrun/entities"
	"github.com/specrun/specrun/matchers"
)

// Cursor operations (Unified Test Format "Cursor Operations") on the cursors that
// createFindCursor and createCommandCursor save and on the change streams that
// createChangeStream saves: one executor each, on the entity's iterator. A mongo.Cursor
// or mongo.ChangeStream is positioned before its first document, so the first
// iteration returns the first document of firstBatch.

// ErrCursorExhausted is the error of iterateUntilDocumentOrError on a cursor that has
// no document left and is closed on the server: no document can come.
var ErrCursorExhausted = errors.New("the cursor is exhausted: no document left to iterate")

// iterateUntilDocumentOrError: Next blocks (getMore after getMore on a tailable cursor
// or a change stream) until a document, an error or the end of the cursor.
func iterateUntilDocumentOrError(ctx context.Context, c *Call, e entities.Iterable) (Returned, error) {
	if err := c.parse(fields{}); err != nil {
		return Returned{}, err
	}
	it := e.Iterator()
	if it.Next(ctx) {
		return cursorDocument(it), nil
	}
	if err := it.Err(); err != nil {
		return Returned{Err: err}, nil
	}
	return Returned{Err: ErrCursorExhausted}, nil
}

// iterateOnce: TryNext takes the next document of the batch, or runs one getMore when
// the batch is empty and the cursor is open; no document is no result.
func iterateOnce(ctx context.Context, c *Call, e entities.Iterable) (Returned, error) {
	if err := c.parse(fields{}); err != nil {
		return Returned{}, err
	}
	it := e.Iterator()
	if it.TryNext(ctx) {
		return cursorDocument(it), nil
	}
	return done(bson.RawValue{}, 0, it.Err())
}

// cursorDocument is the document the iterator is on (a change event for a change
// stream), matched as a root-level document.
func cursorDocument(it entities.Iterator) Returned {
	doc := bson.Raw(append([]byte(nil), it.Document()...))
	return Returned{Value: bson.RawValue{Type: bson.TypeEmbeddedDocument, Value: doc}, At: matchers.Root}
}

// closeCursor closes the cursor or change stream (killCursors when it is open on the
// server); the spec requires every error to be suppressed.
func closeCursor(ctx context.Context, c *Call, e entities.Iterable) (Returned, error) {
	err := c.parse(fields{})
	if err != nil {
		return Returned{}, err
	}
	_ = e.Iterator().Close(ctx)
	return Returned{}, nil
}
